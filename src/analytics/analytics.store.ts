import type { EntityManager } from 'typeorm';
import { activeDayBit, exposureDayOf, foldMetricValues, INSERT_EXPOSURES, lockMetricValues, LOG_DELTAS, recordOtherVariantsSql } from './metric-values';
import { aggregationStatements } from './aggregation.sql';
import type { AggregationRequest, EventRow, ExposureRow, ExposureDay, GroupAggregate } from './analytics.model';
import { TIMELINE_DAYS } from './analytics.model';

/** New events, and what they add to the per-user daily summaries and to the metric-values log. */
const INSERT_EVENTS = `WITH inserted AS (
    INSERT INTO events (id, user_id, type, value, properties, occurred_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::jsonb[], $6::timestamptz[])
    ON CONFLICT (id) DO NOTHING
    RETURNING user_id, type, value, occurred_at
  ), deltas AS (
    SELECT user_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, type AS event_type, count(*)::int AS event_count, coalesce(sum(value), 0) AS value_sum
    FROM inserted GROUP BY 1, 2, 3
  ), days AS (
    INSERT INTO user_event_days AS d (user_id, day, event_type, event_count, value_sum)
    SELECT * FROM deltas ORDER BY 1, 2, 3
    ON CONFLICT (user_id, day, event_type)
    DO UPDATE SET event_count = d.event_count + excluded.event_count, value_sum = d.value_sum + excluded.value_sum
  ), logged AS (
    ${LOG_DELTAS}
  ), activity AS (
    INSERT INTO user_activity AS a (user_id, first_active_at, last_active_at)
    SELECT user_id, min(occurred_at), max(occurred_at) FROM inserted GROUP BY 1 ORDER BY 1
    ON CONFLICT (user_id)
    DO UPDATE SET first_active_at = least(a.first_active_at, excluded.first_active_at), last_active_at = greatest(a.last_active_at, excluded.last_active_at)
  )
  SELECT count(*)::int AS inserted FROM inserted`;

const RECORD_OTHER_VARIANTS = recordOtherVariantsSql(
  '(SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS u(experiment_key, phase, user_id, variant_key, exposed_at))',
);

const COUNT_EXISTING_EXPOSURES = `SELECT count(*)::int AS existing
  FROM unnest($1::text[], $2::int[], $3::text[]) AS u(experiment_key, phase, user_id)
  JOIN exposures e ON e.experiment_key = u.experiment_key AND e.phase = u.phase AND e.user_id = u.user_id`;

/**
 * The analytics pipeline's one store: events and exposures in (validated rows, as arrays through
 * unnest(): one statement and one round trip per batch, ON CONFLICT DO NOTHING makes retries and
 * repeats harmless), sufficient statistics out. The derived tables it keeps (daily summaries,
 * active days, per-exposure metric values, the log and its fold) are described in metric-values.ts.
 */
export class AnalyticsStore {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Returns how many were new. Only new events reach the per-user summaries, in the same statement,
   * so that a retried batch counts once: the daily summaries, the user's first and latest activity,
   * and the log that folding applies to the users' exposures (metric-values.ts).
   * Summary rows are written in key order, so that concurrent batches for the same users wait for
   * each other instead of deadlocking. Days are UTC days.
   */
  async insertEvents(events: EventRow[]): Promise<number> {
    if (events.length === 0) return 0;
    const parameters = [
      events.map((e) => e.id),
      events.map((e) => e.userId),
      events.map((e) => e.type),
      events.map((e) => e.value),
      events.map((e) => (e.properties === null ? null : JSON.stringify(e.properties))),
      events.map((e) => e.occurredAt.toISOString()),
    ];
    const [{ inserted }]: { inserted: number }[] = await this.manager.query(INSERT_EVENTS, parameters);
    return inserted;
  }

  /** A new exposure's active days and metric values come from the summaries already there: its pre-period, and any day since that was already tracked. */
  async insertExposures(exposures: ExposureRow[]): Promise<void> {
    if (exposures.length === 0) return;
    const parameters = [
      exposures.map((e) => e.experimentKey),
      exposures.map((e) => e.phase),
      exposures.map((e) => e.userId),
      exposures.map((e) => e.variantKey),
      exposures.map((e) => e.tier),
      exposures.map((e) => e.exposedAt.toISOString()),
    ];
    await this.manager.transaction(async (manager) => {
      await lockMetricValues(manager);
      await manager.query(INSERT_EXPOSURES, parameters);
    });
  }

  /**
   * insertExposures, returning how many were new (trackExposures reports it). Counted under the
   * same lock as every exposure write, so the count is exact; rows must not repeat a key.
   * `seenInOtherVariants` are reports refused as exposures that still show the user saw a variant
   * (a stale configuration's): kept in other_variant_exposures, in the same transaction.
   */
  async insertNewExposures(exposures: ExposureRow[], seenInOtherVariants: ExposureRow[] = []): Promise<number> {
    if (exposures.length === 0 && seenInOtherVariants.length === 0) return 0;
    return this.manager.transaction(async (manager) => {
      await lockMetricValues(manager);
      if (seenInOtherVariants.length > 0) {
        await manager.query(RECORD_OTHER_VARIANTS, [
          seenInOtherVariants.map((e) => e.experimentKey),
          seenInOtherVariants.map((e) => e.phase),
          seenInOtherVariants.map((e) => e.userId),
          seenInOtherVariants.map((e) => e.variantKey),
          seenInOtherVariants.map((e) => e.exposedAt.toISOString()),
        ]);
      }
      if (exposures.length === 0) return 0;
      const [{ existing }]: { existing: number }[] = await manager.query(COUNT_EXISTING_EXPOSURES, [
        exposures.map((e) => e.experimentKey),
        exposures.map((e) => e.phase),
        exposures.map((e) => e.userId),
      ]);
      await new AnalyticsStore(manager).insertExposures(exposures);
      return exposures.length - existing;
    });
  }

  /**
   * Sufficient statistics per arm (and per arm and tier), from a few statements run side by side on
   * separate connections: raw events never leave the database.
   */
  async sufficientStatistics(request: AggregationRequest): Promise<GroupAggregate[]> {
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
        multipleVariantUsers: num(r.multiple_variant_users),
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

  /**
   * Per arm and exposure day: how many users were exposed, and how many of them were active on each
   * of days 0 to TIMELINE_DAYS after exposure. One scan of the phase's exposures, reading the same
   * active-day bits as retention metrics; the retention curve and exposures per day follow from it.
   */
  async exposureDays(experimentKey: string, phase: number): Promise<ExposureDay[]> {
    await foldMetricValues(this.manager);
    const days = Array.from({ length: TIMELINE_DAYS + 1 }, (_, day) => day);
    const rows: Record<string, string | number>[] = await this.manager.query(
      `SELECT x.variant_key, to_char(${exposureDayOf('x.exposed_at')}, 'YYYY-MM-DD') AS day0, count(*)::int AS users,
              ${days.map((day) => `sum(get_bit(x.active_days, ${activeDayBit(day)}))::int AS a${day}`).join(', ')}
       FROM exposures x WHERE x.experiment_key = $1 AND x.phase = $2
       GROUP BY 1, 2 ORDER BY 2, 1`,
      [experimentKey, phase],
    );
    return rows.map((row) => ({
      variantKey: String(row.variant_key),
      exposureDay: String(row.day0),
      users: Number(row.users),
      activeOnDay: days.map((day) => Number(row[`a${day}`])),
    }));
  }
}
