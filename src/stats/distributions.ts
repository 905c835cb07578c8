import { jStat } from 'jstat';

/**
 * The smallest p-value reported. Tails are computed directly (never as 1 - cdf) and are correct to
 * about 1e-12 relative down to here; a p-value of exactly P_VALUE_FLOOR means "p < 1e-300". No
 * p-value is ever 0: 0 would claim certainty that no finite sample gives.
 */
export const P_VALUE_FLOOR = 1e-300;

const LOG_2PI = Math.log(2 * Math.PI);
const TINY = 1e-300;
const EPSILON = 1e-16;
const MAX_ITERATIONS = 100_000;

/**
 * ln Gamma(x) for x > 0: Stirling's series from x >= 10 (the first omitted term is below 2e-14
 * there), shifted down by the recurrence Gamma(x + 1) = x Gamma(x).
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs a positive argument, got ${x}`);
  let shift = 0;
  while (x < 10) {
    shift += Math.log(x);
    x += 1;
  }
  const inverse = 1 / x;
  const inverseSquared = inverse * inverse;
  const series =
    inverse * (1 / 12 - inverseSquared * (1 / 360 - inverseSquared * (1 / 1260 - inverseSquared * (1 / 1680 - inverseSquared / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * LOG_2PI + series - shift;
}

/** Natural logarithm of the beta function B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ln Q(a, x), the regularised upper incomplete gamma Gamma(a, x) / Gamma(a): by its power series
 * (as 1 - P) for x < a + 1, where Q is not small, and otherwise by its continued fraction
 * (modified Lentz), whose prefactor is kept in logarithms so that nothing underflows
 * (Numerical Recipes, 3rd ed., section 6.2; DLMF 8.9.2).
 */
export function logUpperRegularisedGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`a must be positive, got ${a}`);
  if (!(x > 0)) return 0;
  if (x === Infinity) return -Infinity;
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.log1p(-Math.exp(logPrefactor) * sum);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return logPrefactor + Math.log(h);
}

/** Continued fraction of the incomplete beta (Numerical Recipes' betacf, modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const sum = a + b;
  let c = 1;
  let d = 1 - (sum * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (sum + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/**
 * ln I_x(a, b), the regularised incomplete beta. 1 - x is passed separately so that a caller who
 * knows it exactly (t^2 / (nu + t^2)) loses no digits to cancellation. The continued fraction
 * converges fast for x < (a + 1) / (a + b + 2); above, I_x(a, b) = 1 - I_{1-x}(b, a) (DLMF 8.17.4).
 */
export function logRegularisedIncompleteBeta(x: number, oneMinusX: number, a: number, b: number): number {
  if (x <= 0) return -Infinity;
  if (oneMinusX <= 0) return 0;
  const logFront = a * Math.log(x) + b * Math.log(oneMinusX) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return logFront + Math.log(betaContinuedFraction(x, a, b) / a);
  return Math.log1p(-Math.exp(logFront + Math.log(betaContinuedFraction(oneMinusX, b, a) / b)));
}

/** A probability from its logarithm, no smaller than P_VALUE_FLOOR and no larger than 1. */
function pValueOfLog(logProbability: number): number {
  return Math.min(1, Math.max(P_VALUE_FLOOR, Math.exp(logProbability)));
}

/** P(Z > z) for a standard normal Z, computed directly: 0.5 Q(1/2, z^2/2) for z >= 0 (may underflow to 0 past z = 38). */
export function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const half = 0.5 * Math.exp(logUpperRegularisedGamma(0.5, (z * z) / 2));
  return z >= 0 ? half : 1 - half;
}

/** Two-sided p-value of a standard normal statistic, R's 2 * pnorm(-abs(z)): Q(1/2, z^2/2) exactly. */
export function normalTwoSidedPValue(z: number): number {
  return pValueOfLog(logUpperRegularisedGamma(0.5, (z * z) / 2));
}

/** One-sided p-value P(Z > z), R's pnorm(z, lower.tail = FALSE), floored at P_VALUE_FLOOR. */
export function normalOneSidedPValue(z: number): number {
  if (z <= 0) return Math.min(1, normalUpperTail(z));
  return pValueOfLog(Math.log(0.5) + logUpperRegularisedGamma(0.5, (z * z) / 2));
}

/** Two-sided p-value of a Student t statistic with (possibly fractional) degrees of freedom: I_{nu/(nu+t^2)}(nu/2, 1/2). */
export function studentTTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degreesOfFreedom must be positive, got ${degreesOfFreedom}`);
  const denominator = degreesOfFreedom + t * t;
  return pValueOfLog(logRegularisedIncompleteBeta(degreesOfFreedom / denominator, (t * t) / denominator, degreesOfFreedom / 2, 0.5));
}

/** Upper-tail probability of a chi-square statistic, R's pchisq(x, df, lower.tail = FALSE): Q(df/2, x/2). */
export function chiSquareUpperTail(statistic: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degreesOfFreedom must be positive, got ${degreesOfFreedom}`);
  return pValueOfLog(logUpperRegularisedGamma(degreesOfFreedom / 2, statistic / 2));
}

/** Upper-tail probability of an F statistic, R's pf(f, d1, d2, lower.tail = FALSE): I_{d2/(d2+d1 f)}(d2/2, d1/2). */
export function fUpperTail(statistic: number, numeratorDf: number, denominatorDf: number): number {
  if (!(numeratorDf > 0) || !(denominatorDf > 0)) throw new RangeError('degrees of freedom must be positive');
  if (statistic <= 0) return 1;
  const denominator = denominatorDf + numeratorDf * statistic;
  return pValueOfLog(logRegularisedIncompleteBeta(denominatorDf / denominator, (numeratorDf * statistic) / denominator, denominatorDf / 2, numeratorDf / 2));
}

/** Standard normal quantile, R's qnorm(probability). */
export function normalQuantile(probability: number): number {
  return jStat.normal.inv(probability, 0, 1);
}

/** Standard normal cdf, R's pnorm(x), from the directly computed tails (exact in both). */
export function normalCdf(x: number): number {
  return x < 0 ? normalUpperTail(-x) : 1 - normalUpperTail(x);
}

/** Student t quantile, R's qt(probability, df). */
export function studentTQuantile(probability: number, degreesOfFreedom: number): number {
  return jStat.studentt.inv(probability, degreesOfFreedom);
}

/** Standard normal density. */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}
