import {
  minimumDetectableDifferenceForMeans,
  minimumDetectableEffect,
  powerForProportions,
  sampleSizeForMeans,
  sampleSizeForProportions,
} from './power';

describe('sampleSizeForProportions', () => {
  it("matches R's ?power.prop.test example power.prop.test(p1 = .50, p2 = .75, power = .90)", () => {
    // The R help page annotates this example "=> n = 76.7" (https://rdrr.io/r/stats/power.prop.test.html).
    // By hand: qnorm(0.975) = 1.959964, qnorm(0.9) = 1.281552,
    // sqrt((0.5 + 0.75) * (1 - 1.25 / 2)) = sqrt(0.46875) = 0.684653,
    // sqrt(0.5 * 0.5 + 0.75 * 0.25) = sqrt(0.4375) = 0.661438,
    // n = ((1.959964 * 0.684653 + 1.281552 * 0.661438) / 0.25)^2 = (2.189556 / 0.25)^2 = 76.7069.
    const n = sampleSizeForProportions({ p1: 0.5, p2: 0.75, alpha: 0.05, power: 0.9 });
    expect(n).toBeCloseTo(76.7069, 3);
  });

  it('is symmetric in p1 and p2 and rejects impossible inputs', () => {
    expect(sampleSizeForProportions({ p1: 0.75, p2: 0.5, power: 0.9 })).toBeCloseTo(
      sampleSizeForProportions({ p1: 0.5, p2: 0.75, power: 0.9 }),
      10,
    );
    expect(() => sampleSizeForProportions({ p1: 0.1, p2: 0.1 })).toThrow(/must differ/);
    expect(() => sampleSizeForProportions({ p1: 0, p2: 0.1 })).toThrow(/p1/);
    expect(() => sampleSizeForProportions({ p1: 0.1, p2: 0.2, power: 1 })).toThrow(/power/);
  });
});

describe('powerForProportions', () => {
  it("matches R's ?power.prop.test example power.prop.test(n = 50, p1 = .50, p2 = .75)", () => {
    // The R help page annotates this example "=> power = 0.740". By hand:
    // (sqrt(50) * 0.25 - 1.959964 * 0.684653) / 0.661438 = (1.767767 - 1.341894) / 0.661438
    // = 0.643859; pnorm(0.643859) = 0.740166.
    expect(powerForProportions({ n: 50, p1: 0.5, p2: 0.75 })).toBeCloseTo(0.740166, 5);
  });
});

describe('minimumDetectableEffect', () => {
  it("matches R's ?power.prop.test example power.prop.test(n = 50, p1 = .5, power = .90)", () => {
    // The R help page annotates this example "=> p2 = 0.8026". Checked by hand with the power
    // formula above (evaluated with Python's statistics.NormalDist): power at p2 = 0.80255 is 0.89982 and at p2 = 0.80265 is 0.90004.
    const effect = minimumDetectableEffect({ n: 50, p1: 0.5, alpha: 0.05, power: 0.9 });
    expect(effect.p2).toBeGreaterThan(0.80255);
    expect(effect.p2).toBeLessThan(0.80265);
    expect(effect.absoluteDifference).toBeCloseTo(effect.p2 - 0.5, 12);
    expect(effect.relativeLift).toBeCloseTo(effect.p2 / 0.5 - 1, 12);
  });

  it('rejects targets no rate can reach and impossible inputs', () => {
    // R's help page notes that with n = 30 and p1 = 0.9 no p2 in (0.9, 1) gives power 0.8 even
    // with strict = TRUE; strict = FALSE power is lower still, so no rate can qualify here.
    expect(() => minimumDetectableEffect({ n: 30, p1: 0.9, power: 0.8 })).toThrow(
      /no rate above p1 = 0.9 reaches power 0.8/,
    );
    expect(() => minimumDetectableEffect({ n: 1, p1: 0.5 })).toThrow(/n must be at least 2/);
    expect(() => minimumDetectableEffect({ n: 100, p1: 1.5 })).toThrow(/p1/);
  });
});

describe('sampleSizeForMeans', () => {
  it('uses the normal approximation, computed by hand', () => {
    // qnorm(0.975) + qnorm(0.8) = 1.9599640 + 0.8416212 = 2.8015852; squared 7.8488797;
    // sd 1, difference 0.5: n = 2 * 7.8488797 / 0.25 = 62.791038 (R's t-based power.t.test: 63.77).
    expect(sampleSizeForMeans({ standardDeviation: 1, difference: 0.5 })).toBeCloseTo(62.791038, 5);
    expect(sampleSizeForMeans({ standardDeviation: 1, difference: -0.5 })).toBeCloseTo(62.791038, 5);
    // sd 30, difference 10, power 0.9: (1.9599640 + 1.2815516) * 3 = 9.7245468; 2 * 94.566810 = 189.13362.
    expect(sampleSizeForMeans({ standardDeviation: 30, difference: 10, power: 0.9 })).toBeCloseTo(189.13362, 4);
  });

  it('rejects impossible inputs', () => {
    expect(() => sampleSizeForMeans({ standardDeviation: 0, difference: 1 })).toThrow(/standardDeviation/);
    expect(() => sampleSizeForMeans({ standardDeviation: 1, difference: 0 })).toThrow(/non-zero/);
    expect(() => sampleSizeForMeans({ standardDeviation: 1, difference: 1, alpha: 0 })).toThrow(/alpha/);
  });
});

describe('minimumDetectableDifferenceForMeans', () => {
  it('inverts the sample size, computed by hand', () => {
    // n = 63, sd 1: 2.8015852 * sqrt(2 / 63) = 2.8015852 * 0.1781742 = 0.4991701.
    expect(minimumDetectableDifferenceForMeans({ n: 63, standardDeviation: 1 })).toBeCloseTo(0.4991701, 6);
    expect(() => minimumDetectableDifferenceForMeans({ n: 1, standardDeviation: 1 })).toThrow(/n must be at least 2/);
  });
});
