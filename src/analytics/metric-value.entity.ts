import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per exposure (experiment, phase, user) and metric: the user's sums for the metric relative to the
 * exposure's UTC day, kept current as described in metric-values.ts. The key leads with the
 * experiment and the metric: one metric's rows of one experiment are one index range.
 */
@Entity('exposure_metric_values')
export class ExposureMetricValue {
  @PrimaryColumn('text', { name: 'experiment_key' })
  experimentKey!: string;

  @PrimaryColumn('int')
  phase!: number;

  @PrimaryColumn('text', { name: 'metric_key' })
  metricKey!: string;

  @PrimaryColumn('text', { name: 'user_id' })
  userId!: string;

  /** The exposure's arm and tier, copied from it (an exposure never changes) so that results read no other table. */
  @Column('text', { name: 'variant_key' })
  variantKey!: string;

  @Column('text', { nullable: true })
  tier!: string | null;

  /** Day 0: the UTC day of the exposure. */
  @Column('date', { name: 'exposure_day' })
  exposureDay!: string;

  /** Over the metric's window or retention day: events (or their values, for MEAN and VALUE_SUM numerators). */
  @Column('double precision')
  y!: number;

  /** The same over the 14 days before exposure (not for RATIO). */
  @Column('double precision')
  x!: number;

  /** RATIO: the denominator over the window; 0 otherwise. */
  @Column('double precision')
  d!: number;
}
