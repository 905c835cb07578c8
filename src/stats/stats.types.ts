import { Field, Float, Int, InterfaceType, ObjectType } from 'type-graphql';

@ObjectType('Interval')
export class IntervalType {
  @Field(() => Float)
  lower!: number;

  @Field(() => Float)
  upper!: number;
}

@InterfaceType('EffectEstimate', { description: 'What every two-arm comparison reports; differences are treatment - control.' })
export abstract class EffectEstimateType {
  @Field(() => Float, { description: 'The control’s mean (its rate for a conversion metric).' })
  controlMean!: number;

  @Field(() => Float)
  treatmentMean!: number;

  @Field(() => Float, { description: 'treatmentMean - controlMean.' })
  difference!: number;

  @Field(() => IntervalType, { description: 'At level 1 - alpha.' })
  differenceInterval!: IntervalType;

  @Field(() => Float, { description: 'Two-sided p-value for no difference.' })
  pValue!: number;

  @Field(() => Float, { nullable: true, description: 'treatmentMean / controlMean - 1; null when the control mean is 0.' })
  relativeLift!: number | null;

  @Field(() => IntervalType, { nullable: true, description: 'Delta-method interval for the lift, with Student t at Welch df (gbstats’ convention).' })
  relativeLiftInterval!: IntervalType | null;
}

@ObjectType('ProportionComparison', {
  implements: EffectEstimateType,
  description: 'As R’s prop.test(correct = FALSE): pooled z-test, unpooled Wald interval.',
})
export class ProportionComparisonType extends EffectEstimateType {
  @Field(() => Float, { description: 'Pooled z statistic; its square is prop.test’s X-squared.' })
  zStatistic!: number;
}

@ObjectType('MeanComparison', { implements: EffectEstimateType, description: 'Welch’s t-test, as R’s t.test(treatment, control).' })
export class MeanComparisonType extends EffectEstimateType {
  @Field(() => Float)
  tStatistic!: number;

  @Field(() => Float, { description: 'Welch-Satterthwaite, fractional.' })
  degreesOfFreedom!: number;
}

@ObjectType('SampleSize')
export class SampleSizeType {
  @Field(() => Int, { description: 'Users needed in each variant, control included (rounded up).' })
  usersPerVariant!: number;

  @Field(() => Float, { description: 'The unrounded solution.' })
  exactUsersPerVariant!: number;

  @Field(() => Float, { description: 'The effect in the metric’s units.' })
  absoluteEffect!: number;

  @Field(() => Float, { nullable: true, description: 'The effect as a fraction of the baseline; null without a baseline.' })
  relativeEffect!: number | null;
}

@ObjectType('MinimumDetectableEffect')
export class MinimumDetectableEffectType {
  @Field(() => Float, { description: 'The smallest increase detectable, in the metric’s units.' })
  absoluteEffect!: number;

  @Field(() => Float, { nullable: true, description: 'As a fraction of the baseline; null without a baseline.' })
  relativeEffect!: number | null;
}
