import { bayesianCompareMeans, bayesianCompareProportions } from './bayesian';

describe('bayesianCompareProportions', () => {
  it('gives one half and equal losses for identical data', () => {
    // Identical posteriors are exchangeable, so P(T > C) = 1/2 exactly (up to the ~1e-10
    // accuracy of jStat's log-gamma, which sets the first term of the sum).
    const result = bayesianCompareProportions({ successes: 40, trials: 400 }, { successes: 40, trials: 400 });
    expect(result.chanceToBeatControl).toBeCloseTo(0.5, 9);
    expect(result.treatmentExpectedLoss).toBeCloseTo(result.controlExpectedLoss, 9);
  });

  it('matches a case integrated by hand: 1 of 1 against 0 of 1', () => {
    // Treatment T ~ Beta(2, 1), density 2t; control C ~ Beta(1, 2), density 2(1 - c), CDF 2c - c^2.
    // P(T > C) = int_0^1 2t (2t - t^2) dt = 4/3 - 1/2 = 5/6.
    // E[max(C - T, 0)] = int_0^1 2(1 - c) [int_0^c (c - t) 2t dt] dc = int_0^1 2(1 - c) c^3/3 dc
    //   = (2/3)(1/4 - 1/5) = 1/30.
    // E[max(T - C, 0)] = E[T - C] + E[max(C - T, 0)] = (2/3 - 1/3) + 1/30 = 11/30.
    const result = bayesianCompareProportions({ successes: 0, trials: 1 }, { successes: 1, trials: 1 });
    expect(result.chanceToBeatControl).toBeCloseTo(5 / 6, 12);
    expect(result.treatmentExpectedLoss).toBeCloseTo(1 / 30, 12);
    expect(result.controlExpectedLoss).toBeCloseTo(11 / 30, 12);
  });

  it('matches numerical integration of the Beta posteriors', () => {
    // References by SciPy (scipy.integrate.quad over scipy.stats.beta, independent of this
    // code): P(T > C) = int f_T(x) F_C(x) dx; E[max(C - T, 0)] = int F_T(x) (1 - F_C(x)) dx;
    // E[max(T - C, 0)] = int F_C(x) (1 - F_T(x)) dx.
    // 120/1000 vs 150/1000: 0.9750678, 0.000144178, 0.0300843 (their difference is
    // E[T - C] = 151/1002 - 121/1002 = 0.0299401, as it must be).
    const medium = bayesianCompareProportions({ successes: 120, trials: 1000 }, { successes: 150, trials: 1000 });
    expect(medium.chanceToBeatControl).toBeCloseTo(0.9750678, 6);
    expect(medium.treatmentExpectedLoss).toBeCloseTo(0.000144178, 8);
    expect(medium.controlExpectedLoss).toBeCloseTo(0.0300843, 6);
    // 3/10 vs 5/12: 0.6998923, 0.0357646, 0.1310027.
    const small = bayesianCompareProportions({ successes: 3, trials: 10 }, { successes: 5, trials: 12 });
    expect(small.chanceToBeatControl).toBeCloseTo(0.6998923, 6);
    expect(small.treatmentExpectedLoss).toBeCloseTo(0.0357646, 6);
    expect(small.controlExpectedLoss).toBeCloseTo(0.1310027, 6);
    // 30,000/100,000 vs 30,500/100,000 (a long sum): 0.9925333, 5.04189e-6, 0.00500494.
    const large = bayesianCompareProportions(
      { successes: 30_000, trials: 100_000 },
      { successes: 30_500, trials: 100_000 },
    );
    expect(large.chanceToBeatControl).toBeCloseTo(0.9925333, 6);
    expect(large.treatmentExpectedLoss).toBeCloseTo(5.04189e-6, 9);
    expect(large.controlExpectedLoss).toBeCloseTo(0.00500494, 7);
  });

  it('reverses when the arms are swapped', () => {
    const forward = bayesianCompareProportions({ successes: 3, trials: 10 }, { successes: 5, trials: 12 });
    const backward = bayesianCompareProportions({ successes: 5, trials: 12 }, { successes: 3, trials: 10 });
    expect(backward.chanceToBeatControl).toBeCloseTo(1 - forward.chanceToBeatControl, 12);
    expect(backward.treatmentExpectedLoss).toBeCloseTo(forward.controlExpectedLoss, 12);
  });

  it('rejects impossible inputs', () => {
    expect(() => bayesianCompareProportions({ successes: 3, trials: 2 }, { successes: 1, trials: 2 })).toThrow(
      /control.successes \(3\) cannot exceed/,
    );
    expect(() => bayesianCompareProportions({ successes: 1, trials: 2 }, { successes: 0, trials: 0 })).toThrow(
      /treatment.trials/,
    );
  });
});

describe('bayesianCompareMeans', () => {
  it('gives one half for equal means, with loss s phi(0), computed by hand', () => {
    // control and treatment {n 100, mean 5, var 25}: s = sqrt(0.25 + 0.25) = 0.7071068;
    // both losses = s / sqrt(2 pi) = 0.7071068 * 0.3989423 = 0.2820948.
    const result = bayesianCompareMeans({ n: 100, mean: 5, variance: 25 }, { n: 100, mean: 5, variance: 25 });
    expect(result.chanceToBeatControl).toBe(0.5);
    expect(result.treatmentExpectedLoss).toBeCloseTo(0.2820948, 6);
    expect(result.controlExpectedLoss).toBeCloseTo(0.2820948, 6);
  });

  it('matches the normal tables one standard error apart', () => {
    // control {n 100, mean 10, var 16}, treatment {n 100, mean 10.5, var 9}: s = sqrt(0.16 + 0.09)
    // = 0.5 = d, so z = 1. Tables: Phi(1) = 0.8413447, phi(1) = 0.2419707, Phi(-1) = 0.1586553.
    // Treatment loss = s (phi(1) - Phi(-1)) = 0.5 * 0.0833154 = 0.0416577;
    // control loss = s (phi(1) + Phi(1)) = 0.5 * 1.0833154 = 0.5416577.
    const result = bayesianCompareMeans({ n: 100, mean: 10, variance: 16 }, { n: 100, mean: 10.5, variance: 9 });
    expect(result.chanceToBeatControl).toBeCloseTo(0.8413447, 6);
    expect(result.treatmentExpectedLoss).toBeCloseTo(0.0416577, 6);
    expect(result.controlExpectedLoss).toBeCloseTo(0.5416577, 6);
  });

  it('rejects impossible inputs', () => {
    expect(() => bayesianCompareMeans({ n: 1, mean: 0, variance: 1 }, { n: 5, mean: 0, variance: 1 })).toThrow(/control.n/);
    expect(() => bayesianCompareMeans({ n: 5, mean: 0, variance: 0 }, { n: 5, mean: 1, variance: 0 })).toThrow(
      /zero variance/,
    );
  });
});
