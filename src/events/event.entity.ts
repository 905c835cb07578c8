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
