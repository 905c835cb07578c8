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

/** Memory for the aggregation's hash tables, per transaction: about 200 bytes per exposed user fit a million. */
const AGGREGATION_WORK_MEM = '256MB';

/** The UTC day of the user's exposure, day 0: computed once per exposure, in the subquery `x`. */
const DAY_ZERO = 'x.day0';

/** One statement of an aggregation, with its numbered parameters. */
export interface AggregationStatement {
  text: string;
  parameters: unknown[];
}

/** A metric with its position in the request: its output columns are suffixed with it (y0, sx3...). */
interface Indexed {
  metric: MetricDefinition;
  i: number;
}

/** Builds one statement; parameters are numbered as they are added. */
class AggregationSql {
  readonly parameters: unknown[] = [];
  private readonly placeholders = new Map<string, string>();

  constructor(private readonly request: AggregationRequest) {}

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

  /** Whether the user's window for this metric has passed: only then does the user count. */
  entered(metric: MetricDefinition, dayZero = DAY_ZERO): string {
    return `${dayZero} + ${this.param(daysObserved(metric), 'int')} <= ${this.param(this.request.today, 'date')}`;
  }

  /**
   * The experiment's exposures in the current phase, with day 0. The subquery is left for the
   * planner to flatten: for sparse event types it then reads the few summary rows first and the
   * exposures in parallel.
   */
  exposures(): string {
    return `(
        SELECT user_id, variant_key, tier, (exposed_at AT TIME ZONE 'UTC')::date AS day0
        FROM exposures WHERE experiment_key = ${this.param(this.request.experimentKey, 'text')} AND phase = ${this.param(this.request.phase, 'int')}
      ) x`;
  }

  /** Per arm, and per arm and tier when asked: the statement's outer grouping. */
  grouped(columns: string[], from: string): AggregationStatement {
    const groupBy = this.request.byTier ? 'GROUP BY GROUPING SETS ((variant_key), (variant_key, tier))' : 'GROUP BY variant_key';
    const tierColumns = this.request.byTier ? 'tier, grouping(tier) = 0 AS segmented' : 'NULL::text AS tier, false AS segmented';
    return { text: `SELECT variant_key, ${tierColumns}, ${columns.join(', ')} FROM ${from} ${groupBy}`, parameters: this.parameters };
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

/** Retention over any event: read from user_active_days, where a user has at most one row a day. */
const isActiveDayRetention = (metric: MetricDefinition) => metric.kind === MetricKind.RETENTION && metric.eventTypes.length === 0;

/** A percentile cap needs every user's value, zeros included. */
const needsEveryUser = (metric: MetricDefinition) => metric.capPercentile !== null;

/** Every exposed user: the group sizes, and per metric how many users' windows have passed (n). */
function exposedStatement(request: AggregationRequest, metrics: Indexed[]): AggregationStatement {
  const sql = new AggregationSql(request);
  const columns = ['count(*) AS exposed', ...metrics.map(({ metric, i }) => `count(*) FILTER (WHERE ${sql.entered(metric)}) AS n${i}`)];
  return sql.grouped(columns, sql.exposures());
}

/**
 * Retention over any event, for every such metric at once: exposures joined to their active days
 * among day n of each metric and the 14 days before exposure (X: active at all then). Per user only
 * the users with such a day; the others add nothing to any sum. Y and X are 0/1, so Σy² = Σy.
 */
function activeDayRetentionStatement(request: AggregationRequest, metrics: Indexed[]): AggregationStatement {
  const sql = new AggregationSql(request);
  const days = [...new Set(metrics.map(({ metric }) => metric.retentionDay!))].sort((a, b) => a - b);
  const perUser = [`bool_or(a.day < ${DAY_ZERO}) AS pre`];
  const columns: string[] = [];
  for (const { metric, i } of metrics) {
    perUser.push(`${sql.entered(metric)} AS e${i}`, `bool_or(a.day - ${DAY_ZERO} = ${sql.param(metric.retentionDay, 'int')}) AS y${i}`);
    columns.push(
      `count(*) FILTER (WHERE e${i} AND y${i}) AS sy${i}`, `count(*) FILTER (WHERE e${i} AND y${i}) AS syy${i}`,
      `count(*) FILTER (WHERE e${i} AND pre) AS sx${i}`, `count(*) FILTER (WHERE e${i} AND pre) AS sxx${i}`,
      `count(*) FILTER (WHERE e${i} AND pre AND y${i}) AS sxy${i}`,
    );
  }
  const from = `(
      SELECT x.variant_key, x.tier, ${perUser.join(', ')}
      FROM ${sql.exposures()}
      JOIN user_active_days a ON a.user_id = x.user_id AND a.day BETWEEN ${DAY_ZERO} - ${sql.param(PRE_PERIOD_DAYS, 'int')} AND ${DAY_ZERO} + ${sql.param(days[days.length - 1], 'int')}
      WHERE a.day < ${DAY_ZERO} OR a.day - ${DAY_ZERO} = ANY(${sql.param(days, 'int[]')})
      GROUP BY x.user_id, x.variant_key, x.tier, x.day0
    ) u`;
  return sql.grouped(columns, from);
}

/**
 * Metrics over event types, read from user_event_days: exposures joined to the summary rows of
 * these types over the days the metrics read, then one row per user (in the statement) and per
 * arm the sums of per-user values, squares and products. With `everyUser` (percentile caps) every
 * exposed user is kept, zeros included; otherwise only users with a row, as the others add nothing.
 */
function typedStatement(request: AggregationRequest, metrics: Indexed[], everyUser: boolean): AggregationStatement {
  const sql = new AggregationSql(request);
  const userColumns: string[] = [];
  const capColumns: string[] = [];
  const outputColumns: string[] = [];
  let lastDay = 0;
  // The summary rows some metric reads; the join keeps only those, so less goes into the per-user step.
  const rowsNeeded = new Set<string>();
  for (const { metric, i } of metrics) {
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
    userColumns.push(`${sql.entered(metric)} AS e${i}`);
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
    outputColumns.push(`coalesce(sum(${y}) ${where}, 0) AS sy${i}`, `coalesce(sum(${y} * ${y}) ${where}, 0) AS syy${i}`);
    if (metric.kind === MetricKind.RATIO) {
      outputColumns.push(`coalesce(sum(d${i}) ${where}, 0) AS sd${i}`, `coalesce(sum(d${i} * d${i}) ${where}, 0) AS sdd${i}`, `coalesce(sum(${y} * d${i}) ${where}, 0) AS syd${i}`);
    } else {
      const x = cap ? `least(x${i}, ${cap})` : `x${i}`;
      outputColumns.push(`coalesce(sum(${x}) ${where}, 0) AS sx${i}`, `coalesce(sum(${x} * ${x}) ${where}, 0) AS sxx${i}`, `coalesce(sum(${x} * ${y}) ${where}, 0) AS sxy${i}`);
    }
  }
  const perUser = `SELECT x.variant_key, x.tier, ${userColumns.join(', ')}
      FROM ${sql.exposures()}
      ${everyUser ? 'LEFT ' : ''}JOIN user_event_days d
        ON d.user_id = x.user_id AND d.day BETWEEN ${DAY_ZERO} - ${sql.param(PRE_PERIOD_DAYS, 'int')} AND ${DAY_ZERO} + ${sql.param(lastDay, 'int')}
        AND (${[...rowsNeeded].join(' OR ')})
      GROUP BY x.user_id, x.variant_key, x.tier, x.day0`;
  if (capColumns.length === 0) return sql.grouped(outputColumns, `(${perUser}) per_user`);
  const statement = sql.grouped(outputColumns, 'per_user');
  return { ...statement, text: `WITH per_user AS (${perUser}), caps AS (SELECT ${capColumns.join(', ')} FROM per_user) ${statement.text}` };
}

/**
 * The statements that together aggregate all metrics of an experiment, each touching only the rows
 * it needs: one over the exposures alone (group sizes and n), one for retention over any event
 * (user_active_days), and one per set of event types (user_event_days), so that the dense
 * activity rows are read only by retention and the per-user step of the others covers only the
 * users with such events. Each returns rows per arm (and tier) with its own columns; `aggregate`
 * puts them together. Plain SQL: no temporary tables or session settings, so the same statements
 * run on partitioned or distributed PostgreSQL (exposures and summaries both keyed by user).
 */
export function aggregationStatements(request: AggregationRequest): AggregationStatement[] {
  const indexed = request.metrics.map((metric, i) => ({ metric, i }));
  const statements = [exposedStatement(request, indexed)];
  const activeDay = indexed.filter(({ metric }) => isActiveDayRetention(metric));
  if (activeDay.length > 0) statements.push(activeDayRetentionStatement(request, activeDay));
  const everyUser = indexed.filter(({ metric }) => !isActiveDayRetention(metric) && needsEveryUser(metric));
  if (everyUser.length > 0) statements.push(typedStatement(request, everyUser, true));
  const byTypes = new Map<string, Indexed[]>();
  for (const entry of indexed) {
    if (isActiveDayRetention(entry.metric) || needsEveryUser(entry.metric)) continue;
    const types = JSON.stringify([...new Set([...entry.metric.eventTypes, ...(entry.metric.denominatorEventTypes ?? [])])].sort());
    byTypes.set(types, [...(byTypes.get(types) ?? []), entry]);
  }
  for (const group of byTypes.values()) statements.push(typedStatement(request, group, false));
  return statements;
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

  /**
   * Sufficient statistics per arm (and per arm and tier), from a few statements run side by side on
   * separate connections: raw events never leave the database.
   */
  async aggregate(request: AggregationRequest): Promise<GroupAggregate[]> {
    if (request.metrics.length === 0) return [];
    // JIT compilation of these aggregate expressions costs more than it saves; the per-user steps
    // want memory for one hash entry per user instead of spilling to disk at the default 4 MB.
    // SET LOCAL lasts only for the statement's own transaction: no session is changed.
    const results = await Promise.all(
      aggregationStatements(request).map(({ text, parameters }) =>
        this.manager.transaction(async (manager): Promise<Record<string, string | number | boolean | null>[]> => {
          await manager.query('SET LOCAL jit = off');
          await manager.query(`SET LOCAL work_mem = '${AGGREGATION_WORK_MEM}'`);
          return manager.query(text, parameters);
        }),
      ),
    );
    // Each group's columns from every statement; a statement has no row for a group none of whose users has its rows.
    const groupKey = (r: Record<string, unknown>) => JSON.stringify([r.variant_key, r.tier, r.segmented]);
    const columns = new Map<string, Record<string, unknown>>();
    for (const rows of results) for (const r of rows) columns.set(groupKey(r), { ...columns.get(groupKey(r)), ...r });
    const num = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));
    return results[0].map((exposedRow) => {
      const r = columns.get(groupKey(exposedRow))!;
      return {
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
      };
    });
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
