import { compareProportions } from './proportions';
import { mulberry32 } from '../common/random';
import { standardNormal } from './random.fixture';
import {
  alwaysValidTest,
  sequentialCompareMeans,
  sequentialCompareProportions,
} from './sequential';

describe('alwaysValidTest', () => {
  it("matches Johari et al.'s mixture likelihood ratio, computed by hand", () => {
    // Paper's form with n = 1000 users per arm, V = 0.12 * 0.88 + 0.15 * 0.85 = 0.2331
    // (variance of one control/treatment pair), tau^2 = 0.0004, D = 0.03:
    // V + n tau^2 = 0.6331; sqrt(V / (V + n tau^2)) = sqrt(0.3681883) = 0.6067852;
    // n^2 tau^2 D^2 / (2 V (V + n tau^2)) = 1e6 * 0.0004 * 0.0009 / (2 * 0.2331 * 0.6331)
    //   = 0.36 / 0.29515 = 1.2197137; Lambda = 0.6067852 * exp(1.2197137) = 2.0547071;
    //   p = 1 / Lambda = 0.4866874.
    // Sequence at alpha 0.05 with v = V / n = 0.0002331:
    //   half width = sqrt(v (v + tau^2) / tau^2 * (ln((v + tau^2) / v) - 2 ln 0.05))
    //   = sqrt(0.0002331 * 0.0006331 / 0.0004 * (0.9991608 + 5.9914645)) = 0.0507850.
    const result = alwaysValidTest({ difference: 0.03, variance: 0.0002331, mixingVariance: 0.0004 });
    expect(result.likelihoodRatio).toBeCloseTo(2.0547071, 6);
    expect(result.pValue).toBeCloseTo(0.4866874, 6);
    expect(result.halfWidth).toBeCloseTo(0.050785, 6);
  });

  it('puts the boundary where the p-value crosses alpha', () => {
    // Lambda = 1/alpha exactly on the sequence's edge, by the algebra in alwaysValidTest's comment.
    const { halfWidth } = alwaysValidTest({ difference: 0, variance: 0.01, mixingVariance: 0.02, alpha: 0.05 });
    const onEdge = alwaysValidTest({ difference: halfWidth, variance: 0.01, mixingVariance: 0.02 });
    expect(onEdge.pValue).toBeCloseTo(0.05, 12);
  });

  it('rejects impossible inputs', () => {
    expect(() => alwaysValidTest({ difference: 0, variance: 0, mixingVariance: 1 })).toThrow(/variance/);
    expect(() => alwaysValidTest({ difference: 0, variance: 1, mixingVariance: -1 })).toThrow(/mixingVariance/);
    expect(() => alwaysValidTest({ difference: NaN, variance: 1, mixingVariance: 1 })).toThrow(/difference/);
  });
});

describe('sequentialCompareProportions', () => {
  it('ties the default tau^2 to the variance estimate and the planned sample size, computed by hand', () => {
    // 120/1000 vs 150/1000: v = 0.12 * 0.88 / 1000 + 0.15 * 0.85 / 1000 = 0.0002331; N = 2000,
    // V = N v = 0.4662; c(0.05) = -2 ln 0.05 + ln(1 - 2 ln 0.05) = 5.9914645 + 1.9446901 = 7.9361546;
    // default N* = 10,000: tau^2 = 0.4662 * 7.9361546 / 10000 = 0.000369984.
    const control = { successes: 120, trials: 1000 };
    const treatment = { successes: 150, trials: 1000 };
    const result = sequentialCompareProportions(control, treatment);
    expect(result.mixingVariance).toBeCloseTo(0.000369984, 9);
    expect(result.difference).toBeCloseTo(0.03, 12);
    expect(result.relativeLift).toBeCloseTo(0.25, 12);
    // The same data, fixed-horizon: p = 0.0496 (R's prop.test, see proportions.test.ts). The
    // sequential p-value pays for the freedom to peek, and its interval is wider.
    const fixed = compareProportions(control, treatment);
    expect(result.pValue).toBeGreaterThan(fixed.pValue);
    expect(result.differenceInterval.lower).toBeLessThan(fixed.differenceInterval.lower);
    // An explicit tau^2 is used as given: the hand-computed case above.
    const explicit = sequentialCompareProportions(control, treatment, { mixingVariance: 0.0004 });
    expect(explicit.pValue).toBeCloseTo(0.4866874, 6);
    expect(explicit.differenceInterval.upper).toBeCloseTo(0.03 + 0.050785, 6);
  });

  it('reports no evidence while neither arm varies, and rejects impossible inputs', () => {
    const none = sequentialCompareProportions({ successes: 0, trials: 50 }, { successes: 0, trials: 40 });
    expect(none.pValue).toBe(1);
    expect(none.differenceInterval).toEqual({ lower: -1, upper: 1 });
    expect(() => sequentialCompareProportions({ successes: 5, trials: 4 }, { successes: 1, trials: 4 })).toThrow(
      /control.successes \(5\) cannot exceed/,
    );
    expect(() =>
      sequentialCompareProportions({ successes: 1, trials: 4 }, { successes: 1, trials: 4 }, { plannedSampleSize: 0 }),
    ).toThrow(/plannedSampleSize/);
  });

  describe('on 1,000 seeded A/A experiments with 20 looks', () => {
    // Conversion 10% in both arms; a look after every 100 users per arm, up to 2,000 per arm.
    // The sequential test is tuned to the final size (N* = 4,000 users).
    const random = mulberry32(424242);
    const experiments = 1000;
    const looks = 20;
    const usersPerLook = 100;
    const rate = 0.1;
    let fixedAnyLook = 0;
    let fixedLastLook = 0;
    let sequentialAnyLook = 0;
    beforeAll(() => {
      for (let run = 0; run < experiments; run += 1) {
        const control = { successes: 0, trials: 0 };
        const treatment = { successes: 0, trials: 0 };
        let fixedRejected = false;
        let sequentialRejected = false;
        for (let look = 1; look <= looks; look += 1) {
          for (let user = 0; user < usersPerLook; user += 1) {
            if (random() < rate) control.successes += 1;
            if (random() < rate) treatment.successes += 1;
          }
          control.trials += usersPerLook;
          treatment.trials += usersPerLook;
          const fixed = compareProportions(control, treatment);
          if (fixed.pValue < 0.05) fixedRejected = true;
          if (look === looks && fixed.pValue < 0.05) fixedLastLook += 1;
          const sequential = sequentialCompareProportions(control, treatment, { plannedSampleSize: 4000 });
          if (sequential.pValue < 0.05) sequentialRejected = true;
        }
        if (fixedRejected) fixedAnyLook += 1;
        if (sequentialRejected) sequentialAnyLook += 1;
      }
    });

    it('peeking at the fixed-horizon test inflates false positives well above 5%', () => {
      // Armitage, McPherson and Rowe (1969): 20 looks at a nominal 5% test give a false positive
      // rate of about 25%; 15% is far above anything a 5% test could show (~11 SD above 50).
      expect(fixedAnyLook / experiments).toBeGreaterThan(0.15);
    });

    it('the sequential test stays at or under 5% however often it is looked at', () => {
      expect(sequentialAnyLook / experiments).toBeLessThanOrEqual(0.05);
    });

    it('the fixed-horizon test looked at once is significant in 3.5% to 6.5% of them', () => {
      // Binomial(1000, 0.05): mean 50, SD 6.9; 35..65 is about 2.2 SD either side.
      expect(fixedLastLook / experiments).toBeGreaterThanOrEqual(0.035);
      expect(fixedLastLook / experiments).toBeLessThanOrEqual(0.065);
    });
  });

  it('still finds a real effect: 10% vs 13% with 2,000 users per arm and 20 looks', () => {
    // By hand, at the last look alone: v = 0.1 * 0.9 / 2000 + 0.13 * 0.87 / 2000 = 0.00010155,
    // expected z = 0.03 / sqrt(v) = 2.977; with N = N* the boundary for |z| is
    // sqrt((1 + c) / c * (ln(1 + c) - 2 ln 0.05)), c = 7.9361546: sqrt(1.1260 * 8.1820) = 3.035;
    // so P(reject at the last look) ~ P(Z > 3.035 - 2.977) = 0.477, and any look can only add.
    // At least 40% of 300 runs (SD of the share ~ 2.9 points) must reject.
    const random = mulberry32(777);
    const runs = 300;
    let rejected = 0;
    for (let run = 0; run < runs; run += 1) {
      const control = { successes: 0, trials: 0 };
      const treatment = { successes: 0, trials: 0 };
      for (let look = 1; look <= 20; look += 1) {
        for (let user = 0; user < 100; user += 1) {
          if (random() < 0.1) control.successes += 1;
          if (random() < 0.13) treatment.successes += 1;
        }
        control.trials += 100;
        treatment.trials += 100;
        if (sequentialCompareProportions(control, treatment, { plannedSampleSize: 4000 }).pValue < 0.05) {
          rejected += 1;
          break;
        }
      }
    }
    expect(rejected / runs).toBeGreaterThanOrEqual(0.4);
  });
});

describe('sequentialCompareMeans', () => {
  it('keeps A/A false positives at or under 5% over 20 looks at normal data', () => {
    // 300 experiments; each look adds 50 users per arm of N(10, 3^2); sums kept as the metrics
    // engine would keep them.
    const normal = standardNormal(mulberry32(99));
    let rejected = 0;
    for (let run = 0; run < 300; run += 1) {
      const sums = [
        { n: 0, sum: 0, sumSquares: 0 },
        { n: 0, sum: 0, sumSquares: 0 },
      ];
      for (let look = 1; look <= 20; look += 1) {
        for (const arm of sums) {
          for (let user = 0; user < 50; user += 1) {
            const y = 10 + 3 * normal();
            arm.n += 1;
            arm.sum += y;
            arm.sumSquares += y * y;
          }
        }
        const [control, treatment] = sums.map((arm) => {
          const mean = arm.sum / arm.n;
          return { n: arm.n, mean, variance: (arm.sumSquares - arm.sum * mean) / (arm.n - 1) };
        });
        if (sequentialCompareMeans(control, treatment, { plannedSampleSize: 2000 }).pValue < 0.05) {
          rejected += 1;
          break;
        }
      }
    }
    expect(rejected / 300).toBeLessThanOrEqual(0.05);
  });

  it('computes the mixture test on the Welch variance, computed by hand', () => {
    // control {n 100, mean 10, var 4}, treatment {n 100, mean 11, var 9}: v = 0.04 + 0.09 = 0.13,
    // D = 1; tau^2 = 0.13 (given): Lambda = sqrt(0.13 / 0.26) exp(0.13 * 1 / (2 * 0.13 * 0.26))
    // = 0.7071068 * exp(1.9230769) = 0.7071068 * 6.8418 = 4.8380; p = 0.2067.
    // Half width = sqrt(0.13 * 0.26 / 0.13 * (ln 2 + 5.9914645)) = sqrt(0.26 * 6.6846117) = 1.3183.
    const result = sequentialCompareMeans(
      { n: 100, mean: 10, variance: 4 },
      { n: 100, mean: 11, variance: 9 },
      { mixingVariance: 0.13 },
    );
    expect(result.likelihoodRatio).toBeCloseTo(4.838, 3);
    expect(result.pValue).toBeCloseTo(0.2067, 4);
    expect(result.differenceInterval.lower).toBeCloseTo(1 - 1.3183, 4);
    expect(() => sequentialCompareMeans({ n: 1, mean: 0, variance: 1 }, { n: 5, mean: 0, variance: 1 })).toThrow(
      /control.n/,
    );
  });
});
