import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';

export enum EffectScale {
  /** In the metric's units: 0.02 is two percentage points on a rate. */
  ABSOLUTE = 'ABSOLUTE',
  /** A fraction of the baseline: 0.05 is a 5% lift. */
  RELATIVE = 'RELATIVE',
}
registerEnumType(EffectScale, {
  name: 'EffectScale',
  valuesConfig: {
    ABSOLUTE: { description: 'In the metric’s units: 0.02 is two percentage points on a rate.' },
    RELATIVE: { description: 'A fraction of the baseline: 0.05 is a 5% lift.' },
  },
});

@InputType({ description: 'One arm of a conversion metric.' })
export class ProportionArmInput {
  @Field(() => Int, { description: 'Users in the arm.' })
  trials!: number;

  @Field(() => Int, { description: 'Users who converted.' })
  successes!: number;
}

@InputType({ description: 'One arm of a continuous metric, by its summary statistics.' })
export class MeanArmInput {
  @Field(() => Int, { description: 'Users in the arm (at least 2).' })
  n!: number;

  @Field(() => Float)
  mean!: number;

  @Field(() => Float, { description: 'Sample standard deviation (denominator n - 1).' })
  standardDeviation!: number;
}

@InputType({ description: 'Give baselineRate for a conversion metric, or standardDeviation for a continuous one.' })
export class SampleSizeInput {
  @Field(() => Float, { nullable: true, description: 'Conversion metrics: the control’s rate, in (0, 1).' })
  baselineRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Continuous metrics: the standard deviation per user.' })
  standardDeviation?: number | null;

  @Field(() => Float, { nullable: true, description: 'Continuous metrics: the control’s mean; needed for a RELATIVE effect.' })
  baselineMean?: number | null;

  @Field(() => Float, { description: 'The effect to detect, on effectScale; negative for a decrease.' })
  minimumDetectableEffect!: number;

  @Field(() => EffectScale)
  effectScale!: EffectScale;

  @Field(() => Float, { defaultValue: 0.05, description: 'Two-sided significance level.' })
  alpha!: number;

  @Field(() => Float, { defaultValue: 0.8 })
  power!: number;
}

@InputType({ description: 'Give baselineRate for a conversion metric, or standardDeviation for a continuous one.' })
export class MinimumDetectableEffectInput {
  @Field(() => Int)
  usersPerVariant!: number;

  @Field(() => Float, { nullable: true, description: 'Conversion metrics: the control’s rate, in (0, 1).' })
  baselineRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Continuous metrics: the standard deviation per user.' })
  standardDeviation?: number | null;

  @Field(() => Float, { nullable: true, description: 'Continuous metrics: the control’s mean, to report the relative effect.' })
  baselineMean?: number | null;

  @Field(() => Float, { defaultValue: 0.05, description: 'Two-sided significance level.' })
  alpha!: number;

  @Field(() => Float, { defaultValue: 0.8 })
  power!: number;
}
