import { sampleSizeForMeans } from './sample-size-means';

describe('sampleSizeForMeans', () => {
  it('matches the normal-approximation formula computed by hand', () => {
    // qnorm(0.975) = 1.959964, qnorm(0.8) = 0.841621; (2.801585)^2 = 7.848879;
    // n = 2 * 7.848879 * 1 / 0.25 = 62.79103 (R's t-based power.t.test(delta = .5, sd = 1, power = .8) says 63.77).
    expect(sampleSizeForMeans({ difference: 0.5, variance: 1 })).toBeCloseTo(62.79103, 3);
    // Sign of the difference does not matter; variance 4 and difference 1 give the same n.
    expect(sampleSizeForMeans({ difference: -1, variance: 4 })).toBeCloseTo(62.79103, 3);
  });

  it('rejects impossible inputs', () => {
    expect(() => sampleSizeForMeans({ difference: 0, variance: 1 })).toThrow(/difference/);
    expect(() => sampleSizeForMeans({ difference: 1, variance: 0 })).toThrow(/variance/);
    expect(() => sampleSizeForMeans({ difference: 1, variance: 1, power: 1 })).toThrow(/power/);
  });
});
