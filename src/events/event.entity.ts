import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What users did, as apps report it. Append-only; the client's id makes retries harmless. */
@Entity('events')
@Index('events_user_time_idx', ['userId', 'occurredAt'])
@Index('events_type_time_idx', ['type', 'occurredAt'])
export class TrackedEvent {
  @PrimaryColumn('text')
  id!: string;

  @Column('text', { name: 'user_id' })
  userId!: string;

  @Column('text')
  type!: string;

  @Column('double precision', { nullable: true })
  value!: number | null;

  @Column('jsonb', { nullable: true })
  properties!: Record<string, unknown> | null;

  @Column('timestamp with time zone', { name: 'occurred_at', precision: 3 })
  occurredAt!: Date;

  @Column('timestamp with time zone', { name: 'received_at', precision: 3, default: () => 'now()' })
  receivedAt!: Date;
}

/** The first time a user was resolved into a variant of an experiment's phase: exactly one row. */
@Entity('exposures')
@Index('exposures_experiment_variant_idx', ['experimentKey', 'phase', 'variantKey'])
export class Exposure {
  @PrimaryColumn('text', { name: 'experiment_key' })
  experimentKey!: string;

  @PrimaryColumn('int')
  phase!: number;

  @PrimaryColumn('text', { name: 'user_id' })
  userId!: string;

  @Column('text', { name: 'variant_key' })
  variantKey!: string;

  @Column('text', { nullable: true })
  tier!: string | null;

  @Column('timestamp with time zone', { name: 'exposed_at', precision: 3 })
  exposedAt!: Date;
}
