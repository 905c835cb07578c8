import { normalCdf, normalQuantile } from './distributions';
import { assertProbability, assertAlpha } from './validation';

export interface SampleSizeInput {
  p1: number;
  p2: number;
  alpha?: number;
  power?: number;
}

export interface PowerInput {
  n: number;
  p1: number;
  p2: number;
  alpha?: number;
}

export interface MinimumDetectableEffectInput {
  n: number;
  p1: number;
  alpha?: number;
  power?: number;
}

export interface MinimumDetectableEffect {
  /** The smallest treatment rate above p1 detectable with the requested power. */
  p2: number;
  absoluteDifference: number;
  relativeLift: number;
}

function assertSampleSize(n: number): void {
  if (!Number.isFinite(n) || n < 2) {
    throw new RangeError(`n must be at least 2 per group, got ${n}`);
  }
}

/** Two-sided power of the pooled test, R's power.prop.test formula with strict = FALSE. */
export function powerForProportions({ n, p1, p2, alpha = 0.05 }: PowerInput): number {
  assertSampleSize(n);
  assertProbability('p1', p1);
  assertProbability('p2', p2);
  assertAlpha(alpha);
  const pooledTerm = Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2));
  const alternativeTerm = Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return normalCdf(
    (Math.sqrt(n) * Math.abs(p1 - p2) - normalQuantile(1 - alpha / 2) * pooledTerm) /
      alternativeTerm,
  );
}

/**
 * Users per group, unrounded, as R's power.prop.test(p1, p2, sig.level = alpha, power).
 * R finds n with uniroot (about four significant digits); the same equation solved exactly.
 */
export function sampleSizeForProportions({
  p1,
  p2,
  alpha = 0.05,
  power = 0.8,
}: SampleSizeInput): number {
  assertProbability('p1', p1);
  assertProbability('p2', p2);
  assertAlpha(alpha);
  assertProbability('power', power);
  if (p1 === p2) {
    throw new RangeError('p1 and p2 must differ: no sample size detects a zero effect');
  }
  const pooledTerm = Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2));
  const alternativeTerm = Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  const root =
    (normalQuantile(1 - alpha / 2) * pooledTerm + normalQuantile(power) * alternativeTerm) /
    Math.abs(p1 - p2);
  return root ** 2;
}

/**
 * Smallest p2 > p1 reaching the requested power with n users per group, as R's
 * power.prop.test(n, p1, power, sig.level = alpha) solves for p2 on (p1, 1).
 */
export function minimumDetectableEffect({
  n,
  p1,
  alpha = 0.05,
  power = 0.8,
}: MinimumDetectableEffectInput): MinimumDetectableEffect {
  assertSampleSize(n);
  assertProbability('p1', p1);
  assertAlpha(alpha);
  assertProbability('power', power);

  const powerAt = (p2: number): number => powerForProportions({ n, p1, p2, alpha });
  // Evaluate just below 1 since powerForProportions requires p2 < 1.
  let upper = 1 - 1e-12;
  if (powerAt(upper) < power) {
    throw new RangeError(
      `with n = ${n} per group no rate above p1 = ${p1} reaches power ${power}`,
    );
  }
  // Power rises with p2 on (p1, 1), so bisection converges to the unique crossing.
  let lower = p1;
  while (upper - lower > 1e-12) {
    const middle = (lower + upper) / 2;
    if (powerAt(middle) < power) {
      lower = middle;
    } else {
      upper = middle;
    }
  }
  return { p2: upper, absoluteDifference: upper - p1, relativeLift: upper / p1 - 1 };
}

export interface MeansSampleSizeInput {
  /** Standard deviation of the metric per user (assumed equal in both arms). */
  standardDeviation: number;
  /** The difference in means to detect (its sign does not matter). */
  difference: number;
  alpha?: number;
  power?: number;
}

export interface MeansMinimumDetectableEffectInput {
  /** Users per group. */
  n: number;
  standardDeviation: number;
  alpha?: number;
  power?: number;
}

function assertStandardDeviation(standardDeviation: number): void {
  if (!Number.isFinite(standardDeviation) || standardDeviation <= 0) {
    throw new RangeError(`standardDeviation must be a positive number, got ${standardDeviation}`);
  }
}

/**
 * Users per group, unrounded, for a two-sided two-sample test of means by the normal
 * approximation: n = 2 sd^2 (z(1 - alpha/2) + z(power))^2 / difference^2. R's power.t.test uses the
 * t distribution and asks for one or two users more when n is small (63.8 instead of 62.8 for
 * a difference of half a standard deviation); the gap vanishes at A/B test sizes.
 */
export function sampleSizeForMeans({
  standardDeviation,
  difference,
  alpha = 0.05,
  power = 0.8,
}: MeansSampleSizeInput): number {
  assertStandardDeviation(standardDeviation);
  assertAlpha(alpha);
  assertProbability('power', power);
  if (!Number.isFinite(difference) || difference === 0) {
    throw new RangeError('difference must be a non-zero number: no sample size detects a zero effect');
  }
  const root =
    ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * standardDeviation) / difference;
  return 2 * root ** 2;
}

/** The difference in means detectable with n users per group: sampleSizeForMeans solved for it. */
export function minimumDetectableDifferenceForMeans({
  n,
  standardDeviation,
  alpha = 0.05,
  power = 0.8,
}: MeansMinimumDetectableEffectInput): number {
  assertSampleSize(n);
  assertStandardDeviation(standardDeviation);
  assertAlpha(alpha);
  assertProbability('power', power);
  return (
    (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * standardDeviation * Math.sqrt(2 / n)
  );
}
