import { compareMeansCuped, CovariateArmSummary, cupedAdjust, cupedTheta } from './cuped';
import { compareMeans } from './means';
import { meanSummaryOf } from './summary';
import { mulberry32 } from '../common/random';
import { standardNormal } from './random.fixture';

/** Sufficient statistics of (x, y) pairs, as the metrics engine's SQL would return them. */
function armOf(pairs: Array<[number, number]>): CovariateArmSummary {
  return {
    n: pairs.length,
    sum: pairs.reduce((total, [, y]) => total + y, 0),
    sumSquares: pairs.reduce((total, [, y]) => total + y * y, 0),
    covariate: {
      sum: pairs.reduce((total, [x]) => total + x, 0),
      sumSquares: pairs.reduce((total, [x]) => total + x * x, 0),
      crossSum: pairs.reduce((total, [x, y]) => total + x * y, 0),
    },
  };
}

describe('compareMeansCuped', () => {
  // Control (x, y): (1, 2), (2, 3), (3, 5); treatment: (2, 3), (3, 5), (4, 6).
  const control = armOf([[1, 2], [2, 3], [3, 5]]);
  const treatment = armOf([[2, 3], [3, 5], [4, 6]]);

  it('adjusts a small example, computed by hand', () => {
    // Control: mean x 2, mean y 10/3; Sxx = 1 + 0 + 1 = 2;
    //   Sxy = (-1)(2 - 10/3) + 0 + (1)(5 - 10/3) = 4/3 + 5/3 = 3; Syy = (16 + 1 + 25)/9 = 14/3.
    // Treatment: mean x 3, mean y 14/3; Sxx = 2; Sxy = (-1)(3 - 14/3) + (1)(6 - 14/3) = 3;
    //   Syy = (25 + 1 + 16)/9 = 14/3.
    // theta = (3 + 3) / (2 + 2) = 1.5. Overall mean x = (6 + 9) / 6 = 2.5.
    // Adjusted means: control 10/3 - 1.5 (2 - 2.5) = 4.0833333; treatment 14/3 - 1.5 (3 - 2.5)
    //   = 3.9166667; difference -1/6 (the plain difference 4/3 was mostly the arms' x gap).
    // Adjusted variance per arm: (14/3 - 2 * 1.5 * 3 + 1.5^2 * 2) / 2 = (1/6) / 2 = 1/12
    //   (plain: (14/3) / 2 = 7/3). Variance reduction 1 - (1/12) / (7/3) = 27/28 = 0.9642857.
    // Welch on the adjusted arms: SE = sqrt(2 * (1/12) / 3) = sqrt(1/18) = 0.2357023,
    //   t = -(1/6) / 0.2357023 = -0.7071068, df = 4 (equal n and variances: 2 (3 - 1)).
    //   For 4 df, P(|T| > t) = 1 - (3u - u^3) / 2 with u = t / sqrt(t^2 + 4) = 1/3:
    //   p = 1 - (1 - 1/27) / 2 = 14/27 = 0.5185185.
    // Lift = 3.9166667 / 4.0833333 - 1 = -0.0408163.
    const result = compareMeansCuped(control, treatment);
    expect(result.cuped.applied).toBe(true);
    expect(result.cuped.theta).toBeCloseTo(1.5, 12);
    expect(result.cuped.varianceReduction).toBeCloseTo(27 / 28, 12);
    expect(result.controlMean).toBeCloseTo(4.0833333, 6);
    expect(result.treatmentMean).toBeCloseTo(3.9166667, 6);
    expect(result.difference).toBeCloseTo(-1 / 6, 12);
    expect(result.tStatistic).toBeCloseTo(-0.7071068, 6);
    expect(result.degreesOfFreedom).toBeCloseTo(4, 10);
    expect(result.pValue).toBeCloseTo(14 / 27, 6);
    expect(result.relativeLift).toBeCloseTo(-0.0408163, 6);
    // The adjusted arms themselves, for the sequential and Bayesian views (same numbers).
    const arms = cupedAdjust(control, treatment);
    expect(arms.control.mean).toBeCloseTo(4.0833333, 6);
    expect(arms.treatment.variance).toBeCloseTo(1 / 12, 12);
    expect(arms.control.n).toBe(3);
  });

  it('centres X on every arm of the experiment and pools theta over all of them', () => {
    // A third arm (x, y): (0, 0), (2, 4), (4, 2): mean x 2, mean y 2; Sxx = 4 + 0 + 4 = 8;
    // Sxy = (-2)(-2) + 0 + (2)(0) = 4. theta = (3 + 3 + 4) / (2 + 2 + 8) = 10/12 = 0.8333333.
    // Overall mean x = (6 + 9 + 6) / 9 = 7/3; difference of the compared arms
    // = 14/3 - 10/3 - theta (3 - 2) = 4/3 - 5/6 = 0.5; control's adjusted mean
    // = 10/3 - (5/6)(2 - 7/3) = 10/3 + 5/18 = 3.6111111.
    const third = armOf([[0, 0], [2, 4], [4, 2]]);
    expect(cupedTheta([control, treatment, third])).toBeCloseTo(10 / 12, 12);
    const result = compareMeansCuped(control, treatment, { allArms: [control, treatment, third] });
    expect(result.difference).toBeCloseTo(0.5, 12);
    expect(result.controlMean).toBeCloseTo(3.6111111, 6);
  });

  it('falls back to the plain comparison without pre-period data or when X is constant', () => {
    const plain = compareMeans(meanSummaryOf(control), meanSummaryOf(treatment));
    const withoutPrePeriod = compareMeansCuped({ ...control, covariate: null }, treatment);
    expect(withoutPrePeriod.cuped).toEqual({ applied: false, theta: 0, varianceReduction: 0 });
    expect(withoutPrePeriod.difference).toBeCloseTo(4 / 3, 12);
    expect(withoutPrePeriod.pValue).toBe(plain.pValue);
    // Every user's x = 7: Sxx is 0 up to rounding in both arms.
    const constant = (arm: CovariateArmSummary): CovariateArmSummary => ({
      ...arm,
      covariate: { sum: 7 * arm.n, sumSquares: 49 * arm.n, crossSum: 7 * arm.sum },
    });
    const constantX = compareMeansCuped(constant(control), constant(treatment));
    expect(constantX.cuped.applied).toBe(false);
    expect(constantX.differenceInterval).toEqual(plain.differenceInterval);
  });

  it('rejects impossible inputs', () => {
    expect(() => compareMeansCuped({ ...control, n: 1 }, treatment)).toThrow(/control.n/);
    expect(() =>
      compareMeansCuped(control, { ...treatment, covariate: { sum: NaN, sumSquares: 1, crossSum: 1 } }),
    ).toThrow(/covariate.sum must be a finite number/);
    expect(() => compareMeansCuped(control, treatment, { alpha: 2 })).toThrow(/alpha/);
  });

  it('narrows intervals while keeping about 95% coverage on seeded correlated data', () => {
    // Each user: X ~ N(0, 1), Y = 1 + 0.8 X + 0.6 e (e ~ N(0, 1)), so corr(X, Y) = 0.8 and
    // CUPED should cut the variance by about rho^2 = 0.64, i.e. interval widths by about
    // 1 - sqrt(0.36) = 40%. The treatment adds 0.1 to Y. 1,000 experiments, 200 users per arm.
    const normal = standardNormal(mulberry32(5150));
    const trueEffect = 0.1;
    const drawArm = (effect: number): CovariateArmSummary => {
      const pairs: Array<[number, number]> = [];
      for (let user = 0; user < 200; user += 1) {
        const x = normal();
        pairs.push([x, 1 + effect + 0.8 * x + 0.6 * normal()]);
      }
      return armOf(pairs);
    };
    const experiments = 1000;
    let covered = 0;
    let narrower = 0;
    let widthRatioSum = 0;
    for (let run = 0; run < experiments; run += 1) {
      const controlArm = drawArm(0);
      const treatmentArm = drawArm(trueEffect);
      const adjusted = compareMeansCuped(controlArm, treatmentArm);
      const plain = compareMeans(meanSummaryOf(controlArm), meanSummaryOf(treatmentArm));
      const width = (interval: { lower: number; upper: number }) => interval.upper - interval.lower;
      const ratio = width(adjusted.differenceInterval) / width(plain.differenceInterval);
      widthRatioSum += ratio;
      if (ratio < 1) narrower += 1;
      const { lower, upper } = adjusted.differenceInterval;
      if (lower <= trueEffect && trueEffect <= upper) covered += 1;
    }
    expect(narrower).toBe(experiments);
    // Expected ratio sqrt(1 - 0.64) = 0.6; the spread over runs is small at 400 users.
    expect(widthRatioSum / experiments).toBeGreaterThan(0.57);
    expect(widthRatioSum / experiments).toBeLessThan(0.63);
    // Coverage count ~ Binomial(1000, 0.95): SD 6.9, so 935..965 is about 2.2 SD either side.
    expect(covered).toBeGreaterThanOrEqual(935);
    expect(covered).toBeLessThanOrEqual(965);
  });
});
