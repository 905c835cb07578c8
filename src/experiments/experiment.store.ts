import { In, type EntityManager } from 'typeorm';
import { containsPattern } from '../db/sql';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Experiment, ExperimentStatus, ForcedAssignment, StatusChange, Variant } from './experiment.entity';
import { ExperimentErrorReason, experimentError } from './experiment.errors';
import type { ExperimentConfig, VariantConfig } from './experiment.rules';
import type { ExperimentSnapshot } from '../assignment/snapshot';
import type { Targeting } from '../engine/targeting.model';
import { VersionedStore, type VersionedRefusals } from '../common/versioned-store';

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

/** What a change of an experiment may write: its configuration (variants replace the old ones) and its lifecycle columns. */
export type ExperimentChanges = Partial<ExperimentConfig> &
  Partial<Pick<Experiment, 'status' | 'startedAt' | 'stoppedAt' | 'shippedVariantKey' | 'stopReason' | 'phase' | 'seed' | 'layerSliceStart' | 'layerSliceEnd'>>;

export const experimentRefusals: VersionedRefusals = {
  notFound: (key) => experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${key}"`, 'key'),
  keyTaken: (key) => experimentError(ExperimentErrorReason.KEY_TAKEN, `An experiment with key "${key}" already exists`, 'key'),
  staleVersion: (key, actual, expected) =>
    experimentError(ExperimentErrorReason.VERSION_CONFLICT, `Experiment "${key}" is at version ${actual}, not ${expected}: someone changed it since you read it`, 'version'),
  changed: (key) => experimentError(ExperimentErrorReason.VERSION_CONFLICT, `Experiment "${key}" was changed by someone else; read it again`, 'version'),
};

/**
 * All SQL of the experiments domain: a versioned table whose rows carry their variants. Every
 * method runs on the caller's manager, so inside its transaction.
 */
export class ExperimentStore extends VersionedStore<Experiment, ExperimentChanges> {
  constructor(manager: EntityManager) {
    super(manager, { target: Experiment, refusals: experimentRefusals });
  }

  override async lockByKey(key: string): Promise<Experiment | null> {
    const locked = await super.lockByKey(key);
    return locked ? (await this.attachVariants([locked]))[0] : null;
  }

  override async findByKey(key: string): Promise<Experiment | null> {
    const experiment = await super.findByKey(key);
    return experiment ? (await this.attachVariants([experiment]))[0] : null;
  }

  /**
   * Running experiments as the configuration snapshot holds them, oldest first (the order resolution lists them in), in one statement of
   * plain rows: no entities. The snapshot is rebuilt after every change, so while a team configures
   * many experiments this runs back to back; hydrating thousands of entities each time kept the
   * heap, and with it the resident memory, high long after (bench:memory).
   */
  async runningSnapshots(): Promise<ExperimentSnapshot[]> {
    const rows: {
      key: string; seed: string; phase: number; layerKey: string | null; sliceStart: number | null; sliceEnd: number | null;
      trafficAllocation: number; targeting: Targeting; variants: ExperimentSnapshot['variants'] | null; forced: Record<string, string>;
    }[] = await this.manager.query(
      `SELECT e.key, e.seed, e.phase, e.layer_key AS "layerKey", e.layer_slice_start AS "sliceStart", e.layer_slice_end AS "sliceEnd",
         e.traffic_allocation AS "trafficAllocation", e.targeting,
         (SELECT json_agg(json_build_object('key', v.key, 'weight', v.weight, 'isControl', v.is_control, 'payload', v.payload) ORDER BY v.position)
            FROM experiment_variants v WHERE v.experiment_id = e.id) AS variants,
         (SELECT coalesce(json_object_agg(f.user_id, f.variant_key ORDER BY f.user_id), '{}'::json)
            FROM experiment_forced_assignments f WHERE f.experiment_id = e.id) AS forced
       FROM experiments e WHERE e.status = 'RUNNING' ORDER BY e.created_at, e.id`,
    );
    return rows.map((r) => ({
      key: r.key,
      seed: r.seed,
      phase: r.phase,
      layer: r.layerKey && r.sliceStart !== null && r.sliceEnd !== null ? { key: r.layerKey, start: r.sliceStart, end: r.sliceEnd } : null,
      trafficAllocation: r.trafficAllocation,
      variants: r.variants ?? [],
      targeting: r.targeting,
      forcedAssignments: r.forced,
    }));
  }

  async search(query: ExperimentListQuery): Promise<Experiment[]> {
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

  /** A new experiment with its variants; it hashes with its key (restarts give later phases seeds of their own). */
  async create(key: string, config: ExperimentConfig): Promise<Experiment> {
    const { variants, ...columns } = config;
    const values = { ...columns, key, seed: key };
    const id = await this.insertColumns(values);
    await this.insertVariants(id, variants);
    return (await this.findByKey(key))!;
  }

  /** Bumps the version, only from the one read (optimistic locking); variants, when given, replace the old ones. */
  override async update(experiment: Experiment, changes: ExperimentChanges): Promise<Experiment> {
    const { variants, ...columns } = changes;
    await this.updateColumns(experiment, columns);
    if (variants) {
      await this.manager.delete(Variant, { experimentId: experiment.id });
      await this.insertVariants(experiment.id, variants);
    }
    return (await this.findByKey(experiment.key))!;
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
