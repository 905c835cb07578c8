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

  /** Returns how many were new. */
  async insertEvents(events: EventRow[]): Promise<number> {
    if (events.length === 0) return 0;
    const rows: unknown[] = await this.manager.query(
      `INSERT INTO events (id, user_id, type, value, properties, occurred_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::jsonb[], $6::timestamptz[])
       ON CONFLICT (id) DO NOTHING
       RETURNING 1`,
      [
        events.map((e) => e.id),
        events.map((e) => e.userId),
        events.map((e) => e.type),
        events.map((e) => e.value),
        events.map((e) => (e.properties === null ? null : JSON.stringify(e.properties))),
        events.map((e) => e.occurredAt.toISOString()),
      ],
    );
    return rows.length;
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
