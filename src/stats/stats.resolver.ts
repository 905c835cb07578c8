import { Arg, Authorized, Float, Query, Resolver } from 'type-graphql';
import { Role } from '../auth/principal';
import { compareMeans } from './means';
import { compareProportions } from './proportions';
import { MeanArmInput, MinimumDetectableEffectInput, ProportionArmInput, SampleSizeInput } from './stats.inputs';
import { asInputError, meanSummaryOfInput, planMinimumDetectableEffect, planSampleSize } from './stats.rules';
import {
  MeanComparisonType,
  MinimumDetectableEffectType,
  ProportionComparisonType,
  SampleSizeType,
} from './stats.types';

/** Calculators on numbers the caller brings; they read no data. */
@Resolver()
export class StatsResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => ProportionComparisonType, { description: 'Two conversion rates, treatment - control.' })
  compareProportions(
    @Arg('control', () => ProportionArmInput) control: ProportionArmInput,
    @Arg('treatment', () => ProportionArmInput) treatment: ProportionArmInput,
    @Arg('alpha', () => Float, { defaultValue: 0.05 }) alpha: number,
  ): ProportionComparisonType {
    return asInputError(() => compareProportions(control, treatment, alpha));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => MeanComparisonType, { description: 'Two means from summary statistics, treatment - control.' })
  compareMeans(
    @Arg('control', () => MeanArmInput) control: MeanArmInput,
    @Arg('treatment', () => MeanArmInput) treatment: MeanArmInput,
    @Arg('alpha', () => Float, { defaultValue: 0.05 }) alpha: number,
  ): MeanComparisonType {
    const controlSummary = meanSummaryOfInput('control', control);
    const treatmentSummary = meanSummaryOfInput('treatment', treatment);
    return asInputError(() => compareMeans(controlSummary, treatmentSummary, alpha));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => SampleSizeType, { description: 'Users per variant for a two-sided test to detect an effect.' })
  sampleSize(@Arg('input', () => SampleSizeInput) input: SampleSizeInput): SampleSizeType {
    return planSampleSize(input);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => MinimumDetectableEffectType, { description: 'The smallest increase a test with this many users per variant detects.' })
  minimumDetectableEffect(
    @Arg('input', () => MinimumDetectableEffectInput) input: MinimumDetectableEffectInput,
  ): MinimumDetectableEffectType {
    return planMinimumDetectableEffect(input);
  }
}
