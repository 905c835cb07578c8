import { jStat } from 'jstat';

/** Two-sided p-value of a standard normal statistic; uses the lower tail of -|z| to keep precision for large |z|. */
export function normalTwoSidedPValue(z: number): number {
  return Math.min(1, 2 * jStat.normal.cdf(-Math.abs(z), 0, 1));
}

/** Two-sided p-value of a Student t statistic with (possibly fractional) degrees of freedom. */
export function studentTTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  return Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), degreesOfFreedom));
}

/** Upper-tail probability of a chi-square statistic. */
export function chiSquareUpperTail(statistic: number, degreesOfFreedom: number): number {
  return Math.max(0, 1 - jStat.chisquare.cdf(statistic, degreesOfFreedom));
}

/** Standard normal quantile, R's qnorm(probability). */
export function normalQuantile(probability: number): number {
  return jStat.normal.inv(probability, 0, 1);
}

export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/** Student t quantile, R's qt(probability, df). */
export function studentTQuantile(probability: number, degreesOfFreedom: number): number {
  return jStat.studentt.inv(probability, degreesOfFreedom);
}

/** Natural logarithm of the beta function B(a, b). */
export function logBeta(a: number, b: number): number {
  return jStat.betaln(a, b);
}

/** Standard normal density. */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}
