import { wilsonInterval, armSummaryOfProportion, compareProportions } from './proportions';
import { mulberry32 } from '../common/random';
import { meanSummaryOf } from './summary';

describe('compareProportions', () => {
  it('matches prop.test(c(120, 150), c(1000, 1000), correct = FALSE), computed by hand', () => {
    // control 120/1000 = 0.12, treatment 150/1000 = 0.15, difference 0.03.
    // Pooled rate 270/2000 = 0.135; pooled SE = sqrt(0.135 * 0.865 * (1/1000 + 1/1000))
    //   = sqrt(0.116775 * 0.002) = sqrt(0.00023355) = 0.0152823428.
    // z = 0.03 / 0.0152823428 = 1.9630498; X-squared = z^2 = 0.0009 / 0.00023355 = 3.8535645.
    // Cross-check on the 2x2 table: expected 135 and 865 per arm, X-squared =
    //   2 * 15^2 / 135 + 2 * 15^2 / 865 = 3.3333333 + 0.5202312 = 3.8535645.
    // p = P(chi2_1 > 3.8535645) = erfc(1.9630498 / sqrt 2) = 0.0496404.
    // Wald SE = sqrt(0.12 * 0.88 / 1000 + 0.15 * 0.85 / 1000) = sqrt(0.0001056 + 0.0001275)
    //   = sqrt(0.0002331) = 0.0152676128; qnorm(0.975) = 1.9599640; half width = 0.0299241.
    // Interval = 0.03 -/+ 0.0299241 = [0.0000760, 0.0599240].
    // Lift = 0.15 / 0.12 - 1 = 0.25; delta-method Var(ratio) = 0.0001275 / 0.12^2
    //   + 0.15^2 * 0.0001056 / 0.12^4 = 0.0088541667 + 0.0114583333 = 0.0203125;
    //   SE = 0.1425219. Student t at Welch's df (gbstats' convention): v_c = 0.0001056, v_t = 0.0001275,
    //   df = (v_c + v_t)^2 / (v_c^2/999 + v_t^2/999) = 1980.5183; qt(0.975, 1980.5183) = 1.9611625
    //   (scipy.stats.t.ppf); half width 0.2795087; interval [-0.0295087, 0.5295087];
    //   2*pt(-0.25/0.1425219, 1980.5183) = 0.0795653 (scipy.stats.t.sf).
    const result = compareProportions(
      { successes: 120, trials: 1000 },
      { successes: 150, trials: 1000 },
    );
    expect(result.controlMean).toBeCloseTo(0.12, 12);
    expect(result.treatmentMean).toBeCloseTo(0.15, 12);
    expect(result.difference).toBeCloseTo(0.03, 12);
    expect(result.zStatistic).toBeCloseTo(1.9630498, 6);
    expect(result.zStatistic ** 2).toBeCloseTo(3.8535645, 6);
    expect(result.pValue).toBeCloseTo(0.0496404, 6);
    expect(result.differenceInterval.lower).toBeCloseTo(0.000076, 6);
    expect(result.differenceInterval.upper).toBeCloseTo(0.059924, 6);
    expect(result.relativeLift).toBeCloseTo(0.25, 12);
    expect(result.relativeLiftInterval?.lower).toBeCloseTo(-0.0295087, 6);
    expect(result.relativeLiftInterval?.upper).toBeCloseTo(0.5295087, 6);
    expect(result.relativeLiftPValue).toBeCloseTo(0.0795653, 6);
  });

  it('matches a published R prop.test(correct = FALSE) output', () => {
    // https://influentialpoints.com/notes/n9rmf3.htm prints: X-squared = 6.1026, df = 1,
    // p-value = 0.01350, 95 percent CI 0.03074072 0.23838896, prop 1 = 0.4392523,
    // prop 2 = 0.3046875, i.e. 94/214 versus 39/128. R reports prop 1 - prop 2, so prop 2 is
    // our control.
    const result = compareProportions(
      { successes: 39, trials: 128 },
      { successes: 94, trials: 214 },
    );
    expect(result.treatmentMean).toBeCloseTo(0.4392523, 7);
    expect(result.controlMean).toBeCloseTo(0.3046875, 7);
    expect(result.zStatistic ** 2).toBeCloseTo(6.1026, 4);
    expect(result.pValue).toBeCloseTo(0.0135, 5);
    expect(result.differenceInterval.lower).toBeCloseTo(0.03074072, 8);
    expect(result.differenceInterval.upper).toBeCloseTo(0.23838896, 8);
  });

  it('widens the interval for a smaller alpha', () => {
    const control = { successes: 120, trials: 1000 };
    const treatment = { successes: 150, trials: 1000 };
    const at95 = compareProportions(control, treatment, 0.05);
    const at99 = compareProportions(control, treatment, 0.01);
    // qnorm(0.995) = 2.5758293; half width = 2.5758293 * 0.0152676128 = 0.0393268 (by hand).
    expect(at99.differenceInterval.upper - at99.difference).toBeCloseTo(0.0393268, 6);
    expect(at99.pValue).toBe(at95.pValue);
  });

  it('reports no lift when the control rate is zero, and p = 1 when no arm has any success', () => {
    const zeroControl = compareProportions(
      { successes: 0, trials: 100 },
      { successes: 5, trials: 100 },
    );
    expect(zeroControl.relativeLift).toBeNull();
    expect(zeroControl.relativeLiftInterval).toBeNull();

    const nothingAnywhere = compareProportions(
      { successes: 0, trials: 100 },
      { successes: 0, trials: 100 },
    );
    expect(nothingAnywhere.pValue).toBe(1);
    expect(nothingAnywhere.difference).toBe(0);
  });

  it('rejects impossible inputs', () => {
    const valid = { successes: 1, trials: 10 };
    expect(() => compareProportions({ successes: 11, trials: 10 }, valid)).toThrow(
      /control.successes \(11\) cannot exceed control.trials \(10\)/,
    );
    expect(() => compareProportions(valid, { successes: 0, trials: 0 })).toThrow(RangeError);
    expect(() => compareProportions(valid, { successes: -1, trials: 10 })).toThrow(RangeError);
    expect(() => compareProportions(valid, { successes: 1.5, trials: 10 })).toThrow(RangeError);
    expect(() => compareProportions(valid, valid, 0)).toThrow(/alpha/);
    expect(() => compareProportions(valid, valid, 1.2)).toThrow(RangeError);
  });

  it('keeps the false positive rate near alpha over 1,000 seeded A/A comparisons', () => {
    const random = mulberry32(20261124);
    const usersPerArm = 2000;
    const conversionRate = 0.1;
    const drawConversions = (): number => {
      let conversions = 0;
      for (let user = 0; user < usersPerArm; user += 1) {
        if (random() < conversionRate) conversions += 1;
      }
      return conversions;
    };

    const comparisons = 1000;
    let significant = 0;
    for (let run = 0; run < comparisons; run += 1) {
      const result = compareProportions(
        { successes: drawConversions(), trials: usersPerArm },
        { successes: drawConversions(), trials: usersPerArm },
      );
      if (result.pValue < 0.05) significant += 1;
    }
    // The count of false positives is Binomial(1000, 0.05): mean 50, SD 6.9; the seed makes the
    // run deterministic, and 35..65 (about 2.2 SD either side) would catch a miscalibrated test.
    expect(significant / comparisons).toBeGreaterThanOrEqual(0.035);
    expect(significant / comparisons).toBeLessThanOrEqual(0.065);
  });
});

describe('armSummaryOfProportion', () => {
  it('is a mean of 0/1 values, computed by hand', () => {
    // 30 of 100: sum = sum of squares = 30; mean 0.3; sample variance (30 - 30 * 0.3) / 99 = 0.2121212.
    const arm = armSummaryOfProportion({ successes: 30, trials: 100 });
    expect(arm).toEqual({ n: 100, sum: 30, sumSquares: 30 });
    expect(meanSummaryOf(arm).mean).toBeCloseTo(0.3, 12);
    expect(meanSummaryOf(arm).variance).toBeCloseTo(0.2121212, 7);
  });
});

describe('wilsonInterval', () => {
  const z95 = 1.959963984540054; // qnorm(0.975)
  it('matches prop.test(8, 660, correct = FALSE)$conf.int, computed by hand', () => {
    // p = 8/660, z^2/n = 0.00582039; centre (p + z^2/2n) / (1 + z^2/n) = 0.0149444,
    // half width z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2) = 0.0087899: [0.006154529, 0.023734322].
    // (The clamped Wald interval was [0.0038, 0.0205], which misses the true 2.1% only barely.)
    const interval = wilsonInterval(8, 660, z95);
    expect(interval.lower).toBeCloseTo(0.006154529, 8);
    expect(interval.upper).toBeCloseTo(0.023734322, 8);
  });

  it('gives 0 of 111 a non-degenerate interval [0, z^2/(n + z^2)]', () => {
    // upper = (z^2/n) / (1 + z^2/n) = 3.841459 / 114.841459 = 0.0334501.
    const interval = wilsonInterval(0, 111, z95);
    expect(interval.lower).toBe(0);
    expect(interval.upper).toBeCloseTo(0.0334501047, 9);
    expect(wilsonInterval(111, 111, z95).lower).toBeCloseTo(1 - interval.upper, 12);
    expect(wilsonInterval(111, 111, z95).upper).toBe(1);
  });

  it('one-sided 95% bounds with qnorm(0.95) = 1.644854: 3 of 112', () => {
    // By hand: centre 0.03794735, half width 0.02719283 -> [0.01075452, 0.06514018].
    const interval = wilsonInterval(3, 112, 1.6448536269514722);
    expect(interval.lower).toBeCloseTo(0.010754522, 8);
    expect(interval.upper).toBeCloseTo(0.065140184, 8);
  });
});
