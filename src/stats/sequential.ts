import { assertMeanSummary } from './means';
import { assertProportionSample, ProportionSample } from './proportions';
import { EffectEstimate, MeanSummary, relativeLiftWithInterval } from './summary';
import { assertFinite, assertAlpha } from './validation';
import { P_VALUE_FLOOR } from './distributions';

/**
 * Peeking-safe analysis: the mixture sequential probability ratio test (mSPRT) with a normal
 * mixture N(0, tau^2) over the true difference, as in Johari, Koomen, Pekelis and Walsh (2017),
 * "Peeking at A/B tests". With the variance estimated from the data (plugged in), the same
 * boundary is the asymptotic confidence sequence of Waudby-Smith et al. (2023), whose theory is
 * what makes the plug-in valid; so this is both, in one formula.
 */

/** Total users at which the default mixing variance makes the confidence sequence tightest. */
export const DEFAULT_PLANNED_SAMPLE_SIZE = 10_000;

export interface SequentialOptions {
  alpha?: number;
  /**
   * tau^2, in squared units of the difference. Any fixed value keeps the guarantee; it only
   * decides at what sample size the test is most sensitive. Overrides plannedSampleSize.
   */
  mixingVariance?: number;
  /**
   * Total users across both arms where the interval should be narrowest (e.g. the sample-size
   * calculator's answer times two); sets tau^2 = V c(alpha) / N*, V the per-user variance of the
   * contrast and c(alpha) = -2 ln(alpha) + ln(1 - 2 ln(alpha)) (Waudby-Smith et al., eq. for the
   * optimal rho at a target time). Default DEFAULT_PLANNED_SAMPLE_SIZE.
   */
  plannedSampleSize?: number;
}

export interface SequentialComparison extends EffectEstimate {
  /**
   * Always-valid p-value min(1, 1/likelihoodRatio): looking at it after every batch of users
   * and stopping the first time it is below alpha keeps the false positive rate at most alpha.
   * It is valid at each look on its own; keeping the smallest value seen is also valid.
   */
  pValue: number;
  /** Confidence sequence: covers the true difference at every look simultaneously with 1 - alpha. */
  differenceInterval: EffectEstimate['differenceInterval'];
  /** The normal-mixture likelihood ratio Lambda of "difference = 0". */
  likelihoodRatio: number;
  /** The tau^2 used. */
  mixingVariance: number;
}

export interface AlwaysValidInput {
  /** Estimated difference, treatment - control. */
  difference: number;
  /** Variance of that estimate (e.g. s_c^2/n_c + s_t^2/n_t). */
  variance: number;
  mixingVariance: number;
  alpha?: number;
}

export interface AlwaysValidResult {
  likelihoodRatio: number;
  pValue: number;
  /** Half width of the confidence sequence around the difference. */
  halfWidth: number;
}

/**
 * For an estimate D ~ N(theta, v): Lambda = sqrt(v / (v + tau^2)) exp(tau^2 D^2 / (2 v (v + tau^2))),
 * which with n users per arm and v = V / n is Johari et al.'s
 * sqrt(V / (V + n tau^2)) exp(n^2 tau^2 D^2 / (2 V (V + n tau^2))). Lambda >= 1/alpha exactly when
 * D^2 >= v (v + tau^2) / tau^2 (ln((v + tau^2) / v) - 2 ln alpha), which gives the sequence.
 */
export function alwaysValidTest({
  difference,
  variance,
  mixingVariance,
  alpha = 0.05,
}: AlwaysValidInput): AlwaysValidResult {
  assertFinite('difference', difference);
  assertAlpha(alpha);
  if (!(variance > 0) || !Number.isFinite(variance)) {
    throw new RangeError(`variance must be a positive number, got ${variance}`);
  }
  if (!(mixingVariance > 0) || !Number.isFinite(mixingVariance)) {
    throw new RangeError(`mixingVariance must be a positive number, got ${mixingVariance}`);
  }
  const total = variance + mixingVariance;
  // In logarithms: the exponent can be large enough to overflow before the square root shrinks it.
  const logLikelihoodRatio =
    0.5 * Math.log(variance / total) +
    (mixingVariance * difference * difference) / (2 * variance * total);
  const likelihoodRatio = Math.exp(logLikelihoodRatio);
  return {
    likelihoodRatio,
    pValue: Math.min(1, Math.max(P_VALUE_FLOOR, Math.exp(-logLikelihoodRatio))),
    halfWidth: Math.sqrt(
      ((variance * total) / mixingVariance) * (Math.log(total / variance) - 2 * Math.log(alpha)),
    ),
  };
}

/** c(alpha) of SequentialOptions.plannedSampleSize. */
function optimalWidthConstant(alpha: number): number {
  return -2 * Math.log(alpha) + Math.log(1 - 2 * Math.log(alpha));
}

/**
 * tau^2 = V c(alpha) / N*: the mixing variance that makes the confidence sequence narrowest when
 * the estimate's variance is V / N* (V per user, N* the planned users of the estimate).
 */
export function tunedMixingVariance(perUserVariance: number, plannedUsers: number, alpha = 0.05): number {
  if (!Number.isFinite(plannedUsers) || plannedUsers < 1) throw new RangeError(`plannedUsers must be at least 1, got ${plannedUsers}`);
  return (perUserVariance * optimalWidthConstant(alpha)) / plannedUsers;
}

function resolveMixingVariance(
  options: SequentialOptions,
  alpha: number,
  differenceVariance: number,
  totalUsers: number,
): number {
  if (options.mixingVariance !== undefined) return options.mixingVariance;
  const planned = options.plannedSampleSize ?? DEFAULT_PLANNED_SAMPLE_SIZE;
  if (!Number.isFinite(planned) || planned < 2) {
    throw new RangeError(`plannedSampleSize must be at least 2, got ${planned}`);
  }
  // V = N v is the per-user variance of the contrast: constant as users arrive at fixed weights.
  const perUserVariance = totalUsers * differenceVariance;
  return (perUserVariance * optimalWidthConstant(alpha)) / planned;
}

function sequentialEstimate(
  controlMean: number,
  controlMeanVariance: number,
  treatmentMean: number,
  treatmentMeanVariance: number,
  totalUsers: number,
  options: SequentialOptions,
): SequentialComparison {
  const alpha = options.alpha ?? 0.05;
  assertAlpha(alpha);
  const difference = treatmentMean - controlMean;
  const variance = controlMeanVariance + treatmentMeanVariance;
  const mixingVariance = resolveMixingVariance(options, alpha, variance, totalUsers);
  const test = alwaysValidTest({ difference, variance, mixingVariance, alpha });
  return {
    controlMean,
    treatmentMean,
    difference,
    differenceInterval: { lower: difference - test.halfWidth, upper: difference + test.halfWidth },
    pValue: test.pValue,
    // The lift is asymptotically a linear function of the two means, so the delta method with
    // the same boundary multiplier gives its confidence sequence.
    ...relativeLiftWithInterval(
      controlMean,
      controlMeanVariance,
      treatmentMean,
      treatmentMeanVariance,
      test.halfWidth / Math.sqrt(variance),
    ),
    likelihoodRatio: test.likelihoodRatio,
    mixingVariance,
  };
}

/** Sequential comparison of two means (treatment - control) from each arm's n, mean and sample variance. */
export function sequentialCompareMeans(
  control: MeanSummary,
  treatment: MeanSummary,
  options: SequentialOptions = {},
): SequentialComparison {
  assertMeanSummary('control', control);
  assertMeanSummary('treatment', treatment);
  const controlMeanVariance = control.variance / control.n;
  const treatmentMeanVariance = treatment.variance / treatment.n;
  if (controlMeanVariance + treatmentMeanVariance === 0) {
    throw new RangeError('both samples have zero variance, so the test is undefined');
  }
  return sequentialEstimate(
    control.mean,
    controlMeanVariance,
    treatment.mean,
    treatmentMeanVariance,
    control.n + treatment.n,
    options,
  );
}

/**
 * Sequential comparison of two conversion rates (treatment - control), with the unpooled
 * variance p(1 - p)/n per arm as in compareProportions' interval.
 */
export function sequentialCompareProportions(
  control: ProportionSample,
  treatment: ProportionSample,
  options: SequentialOptions = {},
): SequentialComparison {
  assertProportionSample('control', control);
  assertProportionSample('treatment', treatment);
  const controlRate = control.successes / control.trials;
  const treatmentRate = treatment.successes / treatment.trials;
  const controlMeanVariance = (controlRate * (1 - controlRate)) / control.trials;
  const treatmentMeanVariance = (treatmentRate * (1 - treatmentRate)) / treatment.trials;
  if (controlMeanVariance + treatmentMeanVariance === 0) {
    // Each arm all converted or all not (e.g. the first minutes): no variance to estimate from yet,
    // so no evidence either way.
    const alpha = options.alpha ?? 0.05;
    assertAlpha(alpha);
    return {
      controlMean: controlRate,
      treatmentMean: treatmentRate,
      difference: treatmentRate - controlRate,
      differenceInterval: { lower: -1, upper: 1 },
      pValue: 1,
      relativeLift: null,
      relativeLiftInterval: null,
      likelihoodRatio: 1,
      mixingVariance: options.mixingVariance ?? 0,
    };
  }
  const result = sequentialEstimate(
    controlRate,
    controlMeanVariance,
    treatmentRate,
    treatmentMeanVariance,
    control.trials + treatment.trials,
    options,
  );
  // Rates differ by at most 1 either way.
  return {
    ...result,
    differenceInterval: {
      lower: Math.max(-1, result.differenceInterval.lower),
      upper: Math.min(1, result.differenceInterval.upper),
    },
  };
}
