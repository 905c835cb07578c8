export type PValueAdjustment = 'holm' | 'BH';

/** Adjusted p-values in the input order, as R's p.adjust(pValues, method). */
export function adjustPValues(pValues: number[], method: PValueAdjustment): number[] {
  pValues.forEach((pValue, index) => {
    if (!Number.isFinite(pValue) || pValue < 0 || pValue > 1) {
      throw new RangeError(`pValues[${index}] must be between 0 and 1, got ${pValue}`);
    }
  });
  const count = pValues.length;
  const adjusted = new Array<number>(count);

  if (method === 'holm') {
    // Step-down: the i-th smallest (1-based) is multiplied by m - i + 1; cumulative maxima keep
    // the adjusted values in the same order as the raw ones.
    const ascending = pValues.map((_, index) => index).sort((a, b) => pValues[a] - pValues[b]);
    let runningMax = 0;
    ascending.forEach((originalIndex, rank) => {
      runningMax = Math.max(runningMax, (count - rank) * pValues[originalIndex]);
      adjusted[originalIndex] = Math.min(1, runningMax);
    });
    return adjusted;
  }

  if (method === 'BH') {
    // Step-up: the i-th smallest is multiplied by m / i; cumulative minima from the largest down.
    const descending = pValues.map((_, index) => index).sort((a, b) => pValues[b] - pValues[a]);
    let runningMin = Infinity;
    descending.forEach((originalIndex, position) => {
      const rank = count - position;
      runningMin = Math.min(runningMin, (count / rank) * pValues[originalIndex]);
      adjusted[originalIndex] = Math.min(1, runningMin);
    });
    return adjusted;
  }

  throw new RangeError(`unknown p-value adjustment method: ${String(method)}`);
}
