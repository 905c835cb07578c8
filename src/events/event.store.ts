import type { EntityManager } from 'typeorm';

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

/**
 * All SQL of the events domain. Rows go in as arrays through unnest(): one statement and one
 * round trip per batch, and ON CONFLICT DO NOTHING makes retries and repeats harmless.
 */
export class EventStore {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Returns how many were new. Only new events reach the per-user summaries, in the same statement,
   * so that a retried batch counts once. Summary rows are written in key order, so that concurrent
   * batches for the same users wait for each other instead of deadlocking. Days are UTC days.
   */
  async insertEvents(events: EventRow[]): Promise<number> {
    if (events.length === 0) return 0;
    const [{ inserted }]: { inserted: number }[] = await this.manager.query(
      `WITH inserted AS (
         INSERT INTO events (id, user_id, type, value, properties, occurred_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::jsonb[], $6::timestamptz[])
         ON CONFLICT (id) DO NOTHING
         RETURNING user_id, type, value, occurred_at
       ), days AS (
         INSERT INTO user_event_days AS d (user_id, day, event_type, event_count, value_sum)
         SELECT user_id, (occurred_at AT TIME ZONE 'UTC')::date, type, count(*), coalesce(sum(value), 0)
         FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (user_id, day, event_type)
         DO UPDATE SET event_count = d.event_count + excluded.event_count, value_sum = d.value_sum + excluded.value_sum
       ), active_days AS (
         INSERT INTO user_active_days (user_id, day)
         SELECT DISTINCT user_id, (occurred_at AT TIME ZONE 'UTC')::date FROM inserted ORDER BY 1, 2
         ON CONFLICT DO NOTHING
       ), activity AS (
         INSERT INTO user_activity AS a (user_id, first_active_at, last_active_at)
         SELECT user_id, min(occurred_at), max(occurred_at) FROM inserted GROUP BY 1 ORDER BY 1
         ON CONFLICT (user_id)
         DO UPDATE SET first_active_at = least(a.first_active_at, excluded.first_active_at), last_active_at = greatest(a.last_active_at, excluded.last_active_at)
       )
       SELECT count(*)::int AS inserted FROM inserted`,
      [
        events.map((e) => e.id),
        events.map((e) => e.userId),
        events.map((e) => e.type),
        events.map((e) => e.value),
        events.map((e) => (e.properties === null ? null : JSON.stringify(e.properties))),
        events.map((e) => e.occurredAt.toISOString()),
      ],
    );
    return inserted;
  }

  async insertExposures(exposures: ExposureRow[]): Promise<void> {
    if (exposures.length === 0) return;
    await this.manager.query(
      `INSERT INTO exposures (experiment_key, phase, user_id, variant_key, tier, exposed_at)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        exposures.map((e) => e.experimentKey),
        exposures.map((e) => e.phase),
        exposures.map((e) => e.userId),
        exposures.map((e) => e.variantKey),
        exposures.map((e) => e.tier),
        exposures.map((e) => e.exposedAt.toISOString()),
      ],
    );
  }
}
