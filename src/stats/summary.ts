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
