import { GrowthBookClient } from '@growthbook/growthbook';
import { bucketRanges, chooseVariant, fnv1a32, fnv1a32OfDecimal, hashV2, seededHash, type BucketRange } from './hash';
// GrowthBook's published SDK cases, from growthbook/growthbook packages/sdk-js/test/cases.json
// (the file's "source" field names the commit).
import growthBookCases from './growthbook-cases.json';

type HashCase = [seed: string, value: string, version: number, expected: number];
type BucketRangeCase = [name: string, args: [variations: number, coverage: number, weights: number[] | null], expected: [number, number][]];
type ChooseVariationCase = [name: string, n: number, ranges: [number, number][], expected: number];

const hashCases = growthBookCases.hash as HashCase[];
const bucketRangeCases = growthBookCases.getBucketRange as BucketRangeCase[];
const chooseVariationCases = growthBookCases.chooseVariation as ChooseVariationCase[];

/** GrowthBook's test runner compares ranges rounded to 6 places. */
const rounded = (ranges: readonly BucketRange[]) => ranges.map(([start, end]) => [Number(start.toFixed(6)), Number(end.toFixed(6))]);

describe('fnv1a32', () => {
  // The FNV authors' published FNV-1a 32-bit test vectors (isthe.com/chongo/tech/comp/fnv).
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to the published value', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });
});

describe('fnv1a32OfDecimal', () => {
  it('is fnv1a32 of the number written in decimal, at every digit count and across 32 bits', () => {
    const edges = [0, 1, 9, 10, 99, 100, 9_999, 10_000, 99_999, 100_000, 100_001, 1_000_000, 9_999_999_999 % 2 ** 32, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
    let state = 12345;
    const spread = Array.from({ length: 20_000 }, () => (state = fnv1a32(String(state))));
    for (const n of [...edges, ...spread, ...spread.map((n) => n % 1_000_000)]) {
      expect([n, fnv1a32OfDecimal(n)]).toEqual([n, fnv1a32(String(n))]);
    }
  });
});

describe('hashV2', () => {
  it.each(hashCases)('hash(%j, %j) version %i is %d (GrowthBook cases)', (seed, value, _version, expected) => {
    expect(hashV2(seed, value)).toBe(expected);
    expect(seededHash(seed)(value)).toBe(expected);
  });

  it("agrees with GrowthBook's SDK on ids of every kind, non-ASCII and astral characters included", () => {
    const client = new GrowthBookClient();
    const ids = Array.from({ length: 2000 }, (_, i) => [`user-${i}`, `用户-${i}`, `😀${i}é`, `${i}`][i % 4]);
    const seed = 'exp-seed-ü-😀';
    const hash = seededHash(seed);
    for (const id of ids) {
      const result = client.runInlineExperiment({ key: 'k', seed, hashVersion: 2, variations: [0, 1] }, { attributes: { id } });
      expect(hash(id)).toBe(result.bucket);
    }
  });
});

describe('bucketRanges', () => {
  // Our bucketRanges takes the weights alone, so the variant count cannot disagree with them: that
  // case of GrowthBook's has no counterpart here.
  const applicable = bucketRangeCases.filter(([, [variations, , weights]]) => weights === null || weights.length === variations);

  it.each(applicable)('%s (GrowthBook cases)', (_name, [variations, coverage, weights], expected) => {
    const effectiveWeights = weights ?? Array.from({ length: variations }, () => 1 / variations);
    expect(rounded(bucketRanges(effectiveWeights, coverage))).toEqual(expected);
  });
});

describe('chooseVariant', () => {
  it.each(chooseVariationCases)('%s (GrowthBook cases)', (_name, n, ranges, expected) => {
    expect(chooseVariant(n, ranges)).toBe(expected);
  });

  it("splits users as GrowthBook's SDK does, with unequal weights and partial coverage", () => {
    const client = new GrowthBookClient();
    const weights = [0.1, 0.3, 0.6];
    const coverage = 0.8;
    const hash = seededHash('split-seed');
    const ranges = bucketRanges(weights, coverage);
    for (let i = 0; i < 3000; i++) {
      const id = `user-${i}`;
      const result = client.runInlineExperiment(
        { key: 'split', seed: 'split-seed', hashVersion: 2, variations: [0, 1, 2], weights, coverage },
        { attributes: { id } },
      );
      expect(chooseVariant(hash(id), ranges)).toBe(result.inExperiment ? result.variationId : -1);
    }
  });
});
