import type { EntityManager } from 'typeorm';
import { Metric, MetricKind } from './metric.entity';
import { MetricErrorReason, metricError } from './metric.errors';
import { daysObserved, PRE_PERIOD_DAYS, type MetricConfig } from './metric.rules';
import { activeDayBit, exposureDayOf, foldMetricValues } from './metric-values';
import { VersionedStore, type VersionedRefusals } from '../common/versioned-store';

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

/** One statement of an aggregation, with its numbered parameters. */
export interface AggregationStatement {
  text: string;
  parameters: unknown[];
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

  /** Whether the user's window for this metric has passed by today: only then does the user count. */
  entered(metric: MetricDefinition, dayZero: string): string {
    return `${dayZero} + ${this.param(daysObserved(metric), 'int')} <= ${this.param(this.request.today, 'date')}`;
  }

  /** Rows of this experiment's current phase. */
  ofExperiment(alias: string): string {
    return `${alias}.experiment_key = ${this.param(this.request.experimentKey, 'text')} AND ${alias}.phase = ${this.param(this.request.phase, 'int')}`;
  }

  /** Per arm, and per arm and tier when asked: the statement's outer grouping. */
  grouped(columns: string[], from: string): AggregationStatement {
    const groupBy = this.request.byTier ? 'GROUP BY GROUPING SETS ((variant_key), (variant_key, tier))' : 'GROUP BY variant_key';
    const tierColumns = this.request.byTier ? 'tier, grouping(tier) = 0 AS segmented' : 'NULL::text AS tier, false AS segmented';
    return { text: `SELECT variant_key, ${tierColumns}, ${columns.join(', ')} FROM ${from} ${groupBy}`, parameters: this.parameters };
  }
}

const EXPOSURE_DAY = exposureDayOf('x.exposed_at');

/** Retention over any event: read from the exposures' active-day bits, not from exposure_metric_values. */
const isActiveDayRetention = (metric: MetricDefinition) => metric.kind === MetricKind.RETENTION && metric.eventTypes.length === 0;

/**
 * Every exposed user: the group sizes, per metric how many users' windows have passed (n), and the
 * sums of retention over any event, from each exposure's active-day bits (Y: active on day n; X:
 * active on any of the 14 days before; both 0/1, so Σy² = Σy). Exposures are first counted per
 * arm, tier, day 0 and the bits read, a few hundred groups, so that the outer sums are cheap.
 */
function exposedStatement(request: AggregationRequest): AggregationStatement {
  const sql = new AggregationSql(request);
  const retention = request.metrics.map((metric, i) => ({ metric, i })).filter(({ metric }) => isActiveDayRetention(metric));
  const days = [...new Set(retention.map(({ metric }) => metric.retentionDay!))];
  const bits = days.map((day) => `get_bit(x.active_days, ${sql.param(activeDayBit(day), 'int')}) = 1 AS on_day_${day}`);
  if (retention.length > 0) bits.push(`substring(x.active_days FROM 1 FOR ${PRE_PERIOD_DAYS}) <> ${sql.param('0'.repeat(PRE_PERIOD_DAYS), 'varbit')} AS pre`);
  const columns = ['sum(users) AS exposed', ...request.metrics.map((metric, i) => `coalesce(sum(users) FILTER (WHERE ${sql.entered(metric, 'day0')}), 0) AS n${i}`)];
  for (const { metric, i } of retention) {
    const entered = sql.entered(metric, 'day0');
    const y = `on_day_${metric.retentionDay}`;
    columns.push(
      `coalesce(sum(users) FILTER (WHERE ${entered} AND ${y}), 0) AS sy${i}`, `coalesce(sum(users) FILTER (WHERE ${entered} AND ${y}), 0) AS syy${i}`,
      `coalesce(sum(users) FILTER (WHERE ${entered} AND pre), 0) AS sx${i}`, `coalesce(sum(users) FILTER (WHERE ${entered} AND pre), 0) AS sxx${i}`,
      `coalesce(sum(users) FILTER (WHERE ${entered} AND pre AND ${y}), 0) AS sxy${i}`,
    );
  }
  const groupBy = Array.from({ length: 3 + bits.length }, (_, k) => k + 1).join(', ');
  return sql.grouped(columns, `(
      SELECT x.variant_key, x.tier, ${EXPOSURE_DAY} AS day0, ${[...bits, 'count(*) AS users'].join(', ')}
      FROM exposures x WHERE ${sql.ofExperiment('x')} GROUP BY ${groupBy}
    ) by_day`);
}

/**
 * One metric's sums per arm, from its rows in exposure_metric_values (one per user with anything
 * to count; the others add nothing to any sum). Conversions and retention count a user once (0/1);
 * caps apply to the window's value and, so that CUPED compares like with like, to the pre-period's.
 * A percentile cap needs every entered user's value, zeros included: only then are the exposures read too.
 */
function metricStatement(request: AggregationRequest, metric: MetricDefinition, i: number): AggregationStatement {
  const sql = new AggregationSql(request);
  const isShare = metric.kind === MetricKind.CONVERSION || metric.kind === MetricKind.RETENTION;
  const value = (column: string) => (isShare ? `(${column} > 0)::int` : column);
  let from = `(
      SELECT v.variant_key, v.tier, ${value('v.y')} AS y, ${value('v.x')} AS x, v.d FROM exposure_metric_values v
      WHERE ${sql.ofExperiment('v')} AND v.metric_key = ${sql.param(metric.key, 'text')} AND ${sql.entered(metric, 'v.exposure_day')}
    ) per_user`;
  let cap: string | null = metric.capValue === null ? null : sql.param(metric.capValue, 'float8');
  let prefix = '';
  if (metric.capPercentile !== null) {
    prefix = `WITH per_user AS (
        SELECT x.variant_key, x.tier, coalesce(v.y, 0) AS y, coalesce(v.x, 0) AS x, coalesce(v.d, 0) AS d
        FROM exposures x
        LEFT JOIN exposure_metric_values v ON v.experiment_key = x.experiment_key AND v.phase = x.phase AND v.user_id = x.user_id AND v.metric_key = ${sql.param(metric.key, 'text')}
        WHERE ${sql.ofExperiment('x')} AND ${sql.entered(metric, EXPOSURE_DAY)}
      ), caps AS (SELECT percentile_cont(${sql.param(metric.capPercentile, 'float8')}) WITHIN GROUP (ORDER BY y) AS cap FROM per_user) `;
    from = 'per_user';
    cap = '(SELECT cap FROM caps)';
  }
  const y = cap ? `least(y, ${cap})` : 'y';
  const columns = [`coalesce(sum(${y}), 0) AS sy${i}`, `coalesce(sum(${y} * ${y}), 0) AS syy${i}`];
  if (metric.kind === MetricKind.RATIO) {
    columns.push(`coalesce(sum(d), 0) AS sd${i}`, `coalesce(sum(d * d), 0) AS sdd${i}`, `coalesce(sum(${y} * d), 0) AS syd${i}`);
  } else {
    const x = cap ? `least(x, ${cap})` : 'x';
    columns.push(`coalesce(sum(${x}), 0) AS sx${i}`, `coalesce(sum(${x} * ${x}), 0) AS sxx${i}`, `coalesce(sum(${x} * ${y}), 0) AS sxy${i}`);
  }
  const statement = sql.grouped(columns, from);
  return { ...statement, text: prefix + statement.text };
}

/**
 * The statements that together aggregate all metrics of an experiment: one over the exposures
 * (group sizes, n, and retention over any event from the active-day bits), then one per other
 * metric over its rows in exposure_metric_values (src/metrics/metric-values.ts), so that no
 * statement joins exposures to daily summaries. Each returns rows per arm (and tier) with its own columns; `aggregate` puts them
 * together. Plain SQL: the same statements run on partitioned or distributed PostgreSQL.
 */
export function aggregationStatements(request: AggregationRequest): AggregationStatement[] {
  const others = request.metrics.flatMap((metric, i) => (isActiveDayRetention(metric) ? [] : [metricStatement(request, metric, i)]));
  return [exposedStatement(request), ...others];
}

export const metricRefusals: VersionedRefusals = {
  notFound: (key) => metricError(MetricErrorReason.METRIC_NOT_FOUND, `No metric with key "${key}"`, 'key'),
  keyTaken: (key) => metricError(MetricErrorReason.KEY_TAKEN, `A metric with key "${key}" already exists`, 'key'),
  staleVersion: (key, actual, expected) =>
    metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${key}" is at version ${actual}, not ${expected}: someone changed it since you read it`, 'version'),
  changed: (key) => metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${key}" was changed by someone else; read it again`, 'version'),
};

/** All SQL of the metrics domain: definitions, and the aggregation of exposures and daily summaries. */
export class MetricStore extends VersionedStore<Metric> {
  constructor(manager: EntityManager) {
    super(manager, { target: Metric, refusals: metricRefusals });
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

  /**
   * Sufficient statistics per arm (and per arm and tier), from a few statements run side by side on
   * separate connections: raw events never leave the database.
   */
  async aggregate(request: AggregationRequest): Promise<GroupAggregate[]> {
    if (request.metrics.length === 0) return [];
    // Every event tracked so far counts: what ingestion logged since the last fold is folded in first.
    await foldMetricValues(this.manager);
    // Side by side, each on its own connection and core. PostgreSQL's own parallel workers would
    // only compete with the other statements for the same cores, and compiling these expressions
    // (JIT) costs more than it saves. SET LOCAL lasts for the statement's own transaction only.
    const results = await Promise.all(
      aggregationStatements(request).map(({ text, parameters }) =>
        this.manager.transaction(async (manager): Promise<Record<string, string | number | boolean | null>[]> => {
          await manager.query('SET LOCAL max_parallel_workers_per_gather = 0');
          await manager.query('SET LOCAL jit = off');
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
