/** A half-open interval [start, end) of [0, 1). */
export type Slice = readonly [start: number, end: number];

/** Shares are percents; slices are kept to 4 decimals, the hash's own resolution (1/10,000). */
const RESOLUTION = 10_000;

/**
 * The first gap of the layer wide enough for `sharePercent`, given the slices already taken by its
 * running experiments, or null when none is. First fit keeps the free space in one piece as long
 * as experiments leave in the order they came.
 */
export function allocateSlice(taken: Slice[], sharePercent: number): Slice | null {
  const width = Math.round((sharePercent / 100) * RESOLUTION);
  const sorted = taken.map(([start, end]) => [Math.round(start * RESOLUTION), Math.round(end * RESOLUTION)] as const).sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [start, end] of [...sorted, [RESOLUTION, RESOLUTION] as const]) {
    if (start - cursor >= width) return [cursor / RESOLUTION, (cursor + width) / RESOLUTION];
    cursor = Math.max(cursor, end);
  }
  return null;
}
