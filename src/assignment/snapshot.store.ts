import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Experiment, ExperimentStatus, ForcedAssignment, Variant } from '../experiments/experiment.entity';
import { Holdout, Layer } from '../layers/layer.entity';
import { Flag, FlagStatus } from '../flags/flag.entity';
import type { ConfigSnapshot, JsonValue } from './snapshot';

/**
 * Reads the running configuration in one consistent view (REPEATABLE READ) and turns it into a
 * snapshot. Its version is a hash of its content, so every instance names the same configuration
 * the same way.
 */
export async function loadSnapshot(dataSource: DataSource): Promise<ConfigSnapshot> {
  const content = await dataSource.transaction('REPEATABLE READ', async (manager) => {
    const experiments = await manager.find(Experiment, { where: { status: ExperimentStatus.RUNNING }, order: { createdAt: 'ASC', id: 'ASC' } });
    const ids = experiments.map((experiment) => experiment.id);
    const variants = ids.length ? await manager.createQueryBuilder(Variant, 'v').where('v.experiment_id IN (:...ids)', { ids }).orderBy('v.position').getMany() : [];
    const forced = ids.length ? await manager.createQueryBuilder(ForcedAssignment, 'f').where('f.experiment_id IN (:...ids)', { ids }).getMany() : [];
    const layers = await manager.find(Layer, { order: { key: 'ASC' } });
    const holdout = await manager.findOne(Holdout, { where: { id: 1 } });
    const flags = await manager.find(Flag, { where: { status: FlagStatus.ACTIVE }, order: { createdAt: 'ASC', id: 'ASC' } });
    return {
      holdout: holdout && holdout.percentage > 0 ? { percentage: holdout.percentage, seed: holdout.seed } : null,
      layers: layers.map(({ key, seed }) => ({ key, seed })),
      experiments: experiments.map((experiment) => ({
        key: experiment.key,
        seed: experiment.seed,
        phase: experiment.phase,
        layer:
          experiment.layerKey && experiment.layerSliceStart !== null && experiment.layerSliceEnd !== null
            ? { key: experiment.layerKey, start: experiment.layerSliceStart, end: experiment.layerSliceEnd }
            : null,
        trafficAllocation: experiment.trafficAllocation,
        variants: variants
          .filter((variant) => variant.experimentId === experiment.id)
          .map((variant) => ({ key: variant.key, weight: variant.weight, isControl: variant.isControl, payload: variant.payload as JsonValue })),
        targeting: experiment.targeting,
        forcedAssignments: Object.fromEntries(forced.filter((f) => f.experimentId === experiment.id).map((f) => [f.userId, f.variantKey])),
      })),
      flags: flags.map((flag) => ({
        key: flag.key,
        type: flag.type,
        enabled: flag.enabled,
        defaultValue: flag.defaultValue,
        seed: flag.seed,
        rules: flag.rules,
      })),
    };
  });
  const version = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  return { version, generatedAt: new Date().toISOString(), ...content };
}
