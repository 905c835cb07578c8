import { compareMeans, MeanSummary } from './means';
import { meanSummaryOf } from './summary';

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
    // We report treatment - control, so group 1 is passed as the treatment and group 2 as the
    // control: the same difference as R's, with the same sign.
    const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const result = compareMeans(summarise(group2), summarise(group1));
    expect(result.controlMean).toBeCloseTo(2.33, 12);
    expect(result.treatmentMean).toBeCloseTo(0.75, 12);
    expect(result.difference).toBeCloseTo(0.75 - 2.33, 12);
    expect(result.tStatistic).toBeCloseTo(-1.8608, 4);
    expect(result.degreesOfFreedom).toBeCloseTo(17.776, 3);
    expect(result.pValue).toBeCloseTo(0.07939, 5);
    expect(result.differenceInterval.lower).toBeCloseTo(-3.3654832, 7);
    expect(result.differenceInterval.upper).toBeCloseTo(0.2054832, 7);
  });

  it('reports treatment - control: swapping the arms reverses the sign, not the magnitude', () => {
    // By hand: control = {n 10, mean 0, var 1}, treatment = {n 10, mean 1, var 1};
    // SE^2 = 0.1 + 0.1 = 0.2, t = (1 - 0) / sqrt(0.2) = 2.2360680;
    // df = 0.2^2 / (2 * 0.1^2 / 9) = 0.04 / 0.0022222 = 18.
    const control = { n: 10, mean: 0, variance: 1 };
    const treatment = { n: 10, mean: 1, variance: 1 };
    const forward = compareMeans(control, treatment);
    const backward = compareMeans(treatment, control);
    expect(forward.difference).toBe(1);
    expect(forward.tStatistic).toBeCloseTo(2.236068, 6);
    expect(forward.degreesOfFreedom).toBeCloseTo(18, 10);
    expect(backward.tStatistic).toBeCloseTo(-2.236068, 6);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
  });

  it("gives the relative lift with a delta-method interval at Welch's df, computed by hand", () => {
    // control {n 100, mean 10, var 4}, treatment {n 100, mean 11, var 9}:
    // Var(mean c) = 0.04, Var(mean t) = 0.09; lift = 11 / 10 - 1 = 0.1;
    // Var(lift) = 0.09 / 10^2 + 11^2 * 0.04 / 10^4 = 0.0009 + 0.000484 = 0.001384,
    // SE = 0.0372021505. Welch: t = 1 / sqrt(0.13) = 2.7735010,
    // df = 0.13^2 / (0.04^2 / 99 + 0.09^2 / 99) = 172.48454. The lift's interval uses Student t at
    // that df (gbstats' convention): qt(0.975, 172.48454) = 1.9738129 (scipy.stats.t.ppf), half width
    // 0.0734301, interval [0.0265699, 0.1734301]; 2*pt(-0.1/SE, 172.48454) = 0.0078922 (scipy.stats.t.sf).
    const result = compareMeans({ n: 100, mean: 10, variance: 4 }, { n: 100, mean: 11, variance: 9 });
    expect(result.relativeLift).toBeCloseTo(0.1, 12);
    expect(result.relativeLiftInterval?.lower).toBeCloseTo(0.0265699, 6);
    expect(result.relativeLiftInterval?.upper).toBeCloseTo(0.1734301, 6);
    expect(result.relativeLiftPValue).toBeCloseTo(0.0078922, 6);
    expect(result.tStatistic).toBeCloseTo(2.773501, 6);
    expect(result.degreesOfFreedom).toBeCloseTo(172.48454, 4);
  });

  it('reports no lift when the control mean is zero', () => {
    const result = compareMeans({ n: 10, mean: 0, variance: 1 }, { n: 10, mean: 1, variance: 1 });
    expect(result.relativeLift).toBeNull();
    expect(result.relativeLiftInterval).toBeNull();
  });

  it('rejects impossible inputs', () => {
    const valid = { n: 10, mean: 1, variance: 2 };
    expect(() => compareMeans({ n: 1, mean: 1, variance: 0 }, valid)).toThrow(
      /control.n must be an integer of at least 2/,
    );
    expect(() => compareMeans(valid, { n: 5, mean: 1, variance: -1 })).toThrow(
      /treatment.variance cannot be negative/,
    );
    expect(() => compareMeans(valid, { n: 5, mean: NaN, variance: 1 })).toThrow(RangeError);
    expect(() =>
      compareMeans({ n: 5, mean: 1, variance: 0 }, { n: 5, mean: 2, variance: 0 }),
    ).toThrow(/zero variance/);
    expect(() => compareMeans(valid, valid, 1)).toThrow(/alpha/);
  });
});

describe('meanSummaryOf', () => {
  it('turns sums into a mean and sample variance, computed by hand', () => {
    // Values 1, 2, 6: sum 9, sum of squares 1 + 4 + 36 = 41; mean 3;
    // variance = (41 - 9 * 3) / 2 = 7 (directly: (4 + 1 + 9) / 2 = 7).
    expect(meanSummaryOf({ n: 3, sum: 9, sumSquares: 41 })).toEqual({ n: 3, mean: 3, variance: 7 });
    // A conversion arm, 30 of 100: sum = sumSquares = 30; variance = (30 - 30 * 0.3) / 99
    // = 21 / 99 = 0.2121212.
    expect(meanSummaryOf({ n: 100, sum: 30, sumSquares: 30 }).variance).toBeCloseTo(0.2121212, 7);
  });

  it('clamps rounding below zero and rejects too few users', () => {
    // 1e8 three times: the one-pass formula's exact value is 0.
    expect(meanSummaryOf({ n: 3, sum: 3e8, sumSquares: 3e16 }).variance).toBe(0);
    expect(() => meanSummaryOf({ n: 1, sum: 1, sumSquares: 1 }, 'control')).toThrow(/control.n/);
  });
});
