import { Field, Float, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { MetricKind, ValueSource } from './metric.entity';
import { MAX_EVENT_TYPES } from './metric.rules';
import { SLUG_PATTERN } from '../targeting/targeting.rules';

/** Every field optional: an update changes only what it names; `null` clears an optional field. Rules are checked on the result. */
@InputType()
export class UpdateMetricInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_EVENT_TYPES)
  eventTypes?: string[];

  @Field(() => Int, { nullable: true })
  windowDays?: number | null;

  @Field(() => Int, { nullable: true })
  retentionDay?: number | null;

  @Field(() => ValueSource, { nullable: true })
  numeratorSource?: ValueSource | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_EVENT_TYPES)
  denominatorEventTypes?: string[] | null;

  @Field(() => ValueSource, { nullable: true })
  denominatorSource?: ValueSource | null;

  @Field(() => Float, { nullable: true })
  capValue?: number | null;

  @Field(() => Float, { nullable: true })
  capPercentile?: number | null;

  @Field({ nullable: true, description: 'Default true.' })
  higherIsBetter?: boolean;

  @Field(() => Float, { nullable: true })
  alertBelow?: number | null;

  @Field(() => Float, { nullable: true })
  alertAbove?: number | null;

  @Field(() => Float, { nullable: true })
  alertDropBelowControl?: number | null;
}

@InputType()
export class CreateMetricInput extends UpdateMetricInput {
  @Field({ description: 'Unique slug, e.g. `d14_checkin_rate`.' })
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: 'key must be a slug: lower-case letters and digits, joined by - or _' })
  key!: string;

  @Field()
  @Length(1, 200)
  declare name: string;

  @Field(() => MetricKind)
  kind!: MetricKind;
}
