import { normalCdf, normalQuantile } from './distributions';
import { assertProbability } from './validation';

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
  assertProbability('alpha', alpha);
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
  assertProbability('alpha', alpha);
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
  assertProbability('alpha', alpha);
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
