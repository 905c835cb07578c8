import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../db/sql';
import { Holdout, Layer } from './layer.entity';
import { LayerErrorReason, layerError } from './layer.errors';
import type { Slice } from './layer.rules';

/** All SQL of the layers domain (layers, their slices, the holdout). */
export class LayerStore {
  constructor(private readonly manager: EntityManager) {}

  list(): Promise<Layer[]> {
    return this.manager.find(Layer, { order: { key: 'ASC' } });
  }

  findByKey(key: string): Promise<Layer | null> {
    return this.manager.findOne(Layer, { where: { key } });
  }

  /** Locks the layer until the transaction ends, so that two experiments starting at once cannot take the same slice. */
  lockByKey(key: string): Promise<Layer | null> {
    return this.manager.createQueryBuilder(Layer, 'l').setLock('pessimistic_write').where('l.key = :key', { key }).getOne();
  }

  async insert(values: Pick<Layer, 'key' | 'name' | 'description' | 'seed'>): Promise<Layer> {
    try {
      await this.manager.insert(Layer, values);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw layerError(LayerErrorReason.KEY_TAKEN, `A layer with key "${values.key}" already exists`, 'key');
      }
      throw error;
    }
    return (await this.findByKey(values.key))!;
  }

  async update(layer: Layer, version: number, changes: Partial<Pick<Layer, 'name' | 'description'>>): Promise<Layer> {
    const result = await this.manager
      .createQueryBuilder()
      .update(Layer)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id: layer.id, version })
      .execute();
    if (result.affected !== 1) throw layerError(LayerErrorReason.VERSION_CONFLICT, `Layer "${layer.key}" was changed by someone else; read it again`, 'version');
    return (await this.findByKey(layer.key))!;
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
