import { MetricKind } from '../metrics/metric.model';
import { daysObserved, isProportion, PRE_PERIOD_DAYS } from '../metrics/metric.rules';
import { activeDayBit, exposureDayOf } from './metric-values';
import type { AggregationRequest, MetricDefinition } from './analytics.model';

/**
 * The aggregation SQL: sufficient statistics per arm (and tier) of an experiment's metrics, from the
 * exposures' active-day bits and from exposure_metric_values (src/analytics/metric-values.ts).
 * Builds statement texts only; AnalyticsStore runs them.
 */

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
  const isShare = isProportion(metric.kind);
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
 * Per arm: the exposed users also seen in another variant (other_variant_exposures) of this phase,
 * or of an older one after this phase started (an SDK still on the old configuration). Driven by
 * the experiment's sightings, each looking up its user's exposure by index: the phase's exposures
 * are never scanned. (A plain join let the planner hash all of them once sightings reach about 1%
 * of the users, 5.6 times slower on bench:results' data; LIMIT 1, there being one exposure per
 * user and phase, keeps the lookup per sighting.)
 */
function multipleVariantStatement(request: AggregationRequest): AggregationStatement {
  const sql = new AggregationSql(request);
  const phase = sql.param(request.phase, 'int');
  const startedAt = sql.param(request.phaseStartedAt?.toISOString() ?? null, 'timestamptz');
  return sql.grouped(['count(*) AS multiple_variant_users'], `(
      SELECT DISTINCT o.user_id, x.variant_key, x.tier FROM other_variant_exposures o
      CROSS JOIN LATERAL (
        SELECT e.variant_key, e.tier FROM exposures e WHERE e.experiment_key = o.experiment_key AND e.phase = ${phase} AND e.user_id = o.user_id LIMIT 1
      ) x
      WHERE o.experiment_key = ${sql.param(request.experimentKey, 'text')} AND (o.phase = ${phase} OR (o.phase < ${phase} AND o.last_exposed_at >= ${startedAt}))
        AND x.variant_key <> o.variant_key
    ) seen_in_other_variants`);
}

/**
 * The statements that together aggregate all metrics of an experiment: one over the exposures
 * (group sizes, n, and retention over any event from the active-day bits), then one per other
 * metric over its rows in exposure_metric_values (src/analytics/metric-values.ts), so that no
 * statement joins exposures to daily summaries, and one counting users seen in more than one
 * variant. Each returns rows per arm (and tier) with its own columns; `aggregate` puts them
 * together. Plain SQL: the same statements run on partitioned or distributed PostgreSQL.
 */
export function aggregationStatements(request: AggregationRequest): AggregationStatement[] {
  const others = request.metrics.flatMap((metric, i) => (isActiveDayRetention(metric) ? [] : [metricStatement(request, metric, i)]));
  return [exposedStatement(request), ...others, multipleVariantStatement(request)];
}
