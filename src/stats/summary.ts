import { studentTQuantile, studentTTwoSidedPValue } from './distributions';
import { assertFinite, Interval } from './validation';

/**
 * Per-arm sufficient statistics of a metric over its users: count, Σy and Σy². A conversion
 * metric is a mean of 0/1 values, so for it sum = sumSquares = successes.
 */
export interface ArmSummary {
  n: number;
  sum: number;
  sumSquares: number;
}

/** Mean and sample variance (denominator n - 1) of one arm. */
export interface MeanSummary {
  n: number;
  mean: number;
  variance: number;
}

/** What every two-arm comparison reports; differences are always treatment - control. */
export interface EffectEstimate {
  /** Control arm's mean (its conversion rate for a proportion). */
  controlMean: number;
  treatmentMean: number;
  /** treatmentMean - controlMean. */
  difference: number;
  differenceInterval: Interval;
  /** Two-sided p-value for "no difference". */
  pValue: number;
  /** treatmentMean / controlMean - 1; null when the control mean is 0 and the ratio is undefined. */
  relativeLift: number | null;
  /** Delta-method interval for the lift, at the same level as differenceInterval; null with relativeLift. */
  relativeLiftInterval: Interval | null;
  /**
   * Two-sided p-value of "no relative lift" (lift / its delta-method SE against Student t with
   * Welch's df), for display beside the lift; decisions use `pValue`. Absent where not computed.
   */
  relativeLiftPValue?: number | null;
}

/**
 * Mean and sample variance from sums. The one-pass formula can lose digits to cancellation when
 * the mean is large against the spread; a slightly negative result is rounding, so it becomes 0.
 */
export function meanSummaryOf(arm: ArmSummary, label = 'arm'): MeanSummary {
  if (!Number.isInteger(arm.n) || arm.n < 2) {
    throw new RangeError(`${label}.n must be an integer of at least 2, got ${arm.n}`);
  }
  assertFinite(`${label}.sum`, arm.sum);
  assertFinite(`${label}.sumSquares`, arm.sumSquares);
  const mean = arm.sum / arm.n;
  const variance = Math.max(0, (arm.sumSquares - arm.sum * mean) / (arm.n - 1));
  return { n: arm.n, mean, variance };
}

/**
 * Relative lift treatment / control - 1 and its interval by the delta method:
 * Var(t/c) ~= Var(t)/c^2 + t^2 Var(c)/c^4, where Var(.) are the variances of the two means.
 * `criticalValue` sets the level (a normal quantile, or a sequential boundary multiplier).
 */
export function relativeLiftWithInterval(
  controlMean: number,
  controlMeanVariance: number,
  treatmentMean: number,
  treatmentMeanVariance: number,
  criticalValue: number,
): Pick<EffectEstimate, 'relativeLift' | 'relativeLiftInterval'> {
  if (controlMean === 0) return { relativeLift: null, relativeLiftInterval: null };
  const relativeLift = treatmentMean / controlMean - 1;
  const standardError = Math.sqrt(
    treatmentMeanVariance / controlMean ** 2 +
      (treatmentMean ** 2 * controlMeanVariance) / controlMean ** 4,
  );
  return {
    relativeLift,
    relativeLiftInterval: {
      lower: relativeLift - criticalValue * standardError,
      upper: relativeLift + criticalValue * standardError,
    },
  };
}

/**
 * The relative lift as GrowthBook's gbstats reports it, so figures compare across tools: the
 * delta-method variance of treatment / control (as relativeLiftWithInterval), with Student t
 * quantiles and p-value at the Welch-Satterthwaite degrees of freedom of the two means,
 * df = (v_c + v_t)^2 / (v_c^2 / (n_c - 1) + v_t^2 / (n_t - 1)), v the variance of each mean.
 */
export function relativeLiftWithWelchT(
  control: { mean: number; meanVariance: number; n: number },
  treatment: { mean: number; meanVariance: number; n: number },
  alpha: number,
): Pick<EffectEstimate, 'relativeLift' | 'relativeLiftInterval' | 'relativeLiftPValue'> {
  if (control.mean === 0) return { relativeLift: null, relativeLiftInterval: null, relativeLiftPValue: null };
  const relativeLift = treatment.mean / control.mean - 1;
  // Welch's df needs n - 1 > 0 in both arms.
  if (control.n < 2 || treatment.n < 2) return { relativeLift, relativeLiftInterval: null, relativeLiftPValue: null };
  const standardError = Math.sqrt(
    treatment.meanVariance / control.mean ** 2 + (treatment.mean ** 2 * control.meanVariance) / control.mean ** 4,
  );
  const dfDenominator = control.meanVariance ** 2 / (control.n - 1) + treatment.meanVariance ** 2 / (treatment.n - 1);
  if (standardError === 0 || !(dfDenominator > 0)) {
    // No spread in either arm: nothing to test; the lift is shown without uncertainty.
    return { relativeLift, relativeLiftInterval: { lower: relativeLift, upper: relativeLift }, relativeLiftPValue: null };
  }
  const degreesOfFreedom = (control.meanVariance + treatment.meanVariance) ** 2 / dfDenominator;
  const halfWidth = studentTQuantile(1 - alpha / 2, degreesOfFreedom) * standardError;
  return {
    relativeLift,
    relativeLiftInterval: { lower: relativeLift - halfWidth, upper: relativeLift + halfWidth },
    relativeLiftPValue: studentTTwoSidedPValue(relativeLift / standardError, degreesOfFreedom),
  };
}
