/**
 * Bucketing compatible with GrowthBook's SDKs (hash version 2), so that a user lands in the same
 * bucket whichever of them computes it. Pure: the same inputs give the same answer everywhere.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A variant's share of the bucket space: [start, end). */
export type BucketRange = readonly [start: number, end: number];

/** Continues a 32-bit FNV-1a over the UTF-16 code units of `text` (what `charCodeAt` returns). */
function fnv1aUpdate(state: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    state = Math.imul(state ^ text.charCodeAt(i), FNV_PRIME);
  }
  return state >>> 0;
}

/** 32-bit FNV-1a, as GrowthBook's `hashFnv32a`; an unsigned integer. */
export function fnv1a32(text: string): number {
  return fnv1aUpdate(FNV_OFFSET_BASIS, text);
}

/** FNV-1a over the last `width` decimal digits of 0 <= x < 100,000 (leading zeros included). */
function decimalUpdate(state: number, x: number, width: number): number {
  if (width >= 5) state = Math.imul(state ^ (48 + ((x / 10_000) | 0)), FNV_PRIME);
  if (width >= 4) state = Math.imul(state ^ (48 + (((x / 1_000) | 0) % 10)), FNV_PRIME);
  if (width >= 3) state = Math.imul(state ^ (48 + (((x / 100) | 0) % 10)), FNV_PRIME);
  if (width >= 2) state = Math.imul(state ^ (48 + (((x / 10) | 0) % 10)), FNV_PRIME);
  return Math.imul(state ^ (48 + (x % 10)), FNV_PRIME);
}

const digitCount = (x: number): number => (x >= 10_000 ? 5 : x >= 1_000 ? 4 : x >= 100 ? 3 : x >= 10 ? 2 : 1);

/**
 * `fnv1a32(String(n))` for an unsigned 32-bit integer, without making the string (which was most
 * of a hash's cost): the digits are taken five at a time, in integer arithmetic.
 */
export function fnv1a32OfDecimal(n: number): number {
  if (n < 100_000) return decimalUpdate(FNV_OFFSET_BASIS, n, digitCount(n)) >>> 0;
  const high = Math.floor(n / 100_000);
  return decimalUpdate(decimalUpdate(FNV_OFFSET_BASIS, high, digitCount(high)), n - high * 100_000, 5) >>> 0;
}

/** GrowthBook's hash version 2: `fnv1a32(String(fnv1a32(seed + value))) % 10000 / 10000`, in [0, 1). */
export function hashV2(seed: string, value: string): number {
  return seededHash(seed)(value);
}

/**
 * `hashV2` with the seed fixed. FNV-1a reads its input left to right, so the seed's part of the
 * first pass is computed once here rather than on every call.
 */
export function seededHash(seed: string): (value: string) => number {
  const seedState = fnv1aUpdate(FNV_OFFSET_BASIS, seed);
  return (value) => (fnv1a32OfDecimal(fnv1aUpdate(seedState, value)) % 10000) / 10000;
}

/**
 * GrowthBook's getBucketRanges: variant i covers [cumulative_i, cumulative_i + coverage * weight_i),
 * so lowering coverage shrinks every range from its end and a user never changes variant, only
 * enters or leaves. Coverage is clamped to [0, 1]; weights not summing to 1 (within 0.01) are
 * replaced by equal weights, as GrowthBook does.
 */
export function bucketRanges(weights: readonly number[], coverage: number): BucketRange[] {
  const clampedCoverage = Math.min(1, Math.max(0, coverage));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const effectiveWeights = total < 0.99 || total > 1.01 ? weights.map(() => 1 / weights.length) : weights;
  let cumulative = 0;
  return effectiveWeights.map((weight) => {
    const start = cumulative;
    cumulative += weight;
    return [start, start + clampedCoverage * weight] as const;
  });
}

/** The index of the range holding `n`, or -1 when none does (the user is outside the coverage). */
export function chooseVariant(n: number, ranges: readonly BucketRange[]): number {
  for (let i = 0; i < ranges.length; i++) {
    if (n >= ranges[i][0] && n < ranges[i][1]) return i;
  }
  return -1;
}
