import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MetricKind, ValueSource } from './metric.model';

export { MetricKind, ValueSource };

registerEnumType(MetricKind, {
  name: 'MetricKind',
  description:
    'CONVERSION: share of users with one of `eventTypes` within `windowDays` of first exposure. ' +
    'RETENTION: share of users active (any of `eventTypes`, or any event when empty) on day `retentionDay` after first exposure. ' +
    'MEAN: sum of `eventTypes` values per user within `windowDays`, optionally capped. ' +
    'COUNT: number of `eventTypes` events per user within `windowDays`, optionally capped. ' +
    'RATIO: the sum over users of one per-user quantity (`eventTypes`, `numeratorSource`) over another (`denominatorEventTypes`, `denominatorSource`), within `windowDays`. ' +
    'GENUINE_ACTIVITY: share of users who, within `windowDays`, paid more than 100 (`payment` values), or made 3 or more `post` events within some 7 consecutive days, or 10 or more `comment` and `like` events together. ' +
    'HOLLOW_ACTIVITY: share of users active (any event) on some day of `windowDays` but meeting none of those conditions. Both leave `eventTypes` empty: the rule names its events.',
});

registerEnumType(ValueSource, { name: 'ValueSource' });

@ObjectType({ description: 'How a per-user quantity is measured from exposures and events; experiments name metrics by key.' })
@Entity('metrics')
@Check('metrics_kind_check', `"kind" IN ('CONVERSION', 'RETENTION', 'MEAN', 'COUNT', 'RATIO', 'GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY')`)
export class Metric {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Unique slug, e.g. `d7_retention`.' })
  @Index('metrics_key_key', { unique: true })
  @Column('text')
  key!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field(() => MetricKind)
  @Column('text')
  kind!: MetricKind;

  @Field(() => [String], { description: 'The events measured (RATIO: the numerator’s). For RETENTION, empty means any event.' })
  @Column('text', { name: 'event_types', array: true, default: () => "'{}'" })
  eventTypes!: string[];

  @Field(() => Int, { nullable: true, description: 'CONVERSION, MEAN, COUNT, RATIO: UTC days 0 to windowDays - 1, day 0 being the exposure day.' })
  @Column('int', { name: 'window_days', nullable: true })
  windowDays!: number | null;

  @Field(() => Int, { nullable: true, description: 'RETENTION: the day after first exposure (UTC days, day 0 the exposure day).' })
  @Column('int', { name: 'retention_day', nullable: true })
  retentionDay!: number | null;

  @Field(() => ValueSource, { nullable: true, description: 'RATIO: what the numerator sums.' })
  @Column('text', { name: 'numerator_source', nullable: true })
  numeratorSource!: ValueSource | null;

  @Field(() => [String], { nullable: true, description: 'RATIO: the denominator’s events.' })
  @Column('text', { name: 'denominator_event_types', array: true, nullable: true })
  denominatorEventTypes!: string[] | null;

  @Field(() => ValueSource, { nullable: true, description: 'RATIO: what the denominator sums.' })
  @Column('text', { name: 'denominator_source', nullable: true })
  denominatorSource!: ValueSource | null;

  @Field(() => Float, { nullable: true, description: 'MEAN, COUNT: per-user values above this are counted as this.' })
  @Column('double precision', { name: 'cap_value', nullable: true })
  capValue!: number | null;

  @Field(() => Float, { nullable: true, description: 'MEAN, COUNT: per-user values above this percentile (0 to 1, over all exposed users of the experiment) are counted as the percentile.' })
  @Column('double precision', { name: 'cap_percentile', nullable: true })
  capPercentile!: number | null;

  @Field({ description: 'False for metrics where a rise is harm, such as complaints or costs.' })
  @Column('boolean', { name: 'higher_is_better', default: true })
  higherIsBetter!: boolean;

  @Field(() => Float, { nullable: true, description: 'As a guardrail: a treatment arm below this value puts the experiment at risk.' })
  @Column('double precision', { name: 'alert_below', nullable: true })
  alertBelow!: number | null;

  @Field(() => Float, { nullable: true, description: 'As a guardrail: a treatment arm above this value puts the experiment at risk.' })
  @Column('double precision', { name: 'alert_above', nullable: true })
  alertAbove!: number | null;

  @Field(() => Float, { nullable: true, description: 'As a guardrail: a treatment arm this far below control (its absolute lift below minus this, in the metric\'s unit, e.g. 5 NPS points) puts the experiment at risk.' })
  @Column('double precision', { name: 'alert_drop_below_control', nullable: true })
  alertDropBelowControl!: number | null;

  @Field(() => Int, { description: 'Bumped by every change; pass it back to change the metric.' })
  @Column('int', { default: 1 })
  version!: number;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;

  @Field()
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3, default: () => 'now()' })
  updatedAt!: Date;
}
