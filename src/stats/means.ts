import { studentTQuantile, studentTTwoSidedPValue } from './distributions';
import { assertFinite, assertProbability, Interval } from './validation';

/** Sufficient statistics of one sample; variance is the sample variance (denominator n - 1). */
export interface MeanSummary {
  n: number;
  mean: number;
  variance: number;
}

export interface MeanComparison {
  /** mean of A minus mean of B, in the order of R's t.test(x = A, y = B). */
  difference: number;
  differenceInterval: Interval;
  tStatistic: number;
  /** Welch-Satterthwaite degrees of freedom (fractional). */
  degreesOfFreedom: number;
  pValue: number;
}

function assertMeanSummary(label: string, summary: MeanSummary): void {
  if (!Number.isInteger(summary.n) || summary.n < 2) {
    throw new RangeError(`${label}.n must be an integer of at least 2, got ${summary.n}`);
  }
  assertFinite(`${label}.mean`, summary.mean);
  assertFinite(`${label}.variance`, summary.variance);
  if (summary.variance < 0) {
    throw new RangeError(`${label}.variance cannot be negative, got ${summary.variance}`);
  }
}

/** Welch's two-sample t-test and interval, as R's t.test(x = A, y = B, var.equal = FALSE). */
export function compareMeans(
  summaryA: MeanSummary,
  summaryB: MeanSummary,
  alpha = 0.05,
): MeanComparison {
  assertMeanSummary('summaryA', summaryA);
  assertMeanSummary('summaryB', summaryB);
  assertProbability('alpha', alpha);

  const squaredErrorA = summaryA.variance / summaryA.n;
  const squaredErrorB = summaryB.variance / summaryB.n;
  const standardError = Math.sqrt(squaredErrorA + squaredErrorB);
  if (standardError === 0) {
    // Same refusal as R ("data are essentially constant"): t and df would be undefined.
    throw new RangeError('both samples have zero variance, so the t-test is undefined');
  }

  const degreesOfFreedom =
    (squaredErrorA + squaredErrorB) ** 2 /
    (squaredErrorA ** 2 / (summaryA.n - 1) + squaredErrorB ** 2 / (summaryB.n - 1));
  const difference = summaryA.mean - summaryB.mean;
  const tStatistic = difference / standardError;
  const halfWidth = studentTQuantile(1 - alpha / 2, degreesOfFreedom) * standardError;

  return {
    difference,
    differenceInterval: { lower: difference - halfWidth, upper: difference + halfWidth },
    tStatistic,
    degreesOfFreedom,
    pValue: studentTTwoSidedPValue(tStatistic, degreesOfFreedom),
  };
}
