export interface Interval {
  lower: number;
  upper: number;
}

export function assertProbability(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new RangeError(`${name} must be strictly between 0 and 1, got ${value}`);
  }
}

/**
 * The smallest significance level taken. Below it the critical values of small samples overflow
 * to infinity (an interval no number can carry) long before any real use: 1e6 comparisons
 * Bonferroni-corrected at 0.05 is 5e-8.
 */
export const MIN_ALPHA = 1e-12;

export function assertAlpha(alpha: number): void {
  if (!Number.isFinite(alpha) || alpha < MIN_ALPHA || alpha >= 1) {
    throw new RangeError(`alpha must be at least ${MIN_ALPHA} and below 1, got ${alpha}`);
  }
}

export function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

export function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
}
