import type { EntityManager } from 'typeorm';
import { Holdout, Layer } from './layer.entity';
import { LayerErrorReason, layerError } from './layer.errors';
import type { Slice } from './layer.rules';
import { VersionedStore, type VersionedRefusals } from '../common/versioned-store';

export const layerRefusals: VersionedRefusals = {
  notFound: (key) => layerError(LayerErrorReason.LAYER_NOT_FOUND, `No layer with key "${key}"`, 'key'),
  keyTaken: (key) => layerError(LayerErrorReason.KEY_TAKEN, `A layer with key "${key}" already exists`, 'key'),
  // Layers have always refused a stale version with the one message, whether seen before or at the write.
  staleVersion: (key) => layerRefusals.changed(key),
  changed: (key) => layerError(LayerErrorReason.VERSION_CONFLICT, `Layer "${key}" was changed by someone else; read it again`, 'version'),
};

/** All SQL of the layers domain (layers, their slices, the holdout). */
export class LayerStore extends VersionedStore<Layer> {
  constructor(manager: EntityManager) {
    super(manager, { target: Layer, refusals: layerRefusals, touchesUpdatedAt: false });
  }

  /** Every layer by key: there are tens, so no paging. */
  override list(): Promise<Layer[]> {
    return this.manager.find(Layer, { order: { key: 'ASC' } });
  }

  /** The slices held by the layer's running and paused experiments. */
  async takenSlices(layerKey: string): Promise<Slice[]> {
    const rows: { start: number; end: number }[] = await this.manager.query(
      `SELECT layer_slice_start AS start, layer_slice_end AS end FROM experiments
       WHERE layer_key = $1 AND status IN ('RUNNING', 'PAUSED') AND layer_slice_start IS NOT NULL`,
      [layerKey],
    );
    return rows.map((row) => [row.start, row.end] as const);
  }

  getHoldout(): Promise<Holdout | null> {
    return this.manager.findOne(Holdout, { where: { id: 1 } });
  }

  async lockHoldout(): Promise<Holdout | null> {
    return this.manager.createQueryBuilder(Holdout, 'h').setLock('pessimistic_write').where('h.id = 1').getOne();
  }

  async saveHoldout(percentage: number, seed: string): Promise<Holdout> {
    await this.manager.query(
      `INSERT INTO holdout (id, percentage, seed) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET percentage = $1, seed = $2, version = holdout.version + 1, updated_at = now()`,
      [percentage, seed],
    );
    return (await this.getHoldout())!;
  }
}
