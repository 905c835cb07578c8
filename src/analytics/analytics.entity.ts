import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ACTIVE_DAY_BITS } from './metric-values';

/** The first time a user was resolved into a variant of an experiment's phase: exactly one row. */
@Entity('exposures')
@Index('exposures_experiment_variant_idx', ['experimentKey', 'phase', 'variantKey'])
// A user's exposures, for ingestion to keep their metric values current (src/analytics/metric-values.ts).
@Index('exposures_user_idx', ['userId'])
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

  /**
   * The days relative to the exposure's UTC day the user was active on, day -14 (bit 0) to day 365:
   * retention over any event and its pre-period are read from here (src/analytics/metric-values.ts).
   */
  @Column({ type: 'bit', name: 'active_days', length: ACTIVE_DAY_BITS, default: () => `'${'0'.repeat(ACTIVE_DAY_BITS)}'` })
  activeDays!: string;
}

/**
 * A user seen in a variant of an experiment's phase other than the one their exposure holds (the
 * first, which the analysis keeps them in): the sightings that the exposure's key would otherwise
 * drop. Two writers: an exposure logged for a user already exposed to another variant, and
 * trackExposures' reports that it refuses as exposures because the SDK's configuration is stale (an
 * older phase, or another variant than the user is bucketed into; `phase` is then the one the SDK
 * named). Results count the exposed users with a row here (multipleVariantUsers). The key
 * leads with the experiment: one experiment's rows are one index range, and few.
 */
@Entity('other_variant_exposures')
export class OtherVariantExposure {
  @PrimaryColumn('text', { name: 'experiment_key' })
  experimentKey!: string;

  @PrimaryColumn('int')
  phase!: number;

  @PrimaryColumn('text', { name: 'user_id' })
  userId!: string;

  @PrimaryColumn('text', { name: 'variant_key' })
  variantKey!: string;

  /** The latest time the user was seen in the variant: a report from an older phase counts for the current phase when it is after that phase started. */
  @Column('timestamp with time zone', { name: 'last_exposed_at', precision: 3 })
  lastExposedAt!: Date;
}

/**
 * Per user, per UTC day and per event type: how many events and the sum of their values. Kept
 * current by ingestion (in the same statement as the events), so that behavioural facts and
 * metrics read these instead of scanning raw events. The key leads with the user: one indexed
 * range read gives a user's recent behaviour.
 */
@Entity('user_event_days')
export class UserEventDay {
  @PrimaryColumn('text', { name: 'user_id' })
  userId!: string;

  @PrimaryColumn('date')
  day!: string;

  @PrimaryColumn('text', { name: 'event_type' })
  eventType!: string;

  @Column('int', { name: 'event_count' })
  eventCount!: number;

  @Column('double precision', { name: 'value_sum' })
  valueSum!: number;
}

/** Per user: the first and the latest event ever seen, kept current by ingestion. */
@Entity('user_activity')
export class UserActivity {
  @PrimaryColumn('text', { name: 'user_id' })
  userId!: string;

  @Column('timestamp with time zone', { name: 'first_active_at', precision: 3 })
  firstActiveAt!: Date;

  @Column('timestamp with time zone', { name: 'last_active_at', precision: 3 })
  lastActiveAt!: Date;
}
