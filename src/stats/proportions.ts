import { normalQuantile, normalTwoSidedPValue } from './distributions';
import { ArmSummary, EffectEstimate, relativeLiftWithWelchT } from './summary';
import { assertNonNegativeInteger, assertAlpha } from './validation';

export interface ProportionSample {
  successes: number;
  trials: number;
}

/** A conversion rate's comparison; controlMean and treatmentMean are the two rates. */
export interface ProportionComparison extends EffectEstimate {
  /** Pooled two-proportion z statistic of treatment - control; its square is prop.test's X-squared. */
  zStatistic: number;
}

/** Conversions as an arm summary: a mean of 0/1 values, so sum = sumSquares = successes. */
export function armSummaryOfProportion(sample: ProportionSample): ArmSummary {
  return { n: sample.trials, sum: sample.successes, sumSquares: sample.successes };
}

export function assertProportionSample(label: string, sample: ProportionSample): void {
  assertNonNegativeInteger(`${label}.successes`, sample.successes);
  assertNonNegativeInteger(`${label}.trials`, sample.trials);
  if (sample.trials === 0) {
    throw new RangeError(`${label}.trials must be at least 1`);
  }
  if (sample.successes > sample.trials) {
    throw new RangeError(
      `${label}.successes (${sample.successes}) cannot exceed ${label}.trials (${sample.trials})`,
    );
  }
}

/**
 * Compares two conversion rates as R's prop.test(c(control, treatment), correct = FALSE) does,
 * but reports treatment - control (R reports first group minus second).
 */
export function compareProportions(
  control: ProportionSample,
  treatment: ProportionSample,
  alpha = 0.05,
): ProportionComparison {
  assertProportionSample('control', control);
  assertProportionSample('treatment', treatment);
  assertAlpha(alpha);

  const controlRate = control.successes / control.trials;
  const treatmentRate = treatment.successes / treatment.trials;
  const difference = treatmentRate - controlRate;
  const criticalZ = normalQuantile(1 - alpha / 2);

  const controlVariance = (controlRate * (1 - controlRate)) / control.trials;
  const treatmentVariance = (treatmentRate * (1 - treatmentRate)) / treatment.trials;
  const unpooledStandardError = Math.sqrt(controlVariance + treatmentVariance);
  // R clamps the difference interval to the feasible range [-1, 1].
  const differenceInterval = {
    lower: Math.max(-1, difference - criticalZ * unpooledStandardError),
    upper: Math.min(1, difference + criticalZ * unpooledStandardError),
  };

  const pooledRate =
    (control.successes + treatment.successes) / (control.trials + treatment.trials);
  const pooledStandardError = Math.sqrt(
    pooledRate * (1 - pooledRate) * (1 / control.trials + 1 / treatment.trials),
  );
  // With every user converting (or none), both rates are equal and there is no evidence of a
  // difference; R would return NaN here, which is useless to report.
  const zStatistic = pooledStandardError === 0 ? 0 : difference / pooledStandardError;
  const pValue = normalTwoSidedPValue(zStatistic);

  return {
    controlMean: controlRate,
    treatmentMean: treatmentRate,
    difference,
    // Unpooled Wald interval without continuity correction, as R's prop.test(correct = FALSE).
    differenceInterval,
    // Two-sided p-value of the pooled z-test (equal to prop.test's chi-square p-value).
    pValue,
    // Relative lift: delta method, Student t at Welch's df (gbstats' convention).
    ...relativeLiftWithWelchT(
      { mean: controlRate, meanVariance: controlVariance, n: control.trials },
      { mean: treatmentRate, meanVariance: treatmentVariance, n: treatment.trials },
      alpha,
    ),
    zStatistic,
  };
}

/**
 * Wilson score interval for one rate, R's prop.test(successes, trials, correct = FALSE)$conf.int:
 * the rates p whose score test |p_hat - p| / sqrt(p (1 - p) / n) <= z. Unlike Wald's it never
 * collapses at 0 or n successes and keeps near its nominal coverage for small arms (Wilson 1927;
 * Brown, Cai and DasGupta 2001). `criticalZ` sets the level: qnorm(0.975) for a two-sided 95%
 * interval; qnorm(0.95) makes each end a one-sided 95% bound.
 */
export function wilsonInterval(successes: number, trials: number, criticalZ: number): { lower: number; upper: number } {
  assertProportionSample('sample', { successes, trials });
  const rate = successes / trials;
  const zSquaredOverN = (criticalZ * criticalZ) / trials;
  const denominator = 1 + zSquaredOverN;
  const centre = (rate + zSquaredOverN / 2) / denominator;
  const halfWidth = (criticalZ / denominator) * Math.sqrt((rate * (1 - rate)) / trials + zSquaredOverN / (4 * trials));
  // The ends are exactly 0 and 1 at 0 and n successes; rounding must not push them past.
  return {
    lower: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    upper: successes === trials ? 1 : Math.min(1, centre + halfWidth),
  };
}
