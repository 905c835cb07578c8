import { sampleRatioMismatch } from './srm';

describe('sampleRatioMismatch', () => {
  it('matches chisq.test(c(510, 490), p = c(0.5, 0.5)), computed by hand', () => {
    // Expected 500 each: X-squared = 10^2/500 + 10^2/500 = 0.4, df = 1,
    // p = P(chi2_1 > 0.4) = erfc(sqrt(0.4 / 2)) = 0.5270893.
    const result = sampleRatioMismatch([510, 490], [0.5, 0.5]);
    expect(result.chiSquare).toBeCloseTo(0.4, 12);
    expect(result.degreesOfFreedom).toBe(1);
    expect(result.pValue).toBeCloseTo(0.5270893, 6);
    expect(result.expectedCounts).toEqual([500, 500]);
    expect(result.mismatch).toBe(false);
  });

  it('handles three arms with unequal weights, computed by hand', () => {
    // Weights 0.5/0.25/0.25 of 5000 users: expected 2500, 1250, 1250.
    // X-squared = 100^2/2500 + 50^2/1250 + 50^2/1250 = 4 + 2 + 2 = 8, df = 2;
    // for df = 2 the upper tail is exp(-x/2), so p = exp(-4) = 0.0183156.
    const result = sampleRatioMismatch([2600, 1200, 1200], [0.5, 0.25, 0.25]);
    expect(result.chiSquare).toBeCloseTo(8, 10);
    expect(result.degreesOfFreedom).toBe(2);
    expect(result.pValue).toBeCloseTo(0.0183156, 6);
    expect(result.mismatch).toBe(false);
  });

  it("matches R's ?chisq.test example chisq.test(c(A = 20, B = 15, C = 25))", () => {
    // R prints X-squared = 2.5, df = 2, p-value = 0.2865. By hand: expected 20 each,
    // (0 + 25 + 25) / 20 = 2.5; p = exp(-1.25) = 0.2865048.
    const result = sampleRatioMismatch([20, 15, 25], [1, 1, 1]);
    expect(result.chiSquare).toBeCloseTo(2.5, 12);
    expect(result.pValue).toBeCloseTo(0.2865048, 6);
  });

  it('normalises weights and flags a mismatch below p = 0.001', () => {
    // Weights 1:1:1 of 3000 users: expected 1000 each; X-squared = 100^2/1000 + 0 + 100^2/1000
    // = 20, df = 2, p = exp(-10) = 0.0000453999.
    const result = sampleRatioMismatch([1100, 1000, 900], [1, 1, 1]);
    expect(result.expectedCounts).toEqual([1000, 1000, 1000]);
    expect(result.chiSquare).toBeCloseTo(20, 10);
    expect(result.pValue).toBeCloseTo(0.0000453999, 9);
    expect(result.mismatch).toBe(true);
  });

  it('rejects impossible inputs', () => {
    expect(() => sampleRatioMismatch([10, 20], [0.5, 0.25, 0.25])).toThrow(
      /expectedWeights has 3 entries but counts has 2/,
    );
    expect(() => sampleRatioMismatch([10], [1])).toThrow(/at least 2 counts/);
    expect(() => sampleRatioMismatch([10, -1], [1, 1])).toThrow(/counts\[1\]/);
    expect(() => sampleRatioMismatch([10, 2.5], [1, 1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([10, 20], [1, 0])).toThrow(/expectedWeights\[1\]/);
    expect(() => sampleRatioMismatch([0, 0], [1, 1])).toThrow(/sum to 0/);
  });
});
