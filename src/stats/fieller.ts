import { assertFinite } from './validation';

/**
 * A ratio's interval by Fieller's theorem: bounded, or unbounded when the denominator is not
 * distinguishable from 0 at the level asked (the delta method would still give a finite, and
 * wrong, interval there).
 */
export type RatioInterval = { bounded: true; lower: number; upper: number } | { bounded: false; lower: null; upper: null };

const UNBOUNDED: RatioInterval = { bounded: false, lower: null, upper: null };

export interface RatioEstimate {
  numerator: number;
  denominator: number;
  numeratorVariance: number;
  denominatorVariance: number;
}

function assertRatioEstimate(estimate: RatioEstimate): void {
  assertFinite('numerator', estimate.numerator);
  assertFinite('denominator', estimate.denominator);
  for (const key of ['numeratorVariance', 'denominatorVariance'] as const) {
    if (!(estimate[key] >= 0) || !Number.isFinite(estimate[key])) throw new RangeError(`${key} must be a non-negative number, got ${estimate[key]}`);
  }
}

/**
 * Fieller (1954): the theta with (a - theta b)^2 <= t^2 Var(a - theta b), i.e.
 * (b^2 - t^2 v_bb) theta^2 - 2 (a b - t^2 v_ab) theta + (a^2 - t^2 v_aa) <= 0. Bounded exactly when
 * b^2 > t^2 v_bb, that is when the denominator's own interval excludes 0.
 */
export function fiellerInterval(estimate: RatioEstimate & { covariance: number }, critical: number): RatioInterval {
  assertRatioEstimate(estimate);
  assertFinite('covariance', estimate.covariance);
  const { numerator: a, denominator: b, numeratorVariance: vaa, denominatorVariance: vbb, covariance: vab } = estimate;
  const t2 = critical * critical;
  const quadratic = b * b - t2 * vbb;
  if (!(quadratic > 0)) return UNBOUNDED;
  const linear = a * b - t2 * vab;
  const constant = a * a - t2 * vaa;
  const root = Math.sqrt(Math.max(0, linear * linear - quadratic * constant));
  return { bounded: true, lower: (linear - root) / quadratic, upper: (linear + root) / quadratic };
}

/**
 * Fieller's set when the covariance of numerator and denominator is not known: with
 * |v_ab| <= sqrt(v_aa v_bb) (Cauchy-Schwarz), Var(a - theta b) <= (s_a + |theta| s_b)^2, and the
 * theta with |a - theta b| <= t (s_a + |theta| s_b) are exactly the ratios A / B of the box
 * A in a -/+ t s_a, B in b -/+ t s_b. It contains Fieller's interval for every possible covariance,
 * so its coverage is at least the nominal level; unbounded when the box's B reaches 0.
 */
export function fiellerIntervalAnyCovariance(estimate: RatioEstimate, critical: number): RatioInterval {
  assertRatioEstimate(estimate);
  const numeratorHalf = critical * Math.sqrt(estimate.numeratorVariance);
  const denominatorHalf = critical * Math.sqrt(estimate.denominatorVariance);
  let low = estimate.denominator - denominatorHalf;
  let high = estimate.denominator + denominatorHalf;
  let sign = 1;
  if (high < 0) {
    // A negative denominator: the same box reflected, theta = (-A) / (-B).
    [low, high] = [-high, -low];
    sign = -1;
  }
  if (!(low > 0)) return UNBOUNDED;
  const top = sign * estimate.numerator + numeratorHalf;
  const bottom = sign * estimate.numerator - numeratorHalf;
  return { bounded: true, lower: bottom >= 0 ? bottom / high : bottom / low, upper: top >= 0 ? top / low : top / high };
}
