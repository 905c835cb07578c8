import { studentTQuantile, studentTTwoSidedPValue } from './distributions';
import { EffectEstimate, MeanSummary, relativeLiftWithWelchT } from './summary';
import { assertFinite, assertAlpha } from './validation';

export type { MeanSummary } from './summary';

export interface MeanComparison extends EffectEstimate {
  /** Welch t statistic of treatment - control. */
  tStatistic: number;
  /** Welch-Satterthwaite degrees of freedom (fractional). */
  degreesOfFreedom: number;
}

export function assertMeanSummary(label: string, summary: MeanSummary): void {
  if (!Number.isInteger(summary.n) || summary.n < 2) {
    throw new RangeError(`${label}.n must be an integer of at least 2, got ${summary.n}`);
  }
  assertFinite(`${label}.mean`, summary.mean);
  assertFinite(`${label}.variance`, summary.variance);
  if (summary.variance < 0) {
    throw new RangeError(`${label}.variance cannot be negative, got ${summary.variance}`);
  }
}

/**
 * Welch's two-sample t-test and interval for treatment - control: R's
 * t.test(x = treatment, y = control, var.equal = FALSE). The relative lift's interval is the
 * delta method with Student t at Welch's df (gbstats' convention), as for proportions.
 */
export function compareMeans(
  control: MeanSummary,
  treatment: MeanSummary,
  alpha = 0.05,
): MeanComparison {
  assertMeanSummary('control', control);
  assertMeanSummary('treatment', treatment);
  assertAlpha(alpha);

  const controlSquaredError = control.variance / control.n;
  const treatmentSquaredError = treatment.variance / treatment.n;
  const standardError = Math.sqrt(controlSquaredError + treatmentSquaredError);
  if (standardError === 0) {
    // Same refusal as R ("data are essentially constant"): t and df would be undefined.
    throw new RangeError('both samples have zero variance, so the t-test is undefined');
  }

  const degreesOfFreedom =
    (controlSquaredError + treatmentSquaredError) ** 2 /
    (controlSquaredError ** 2 / (control.n - 1) + treatmentSquaredError ** 2 / (treatment.n - 1));
  const difference = treatment.mean - control.mean;
  const tStatistic = difference / standardError;
  const halfWidth = studentTQuantile(1 - alpha / 2, degreesOfFreedom) * standardError;

  return {
    controlMean: control.mean,
    treatmentMean: treatment.mean,
    difference,
    differenceInterval: { lower: difference - halfWidth, upper: difference + halfWidth },
    pValue: studentTTwoSidedPValue(tStatistic, degreesOfFreedom),
    ...relativeLiftWithWelchT(
      { mean: control.mean, meanVariance: controlSquaredError, n: control.n },
      { mean: treatment.mean, meanVariance: treatmentSquaredError, n: treatment.n },
      alpha,
    ),
    tStatistic,
    degreesOfFreedom,
  };
}
