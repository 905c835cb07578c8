import { ratioOfSums } from './delta-method';

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
