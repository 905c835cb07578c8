import { chiSquareUpperTail } from './distributions';
import { assertNonNegativeInteger } from './validation';

/** Below this p-value the observed split is treated as broken assignment, not chance. */
export const SAMPLE_RATIO_MISMATCH_THRESHOLD = 0.001;

export interface SampleRatioMismatchResult {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  expectedCounts: number[];
  mismatch: boolean;
}

/**
 * Chi-square goodness of fit of observed arm sizes against the configured weights,
 * as R's chisq.test(counts, p = weights, rescale.p = TRUE).
 */
export function sampleRatioMismatch(
  counts: number[],
  expectedWeights: number[],
): SampleRatioMismatchResult {
  if (counts.length < 2) {
    throw new RangeError(`at least 2 counts are needed, got ${counts.length}`);
  }
  if (expectedWeights.length !== counts.length) {
    throw new RangeError(
      `expectedWeights has ${expectedWeights.length} entries but counts has ${counts.length}`,
    );
  }
  counts.forEach((count, index) => assertNonNegativeInteger(`counts[${index}]`, count));
  expectedWeights.forEach((weight, index) => {
    if (!Number.isFinite(weight) || weight <= 0) {
      throw new RangeError(`expectedWeights[${index}] must be a positive number, got ${weight}`);
    }
  });
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) {
    throw new RangeError('counts sum to 0, so there is nothing to test');
  }

  const weightSum = expectedWeights.reduce((sum, weight) => sum + weight, 0);
  const expectedCounts = expectedWeights.map((weight) => (total * weight) / weightSum);
  const chiSquare = counts.reduce(
    (sum, count, index) => sum + (count - expectedCounts[index]) ** 2 / expectedCounts[index],
    0,
  );
  const degreesOfFreedom = counts.length - 1;
  const pValue = chiSquareUpperTail(chiSquare, degreesOfFreedom);
  return {
    chiSquare,
    degreesOfFreedom,
    pValue,
    expectedCounts,
    mismatch: pValue < SAMPLE_RATIO_MISMATCH_THRESHOLD,
  };
}
