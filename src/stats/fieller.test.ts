import { fiellerInterval, fiellerIntervalAnyCovariance } from './fieller';

const Z = 1.959963984540054; // qnorm(0.975)
const EXAMPLE = { numerator: 2, denominator: 0.1, numeratorVariance: 0.25, denominatorVariance: 0.0004 };

describe('fiellerInterval', () => {
  it('solves the quadratic, computed by hand', () => {
    // a = 2, b = 0.1, v_aa = 0.25, v_bb = 0.0004, v_ab = 0.002, t = 1.959964:
    // A = b^2 - t^2 v_bb = 0.01 - 0.0015366 = 0.0084634; B = ab - t^2 v_ab = 0.2 - 0.0076829 = 0.1923171;
    // C = a^2 - t^2 v_aa = 4 - 0.9603647 = 3.0396353; roots (B -/+ sqrt(B^2 - AC)) / A = [10.185388, 35.261291].
    // (The delta method's 20 -/+ 1.96 * 5.744563 = [8.74, 31.26] is symmetric, which a ratio's is not.)
    const interval = fiellerInterval({ ...EXAMPLE, covariance: 0.002 }, Z);
    expect(interval.bounded).toBe(true);
    expect(interval.lower).toBeCloseTo(10.185388, 5);
    expect(interval.upper).toBeCloseTo(35.261291, 5);
  });

  it('is unbounded when the denominator’s interval includes 0', () => {
    // b = 0.03, s_b = 0.02: b^2 - t^2 v_bb = 0.0009 - 0.0015366 < 0.
    expect(fiellerInterval({ ...EXAMPLE, denominator: 0.03, covariance: 0 }, Z)).toEqual({ bounded: false, lower: null, upper: null });
  });
});

describe('fiellerIntervalAnyCovariance', () => {
  it('is the box of ratios, equal to Fieller at the worst correlation, computed by hand', () => {
    // s_a = 0.5, s_b = 0.02: [(2 - 0.979982) / (0.1 + 0.039199), (2 + 0.979982) / (0.1 - 0.039199)]
    // = [7.327753, 49.012281], which is Fieller's interval with v_ab = -s_a s_b = -0.01.
    const interval = fiellerIntervalAnyCovariance(EXAMPLE, Z);
    expect(interval.lower).toBeCloseTo(7.327753, 5);
    expect(interval.upper).toBeCloseTo(49.012281, 5);
    const worst = fiellerInterval({ ...EXAMPLE, covariance: -0.01 }, Z);
    expect(worst.lower).toBeCloseTo(interval.lower!, 8);
    expect(worst.upper).toBeCloseTo(interval.upper!, 8);
    // It contains Fieller's interval for any covariance.
    for (const covariance of [-0.01, -0.005, 0, 0.005, 0.01]) {
      const f = fiellerInterval({ ...EXAMPLE, covariance }, Z);
      expect(f.lower!).toBeGreaterThanOrEqual(interval.lower! - 1e-9);
      expect(f.upper!).toBeLessThanOrEqual(interval.upper! + 1e-9);
    }
  });

  it('handles a numerator interval through 0 and a negative denominator', () => {
    // a = 0.5, s_a = 0.5: A in [-0.479982, 1.479982]; B in [0.060801, 0.139199]: [-0.479982/0.060801, 1.479982/0.060801].
    const through = fiellerIntervalAnyCovariance({ ...EXAMPLE, numerator: 0.5 }, Z);
    expect(through.lower).toBeCloseTo(-0.479982 / 0.060801, 3);
    expect(through.upper).toBeCloseTo(1.479982 / 0.060801, 3);
    const negative = fiellerIntervalAnyCovariance({ ...EXAMPLE, numerator: -2, denominator: -0.1 }, Z);
    expect(negative.lower).toBeCloseTo(7.327753, 5);
    expect(negative.upper).toBeCloseTo(49.012281, 5);
    expect(fiellerIntervalAnyCovariance({ ...EXAMPLE, denominator: 0.03 }, Z).bounded).toBe(false);
    expect(fiellerIntervalAnyCovariance({ ...EXAMPLE, denominator: 0, denominatorVariance: 0 }, Z).bounded).toBe(false);
  });
});
