import { normalQuantile } from './distributions';
import { assertFinite, assertProbability, type Interval } from './validation';

/** An estimate and the variance of that estimate (its squared standard error). */
export interface Estimate {
  estimate: number;
  variance: number;
}

/**
 * treatment / control - 1 for two independent estimates, with the delta-method normal interval:
 * Var(t/c) ~= Var(t)/c^2 + t^2 Var(c)/c^4. Null when the control estimate is 0 (no ratio).
 */
export function relativeDifference(treatment: Estimate, control: Estimate, alpha = 0.05): { lift: number; interval: Interval } | null {
  for (const [label, value] of Object.entries({ 'treatment.estimate': treatment.estimate, 'treatment.variance': treatment.variance, 'control.estimate': control.estimate, 'control.variance': control.variance })) {
    assertFinite(label, value);
  }
  assertProbability('alpha', alpha);
  if (control.estimate === 0) return null;
  const lift = treatment.estimate / control.estimate - 1;
  const standardError = Math.sqrt(treatment.variance / control.estimate ** 2 + (treatment.estimate ** 2 * control.variance) / control.estimate ** 4);
  const halfWidth = normalQuantile(1 - alpha / 2) * standardError;
  return { lift, interval: { lower: lift - halfWidth, upper: lift + halfWidth } };
}

/** Per-user sums of a ratio metric: numerator Y and denominator D of n users. */
export interface RatioSums {
  n: number;
  sumY: number;
  sumY2: number;
  sumD: number;
  sumD2: number;
  sumYD: number;
}

/**
 * sum(Y) / sum(D) over users, and its delta-method variance
 * (Var(Y) - 2 R Cov(Y, D) + R^2 Var(D)) / (n mean(D)^2), with sample (n - 1) moments.
 * Null with fewer than 2 users or no denominator at all.
 */
export function ratioOfSums(sums: RatioSums): Estimate | null {
  if (sums.n < 2 || sums.sumD === 0) return null;
  const { n } = sums;
  const meanY = sums.sumY / n;
  const meanD = sums.sumD / n;
  const varianceY = (sums.sumY2 - n * meanY ** 2) / (n - 1);
  const varianceD = (sums.sumD2 - n * meanD ** 2) / (n - 1);
  const covariance = (sums.sumYD - n * meanY * meanD) / (n - 1);
  const ratio = sums.sumY / sums.sumD;
  const variance = Math.max(0, (varianceY - 2 * ratio * covariance + ratio ** 2 * varianceD) / (n * meanD ** 2));
  return { estimate: ratio, variance };
}
