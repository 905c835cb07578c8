import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isUniqueViolation } from '../db/sql';
import { Metric } from './metric.entity';
import { MetricErrorReason, metricError } from './metric.errors';
import { MetricKind, ValueSource } from './metric.entity';
import { daysObserved, PRE_PERIOD_DAYS, type MetricConfig } from './metric.rules';

/** A metric to aggregate: its key (the result's name) and its definition. */
export interface MetricDefinition extends MetricConfig {
  key: string;
}

/**
 * Sufficient statistics of one metric in one group of users: everything the statistics need, and
 * nothing per user. Y is the per-user value; X the same quantity over the 14 days before exposure
 * (for CUPED); D a ratio metric's per-user denominator. Only users whose window has passed count.
 */
export interface SufficientStatistics {
  n: number;
  sumY: number;
  sumY2: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
  /** RATIO only; 0 otherwise. */
  sumD: number;
  sumD2: number;
  sumYD: number;
}

/** One arm, or one arm within one tier. */
export interface GroupAggregate {
  variantKey: string;
  /** The tier, when grouped by tier; null in the arm's overall row (and for users exposed without a tier, see `segmented`). */
  tier: string | null;
  /** True for the per-tier rows. */
  segmented: boolean;
  /** Every exposed user of the group, whatever the metrics' windows. */
  exposed: number;
  /** Each metric's statistics, by metric key. */
  metrics: Record<string, SufficientStatistics>;
}

export interface AggregationRequest {
  experimentKey: string;
  phase: number;
  metrics: MetricDefinition[];
  /** The current UTC day, YYYY-MM-DD: days before it have passed. */
  today: string;
  byTier: boolean;
}

/** Builds the one aggregation statement; parameters are numbered as they are added. */
/** Memory for the aggregation's hash tables, per transaction: about 200 bytes per exposed user fit a million. */
const AGGREGATION_WORK_MEM = '256MB';

/** The UTC day of the user's exposure, day 0: computed once per exposure, in the subquery `x`. */
const DAY_ZERO = 'x.day0';

class AggregationSql {
  readonly parameters: unknown[] = [];
  private readonly placeholders = new Map<string, string>();

  /** The same value is passed once, however often the statement uses it. */
  param(value: unknown, cast: string): string {
    const id = `${cast}:${JSON.stringify(value)}`;
    let placeholder = this.placeholders.get(id);
    if (!placeholder) {
      this.parameters.push(value);
      placeholder = `$${this.parameters.length}::${cast}`;
      this.placeholders.set(id, placeholder);
    }
    return placeholder;
  }

  typeCondition(types: string[] | null): string {
    return types === null || types.length === 0 ? 'TRUE' : `d.event_type = ANY(${this.param(types, 'text[]')})`;
  }

  /** Days relative to the exposure day (day 0); BETWEEN bounds are inclusive. */
  dayCondition(from: number, to: number): string {
    return from === to ? `d.day - ${DAY_ZERO} = ${this.param(from, 'int')}` : `d.day - ${DAY_ZERO} BETWEEN ${this.param(from, 'int')} AND ${this.param(to, 'int')}`;
  }
}

function perUserValue(sql: AggregationSql, kind: MetricKind, source: ValueSource, types: string[] | null, days: string): string {
  const condition = `${sql.typeCondition(types)} AND ${days}`;
  if (kind === MetricKind.CONVERSION || kind === MetricKind.RETENTION) return `max(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
  const column = source === ValueSource.VALUE_SUM ? 'd.value_sum' : 'd.event_count';
  return `coalesce(sum(${column}) FILTER (WHERE ${condition}), 0)`;
}

function sourceOf(metric: MetricDefinition): ValueSource {
  if (metric.kind === MetricKind.MEAN) return ValueSource.VALUE_SUM;
  if (metric.kind === MetricKind.RATIO) return metric.numeratorSource!;
  return ValueSource.EVENT_COUNT;
}

/**
 * One statement for all metrics of an experiment: exposures joined to the daily summaries on
 * user_id, one row per user (only in the statement), then per arm (and tier) the sums of
 * per-user values, squares and products. Plain SQL: no temporary tables or session settings, so
 * the same statement runs on partitioned or distributed PostgreSQL (exposures and summaries both
 * keyed by user). `OFFSET 0` keeps the exposure subquery from being flattened, so that the UTC day
 * of each exposure is computed once rather than in every condition.
 */
export function aggregationStatement(request: AggregationRequest): { text: string; parameters: unknown[] } {
  const sql = new AggregationSql();
  const experimentKey = sql.param(request.experimentKey, 'text');
  const phase = sql.param(request.phase, 'int');
  const today = sql.param(request.today, 'date');
  const userColumns: string[] = [];
  const capColumns: string[] = [];
  const outputColumns: string[] = [];
  let lastDay = 0;
  // The summary rows some metric reads; the join keeps only those, so less goes into the per-user step.
  const rowsNeeded = new Set<string>();
  request.metrics.forEach((metric, i) => {
    const observed = daysObserved(metric);
    lastDay = Math.max(lastDay, observed - 1);
    if (metric.kind === MetricKind.RETENTION) {
      const day = sql.dayCondition(metric.retentionDay!, metric.retentionDay!);
      rowsNeeded.add(`(${sql.typeCondition(metric.eventTypes)} AND (${day} OR ${sql.dayCondition(-PRE_PERIOD_DAYS, -1)}))`);
    } else {
      const types = [...new Set([...metric.eventTypes, ...(metric.denominatorEventTypes ?? [])])].sort();
      const from = metric.kind === MetricKind.RATIO ? 0 : -PRE_PERIOD_DAYS;
      rowsNeeded.add(`(${sql.typeCondition(types)} AND ${sql.dayCondition(from, metric.windowDays! - 1)})`);
    }
    const inWindow = metric.kind === MetricKind.RETENTION ? sql.dayCondition(metric.retentionDay!, metric.retentionDay!) : sql.dayCondition(0, metric.windowDays! - 1);
    const source = sourceOf(metric);
    userColumns.push(`${DAY_ZERO} + ${sql.param(observed, 'int')} <= ${today} AS e${i}`);
    userColumns.push(`${perUserValue(sql, metric.kind, source, metric.eventTypes, inWindow)} AS y${i}`);
    if (metric.kind === MetricKind.RATIO) {
      userColumns.push(`${perUserValue(sql, metric.kind, metric.denominatorSource!, metric.denominatorEventTypes, inWindow)} AS d${i}`);
    } else {
      userColumns.push(`${perUserValue(sql, metric.kind, source, metric.eventTypes, sql.dayCondition(-PRE_PERIOD_DAYS, -1))} AS x${i}`);
    }
    // Capping applies the same cap to the pre-period value, so that CUPED compares like with like.
    let cap: string | null = null;
    if (metric.capValue !== null) cap = sql.param(metric.capValue, 'float8');
    if (metric.capPercentile !== null) {
      capColumns.push(`percentile_cont(${sql.param(metric.capPercentile, 'float8')}) WITHIN GROUP (ORDER BY y${i}) FILTER (WHERE e${i}) AS cap${i}`);
      cap = `(SELECT cap${i} FROM caps)`;
    }
    const y = cap ? `least(y${i}, ${cap})` : `y${i}`;
    const where = `FILTER (WHERE e${i})`;
    outputColumns.push(`count(*) ${where} AS n${i}`, `coalesce(sum(${y}) ${where}, 0) AS sy${i}`, `coalesce(sum(${y} * ${y}) ${where}, 0) AS syy${i}`);
    if (metric.kind === MetricKind.RATIO) {
      outputColumns.push(`coalesce(sum(d${i}) ${where}, 0) AS sd${i}`, `coalesce(sum(d${i} * d${i}) ${where}, 0) AS sdd${i}`, `coalesce(sum(${y} * d${i}) ${where}, 0) AS syd${i}`);
    } else {
      const x = cap ? `least(x${i}, ${cap})` : `x${i}`;
      outputColumns.push(`coalesce(sum(${x}) ${where}, 0) AS sx${i}`, `coalesce(sum(${x} * ${x}) ${where}, 0) AS sxx${i}`, `coalesce(sum(${x} * ${y}) ${where}, 0) AS sxy${i}`);
    }
  });
  const groupBy = request.byTier ? 'GROUP BY GROUPING SETS ((variant_key), (variant_key, tier))' : 'GROUP BY variant_key';
  const tierColumns = request.byTier ? 'tier, grouping(tier) = 0 AS segmented' : 'NULL::text AS tier, false AS segmented';
  const text = `WITH per_user AS (
      SELECT x.variant_key, x.tier, ${userColumns.join(', ')}
      FROM (
        SELECT user_id, variant_key, tier, (exposed_at AT TIME ZONE 'UTC')::date AS day0
        FROM exposures WHERE experiment_key = ${experimentKey} AND phase = ${phase}
        OFFSET 0
      ) x
      LEFT JOIN user_event_days d
        ON d.user_id = x.user_id AND d.day BETWEEN ${DAY_ZERO} - ${sql.param(PRE_PERIOD_DAYS, 'int')} AND ${DAY_ZERO} + ${sql.param(lastDay, 'int')}
        AND (${[...rowsNeeded].join(' OR ')})
      GROUP BY x.user_id, x.variant_key, x.tier, x.day0
    )${capColumns.length > 0 ? `, caps AS (SELECT ${capColumns.join(', ')} FROM per_user)` : ''}
    SELECT variant_key, ${tierColumns}, count(*) AS exposed, ${outputColumns.join(', ')}
    FROM per_user
    ${groupBy}`;
  return { text, parameters: sql.parameters };
}

const row = (values: object) => values as QueryDeepPartialEntity<Metric>;

/** All SQL of the metrics domain: definitions, and the aggregation of exposures and daily summaries. */
export class MetricStore {
  constructor(private readonly manager: EntityManager) {}

  findByKey(key: string): Promise<Metric | null> {
    return this.manager.findOne(Metric, { where: { key } });
  }

  lockByKey(key: string): Promise<Metric | null> {
    return this.manager.createQueryBuilder(Metric, 'm').setLock('pessimistic_write').where('m.key = :key', { key }).getOne();
  }

  /** The metrics with these keys, in no particular order; missing keys are simply absent. */
  async byKeys(keys: readonly string[]): Promise<Metric[]> {
    if (keys.length === 0) return [];
    return this.manager.createQueryBuilder(Metric, 'm').where('m.key = ANY(:keys)', { keys: [...keys] }).getMany();
  }

  /** Every metric by key: there are tens, not thousands. */
  all(): Promise<Metric[]> {
    return this.manager.find(Metric, { order: { key: 'ASC' } });
  }

  async insert(key: string, config: MetricConfig): Promise<Metric> {
    try {
      await this.manager.insert(Metric, row({ ...config, key }));
    } catch (error) {
      if (isUniqueViolation(error)) throw metricError(MetricErrorReason.KEY_TAKEN, `A metric with key "${key}" already exists`, 'key');
      throw error;
    }
    return (await this.findByKey(key))!;
  }

  /** Writes `changes` only if the metric is still at `metric.version` (optimistic locking). */
  async update(metric: Metric, changes: Partial<MetricConfig>): Promise<Metric> {
    const result = await this.manager
      .createQueryBuilder()
      .update(Metric)
      .set(row({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' }))
      .where('id = :id AND version = :version', { id: metric.id, version: metric.version })
      .execute();
    if (result.affected !== 1) throw metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${metric.key}" was changed by someone else; read it again`, 'version');
    return (await this.findByKey(metric.key))!;
  }

  async delete(metric: Metric): Promise<void> {
    await this.manager.delete(Metric, { id: metric.id });
  }

  /** Sufficient statistics per arm (and per arm and tier), from one statement: raw events never leave the database. */
  async aggregate(request: AggregationRequest): Promise<GroupAggregate[]> {
    if (request.metrics.length === 0) return [];
    const { text, parameters } = aggregationStatement(request);
    // JIT compilation of this many aggregate expressions costs seconds and saves less than it costs;
    // the per-user step wants memory for one hash entry per exposed user instead of spilling to
    // disk at the default 4 MB. SET LOCAL lasts only for this transaction: no session is changed.
    const rows: Record<string, string | number | boolean | null>[] = await this.manager.transaction(async (manager) => {
      await manager.query('SET LOCAL jit = off');
      await manager.query(`SET LOCAL work_mem = '${AGGREGATION_WORK_MEM}'`);
      return manager.query(text, parameters);
    });
    const num = (value: unknown) => (value === null ? 0 : Number(value));
    return rows.map((r) => ({
      variantKey: r.variant_key as string,
      tier: r.tier as string | null,
      segmented: r.segmented as boolean,
      exposed: num(r.exposed),
      metrics: Object.fromEntries(
        request.metrics.map((metric, i) => [
          metric.key,
          {
            n: num(r[`n${i}`]), sumY: num(r[`sy${i}`]), sumY2: num(r[`syy${i}`]),
            sumX: num(r[`sx${i}`]), sumX2: num(r[`sxx${i}`]), sumXY: num(r[`sxy${i}`]),
            sumD: num(r[`sd${i}`]), sumD2: num(r[`sdd${i}`]), sumYD: num(r[`syd${i}`]),
          },
        ]),
      ),
    }));
  }

  /** Keys of the experiments (not archived) that name this metric, as primary, secondary or guardrail. */
  async experimentsUsing(key: string): Promise<string[]> {
    const rows: { key: string }[] = await this.manager.query(
      `SELECT key FROM experiments
       WHERE status <> 'ARCHIVED' AND (primary_metric_key = $1 OR $1 = ANY(secondary_metric_keys) OR $1 = ANY(guardrail_metric_keys))
       ORDER BY key`,
      [key],
    );
    return rows.map((r) => r.key);
  }
}
