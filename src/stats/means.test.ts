import { compareMeans, MeanSummary } from './means';

function summarise(values: number[]): MeanSummary {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { n: values.length, mean, variance };
}

describe('compareMeans', () => {
  it("matches R's t.test(extra ~ group, data = sleep)", () => {
    // R documentation example (?t.test, ?sleep) output: t = -1.8608, df = 17.776,
    // p-value = 0.07939, 95 percent CI -3.3654832 0.2054832 (group 1 minus group 2).
    const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const result = compareMeans(summarise(group1), summarise(group2));
    expect(result.difference).toBeCloseTo(0.75 - 2.33, 12);
    expect(result.tStatistic).toBeCloseTo(-1.8608, 4);
    expect(result.degreesOfFreedom).toBeCloseTo(17.776, 3);
    expect(result.pValue).toBeCloseTo(0.07939, 5);
    expect(result.differenceInterval.lower).toBeCloseTo(-3.3654832, 7);
    expect(result.differenceInterval.upper).toBeCloseTo(0.2054832, 7);
  });

  it('reverses sign, not magnitude, when the samples are swapped', () => {
    // By hand: A = {n 10, mean 0, var 1}, B = {n 10, mean 1, var 1}; SE^2 = 0.1 + 0.1 = 0.2,
    // t = -1 / sqrt(0.2) = -2.2360680; df = 0.2^2 / (2 * 0.1^2 / 9) = 0.04 / 0.0022222 = 18.
    const a = { n: 10, mean: 0, variance: 1 };
    const b = { n: 10, mean: 1, variance: 1 };
    const forward = compareMeans(a, b);
    const backward = compareMeans(b, a);
    expect(forward.tStatistic).toBeCloseTo(-2.236068, 6);
    expect(forward.degreesOfFreedom).toBeCloseTo(18, 10);
    expect(backward.tStatistic).toBeCloseTo(2.236068, 6);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
  });

  it('rejects impossible inputs', () => {
    const valid = { n: 10, mean: 1, variance: 2 };
    expect(() => compareMeans({ n: 1, mean: 1, variance: 0 }, valid)).toThrow(
      /summaryA.n must be an integer of at least 2/,
    );
    expect(() => compareMeans(valid, { n: 5, mean: 1, variance: -1 })).toThrow(
      /summaryB.variance cannot be negative/,
    );
    expect(() => compareMeans(valid, { n: 5, mean: NaN, variance: 1 })).toThrow(RangeError);
    expect(() =>
      compareMeans({ n: 5, mean: 1, variance: 0 }, { n: 5, mean: 2, variance: 0 }),
    ).toThrow(/zero variance/);
    expect(() => compareMeans(valid, valid, 1)).toThrow(/alpha/);
  });
});
