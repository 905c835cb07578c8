/** An estimate and the variance of that estimate (its squared standard error). */
export interface Estimate {
  estimate: number;
  variance: number;
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
