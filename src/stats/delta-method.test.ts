import { ratioOfSums, relativeDifference } from './delta-method';

describe('relativeDifference', () => {
  it('matches the delta method computed by hand', () => {
    // t = 0.15, Var(t) = 0.0001275; c = 0.12, Var(c) = 0.0001056 (the proportions test's example):
    // lift = 0.25; Var = 0.0001275 / 0.0144 + 0.0225 * 0.0001056 / 0.00020736 = 0.0088541667 + 0.0114583333
    // = 0.0203125; SE = 0.1425219; half width = 1.9599640 * 0.1425219 = 0.2793378.
    const result = relativeDifference({ estimate: 0.15, variance: 0.0001275 }, { estimate: 0.12, variance: 0.0001056 })!;
    expect(result.lift).toBeCloseTo(0.25, 12);
    expect(result.interval.lower).toBeCloseTo(-0.0293378, 6);
    expect(result.interval.upper).toBeCloseTo(0.5293378, 6);
  });

  it('has no ratio over a zero control and rejects impossible input', () => {
    expect(relativeDifference({ estimate: 1, variance: 0.1 }, { estimate: 0, variance: 0.1 })).toBeNull();
    expect(() => relativeDifference({ estimate: NaN, variance: 0 }, { estimate: 1, variance: 0 })).toThrow(RangeError);
  });
});

describe('ratioOfSums', () => {
  it('matches the delta-method variance computed by hand', () => {
    // Users (Y, D): (2, 1), (0, 2), (4, 2), (1, 3). n = 4, sums: Y 7, Y^2 21, D 8, D^2 18, YD 19.
    // R = 7 / 8 = 0.875; means 1.75 and 2.
    // Var(Y) = (21 - 4 * 3.0625) / 3 = 8.75 / 3 = 2.9166667; Var(D) = (18 - 16) / 3 = 0.6666667;
    // Cov = (19 - 4 * 1.75 * 2) / 3 = 5 / 3 = 1.6666667.
    // Var(R) = (2.9166667 - 2 * 0.875 * 1.6666667 + 0.765625 * 0.6666667) / (4 * 4)
    //        = (2.9166667 - 2.9166667 + 0.5104167) / 16 = 0.0319010.
    const result = ratioOfSums({ n: 4, sumY: 7, sumY2: 21, sumD: 8, sumD2: 18, sumYD: 19 })!;
    expect(result.estimate).toBeCloseTo(0.875, 12);
    expect(result.variance).toBeCloseTo(0.031901, 6);
  });

  it('needs two users and a denominator', () => {
    expect(ratioOfSums({ n: 1, sumY: 1, sumY2: 1, sumD: 1, sumD2: 1, sumYD: 1 })).toBeNull();
    expect(ratioOfSums({ n: 5, sumY: 1, sumY2: 1, sumD: 0, sumD2: 0, sumYD: 0 })).toBeNull();
  });
});
