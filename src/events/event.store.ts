import type { EntityManager } from 'typeorm';
import { INSERT_EXPOSURES, lockMetricValues, LOG_DELTAS } from '../metrics/metric-values';

export interface EventRow {
  id: string;
  userId: string;
  type: string;
  value: number | null;
  properties: Record<string, unknown> | null;
  occurredAt: Date;
}

export interface ExposureRow {
  experimentKey: string;
  phase: number;
  userId: string;
  variantKey: string;
  tier: string | null;
  exposedAt: Date;
}

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

const COUNT_EXISTING_EXPOSURES = `SELECT count(*)::int AS existing
  FROM unnest($1::text[], $2::int[], $3::text[]) AS u(experiment_key, phase, user_id)
  JOIN exposures e ON e.experiment_key = u.experiment_key AND e.phase = u.phase AND e.user_id = u.user_id`;

/**
 * All SQL of the events domain. Rows go in as arrays through unnest(): one statement and one
 * round trip per batch, and ON CONFLICT DO NOTHING makes retries and repeats harmless.
 */
export class EventStore {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Returns how many were new. Only new events reach the per-user summaries, in the same statement,
   * so that a retried batch counts once: the daily summaries, the user's first and latest activity,
   * and the log that folding applies to the users' exposures (src/metrics/metric-values.ts).
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
   */
  async insertNewExposures(exposures: ExposureRow[]): Promise<number> {
    if (exposures.length === 0) return 0;
    return this.manager.transaction(async (manager) => {
      await lockMetricValues(manager);
      const [{ existing }]: { existing: number }[] = await manager.query(COUNT_EXISTING_EXPOSURES, [
        exposures.map((e) => e.experimentKey),
        exposures.map((e) => e.phase),
        exposures.map((e) => e.userId),
      ]);
      await new EventStore(manager).insertExposures(exposures);
      return exposures.length - existing;
    });
  }
}
