import { In, type EntityManager } from 'typeorm';
import { containsPattern, isUniqueViolation } from '../db/sql';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Experiment, ExperimentStatus, ForcedAssignment, StatusChange, Variant } from './experiment.entity';
import { ExperimentErrorReason, experimentError } from './experiment.errors';
import type { ExperimentConfig, VariantConfig } from './experiment.rules';

/** TypeORM cannot type JSON columns of `unknown` content; the entities' own types are checked where the values are built. */
const row = <T>(values: object) => values as QueryDeepPartialEntity<T>;

export interface ExperimentListQuery {
  status?: ExperimentStatus[];
  strategy?: string;
  tag?: string;
  text?: string;
  /** Sort key of the last row already read: [createdAt ISO, id]. */
  after?: [string, string];
  limit: number;
}

/** All SQL of the experiments domain. Every method runs on the caller's manager, so inside its transaction. */
export class ExperimentStore {
  constructor(private readonly manager: EntityManager) {}

  /** Locks the experiment's row until the transaction ends, so that concurrent changes queue up. */
  async lockByKey(key: string): Promise<Experiment | null> {
    const locked = await this.manager
      .createQueryBuilder(Experiment, 'e')
      .setLock('pessimistic_write')
      .where('e.key = :key', { key })
      .getOne();
    if (!locked) return null;
    return (await this.attachVariants([locked]))[0];
  }

  async findByKey(key: string): Promise<Experiment | null> {
    const experiment = await this.manager.findOne(Experiment, { where: { key } });
    return experiment ? (await this.attachVariants([experiment]))[0] : null;
  }

  /** Running experiments with their variants, oldest first: the order resolution lists them in. */
  async running(): Promise<Experiment[]> {
    return this.attachVariants(await this.manager.find(Experiment, { where: { status: ExperimentStatus.RUNNING }, order: { createdAt: 'ASC', id: 'ASC' } }));
  }

  async list(query: ExperimentListQuery): Promise<Experiment[]> {
    const builder = this.manager.createQueryBuilder(Experiment, 'e').orderBy('e.created_at', 'DESC').addOrderBy('e.id', 'DESC').limit(query.limit);
    if (query.status?.length) builder.andWhere('e.status IN (:...status)', { status: query.status });
    if (query.strategy) builder.andWhere('e.strategy = :strategy', { strategy: query.strategy });
    if (query.tag) builder.andWhere(':tag = ANY(e.tags)', { tag: query.tag });
    if (query.text) {
      builder.andWhere(
        `(e.key ILIKE :text OR e.name ILIKE :text OR e.description ILIKE :text OR e.hypothesis ILIKE :text)`,
        { text: containsPattern(query.text) },
      );
    }
    if (query.after) {
      builder.andWhere('(e.created_at, e.id) < (:afterCreatedAt::timestamptz, :afterId::uuid)', {
        afterCreatedAt: query.after[0],
        afterId: query.after[1],
      });
    }
    return this.attachVariants(await builder.getMany());
  }

  async insert(key: string, config: ExperimentConfig): Promise<Experiment> {
    const { variants, ...columns } = config;
    try {
      // A new experiment hashes with its key; restarts give later phases seeds of their own.
      const result = await this.manager.insert(Experiment, row<Experiment>({ ...columns, key, seed: key }));
      const id = result.identifiers[0].id as string;
      await this.insertVariants(id, variants);
      return (await this.findByKey(key))!;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw experimentError(ExperimentErrorReason.KEY_TAKEN, `An experiment with key "${key}" already exists`, 'key');
      }
      throw error;
    }
  }

  /**
   * Writes `changes` and bumps the version, but only if the row is still at `version`:
   * optimistic locking that holds even without the row lock.
   */
  async update(
    experiment: Experiment,
    changes: Partial<ExperimentConfig> &
      Partial<Pick<Experiment, 'status' | 'startedAt' | 'stoppedAt' | 'shippedVariantKey' | 'stopReason' | 'phase' | 'seed' | 'layerSliceStart' | 'layerSliceEnd'>>,
  ): Promise<void> {
    const { variants, ...columns } = changes;
    const result = await this.manager
      .createQueryBuilder()
      .update(Experiment)
      .set(row<Experiment>({ ...columns, version: () => 'version + 1', updatedAt: () => 'now()' }))
      .where('id = :id AND version = :version', { id: experiment.id, version: experiment.version })
      .execute();
    if (result.affected !== 1) {
      throw experimentError(ExperimentErrorReason.VERSION_CONFLICT, `Experiment "${experiment.key}" was changed by someone else; read it again`, 'version');
    }
    if (variants) {
      await this.manager.delete(Variant, { experimentId: experiment.id });
      await this.insertVariants(experiment.id, variants);
    }
  }

  async insertStatusChange(change: Pick<StatusChange, 'experimentId' | 'from' | 'to' | 'actor' | 'reason'>): Promise<void> {
    await this.manager.insert(StatusChange, change);
  }

  /** Status histories of many experiments in one query, oldest change first. */
  async statusChanges(experimentIds: readonly string[]): Promise<StatusChange[]> {
    return this.manager.find(StatusChange, { where: { experimentId: In([...experimentIds]) }, order: { id: 'ASC' } });
  }

  forcedAssignment(experimentId: string, userId: string): Promise<ForcedAssignment | null> {
    return this.manager.findOne(ForcedAssignment, { where: { experimentId, userId } });
  }

  forcedAssignments(experimentIds: readonly string[]): Promise<ForcedAssignment[]> {
    return this.manager.find(ForcedAssignment, { where: { experimentId: In([...experimentIds]) }, order: { userId: 'ASC' } });
  }

  async upsertForcedAssignment(values: Pick<ForcedAssignment, 'experimentId' | 'userId' | 'variantKey' | 'createdBy'>): Promise<ForcedAssignment> {
    await this.manager.upsert(ForcedAssignment, values, ['experimentId', 'userId']);
    return (await this.forcedAssignment(values.experimentId, values.userId))!;
  }

  async deleteForcedAssignment(experimentId: string, userId: string): Promise<void> {
    await this.manager.delete(ForcedAssignment, { experimentId, userId });
  }

  private async insertVariants(experimentId: string, variants: VariantConfig[]): Promise<void> {
    await this.manager.insert(Variant, variants.map((variant, position) => row<Variant>({ ...variant, experimentId, position })));
  }

  private async attachVariants(experiments: Experiment[]): Promise<Experiment[]> {
    if (experiments.length === 0) return experiments;
    const variants = await this.manager.find(Variant, {
      where: { experimentId: In(experiments.map((e) => e.id)) },
      order: { position: 'ASC' },
    });
    for (const experiment of experiments) experiment.variants = variants.filter((v) => v.experimentId === experiment.id);
    return experiments;
  }
}
