import {
  chiSquareUpperTail,
  fUpperTail,
  logGamma,
  normalCdf,
  normalOneSidedPValue,
  normalTwoSidedPValue,
  normalUpperTail,
  P_VALUE_FLOOR,
  studentTTwoSidedPValue,
} from './distributions';

// ---- Independent references, none of which calls the code under test -------------------------

/** pi to 150 digits (published). */
const PI_DIGITS =
  '314159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230664709384460955058223172535940812848111745';
const DIGITS = 140n;
const SCALE = 10n ** DIGITS;

function isqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/** A fixed-point BigInt (value * SCALE) as a double, however small. */
function toNumber(fixed: bigint): number {
  return Number(`${fixed.toString()}e-${DIGITS}`);
}

/**
 * P(Z > z) for z = numerator / denominator in 140-digit fixed point, from Marsaglia's series
 * Phi(z) - 1/2 = phi(z) * sum_n z^(2n+1) / (1 * 3 * ... * (2n+1)), every term positive; the
 * cancellation in 1/2 - (Phi(z) - 1/2) and the e^(z^2/2) in phi cost digits the fixed point has
 * to spare for z <= 12 (beyond, the asymptotic series below is the reference).
 */
function bigNormalUpperTail(numerator: bigint, denominator: bigint): number {
  const pi = BigInt(PI_DIGITS.slice(0, Number(DIGITS) + 1));
  const sqrtTwoPi = isqrt(2n * pi * SCALE); // sqrt(2 pi) * SCALE
  const halfSquare = (numerator * numerator * SCALE) / (2n * denominator * denominator); // (z^2 / 2) * SCALE
  let expTerm = SCALE;
  let exp = SCALE;
  for (let k = 1n; expTerm !== 0n; k++) {
    expTerm = (expTerm * halfSquare) / (k * SCALE);
    exp += expTerm;
  }
  const density = (SCALE * SCALE * SCALE) / (exp * sqrtTwoPi); // phi(z) * SCALE
  let term = (numerator * SCALE) / denominator;
  let sum = term;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * numerator * numerator) / (denominator * denominator * (2n * n + 1n));
    sum += term;
  }
  return toNumber(SCALE / 2n - (density * sum) / SCALE);
}

/** P(Z > z) for large z by the asymptotic series phi(z)/z * sum (-1)^n (2n-1)!! / z^(2n), truncated at its smallest term. */
function asymptoticNormalUpperTail(z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 1; n < z * z / 2; n++) {
    const next = (-term * (2 * n - 1)) / (z * z);
    if (Math.abs(next) > Math.abs(term)) break;
    term = next;
    sum += term;
  }
  return (Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) / z) * sum;
}

/** Chi-square upper tail with even df = 2k: exp(-x/2) sum_{j<k} (x/2)^j / j!, in logarithms. */
function evenChiSquareUpperTail(x: number, df: number): number {
  let logTerm = -x / 2;
  let sum = Math.exp(logTerm);
  for (let j = 1; j < df / 2; j++) {
    logTerm += Math.log(x / 2) - Math.log(j);
    sum += Math.exp(logTerm);
  }
  return sum;
}

/**
 * P(T > t) by Simpson's rule after s = 1/u: c * integral_0^(1/t) u^(nu-1) (u^2 + 1/nu)^(-(nu+1)/2) du,
 * a smooth integrand on a finite interval; c = Gamma((nu+1)/2) / (sqrt(nu pi) Gamma(nu/2)) is passed in.
 */
function integratedStudentTUpperTail(t: number, nu: number, c: number): number {
  const steps = 20_000;
  const upper = 1 / t;
  const h = upper / steps;
  const f = (u: number) => (u === 0 ? 0 : u ** (nu - 1) * (u * u + 1 / nu) ** (-(nu + 1) / 2));
  let sum = f(0) + f(upper);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return (c * sum * h) / 3;
}

function expectRelative(actual: number, expected: number, tolerance = 1e-6): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThan(tolerance);
}

describe('the reference computations themselves', () => {
  it('reproduce published values', () => {
    // 2*pnorm(-1.96) = 0.04999579; 2*pnorm(-10) = 1.523970e-23; pnorm(-37.5) = 4.605353e-308.
    expectRelative(2 * bigNormalUpperTail(196n, 100n), 0.04999579, 1e-7);
    expectRelative(2 * bigNormalUpperTail(10n, 1n), 1.52397e-23, 1e-6);
    expectRelative(asymptoticNormalUpperTail(37.5), 4.605353e-308, 1e-6);
    // The two references agree where both hold.
    expectRelative(asymptoticNormalUpperTail(15), bigNormalUpperTail(15n, 1n), 1e-12);
  });
});

describe('normal tails', () => {
  it.each([
    [0n, 1n], [1n, 2n], [196n, 100n], [3n, 1n], [5n, 1n], [7n, 1n], [83n, 10n], [10n, 1n], [12n, 1n],
  ])('2 * pnorm(-%s/%s) to 1e-9 relative against a 140-digit series', (numerator, denominator) => {
    const z = Number(numerator) / Number(denominator);
    const expected = 2 * bigNormalUpperTail(numerator, denominator);
    expectRelative(normalTwoSidedPValue(z), expected, 1e-9);
    expectRelative(normalTwoSidedPValue(-z), expected, 1e-9);
  });

  it('2 * pnorm(-10) = 1.523970e-23 (R), not the 0 of 1 - cdf', () => {
    expectRelative(normalTwoSidedPValue(10), 1.52397e-23);
  });

  it('stays exact down to 1e-300 (asymptotic series) and reports the floor below', () => {
    for (const z of [25, 30, 35, 37]) expectRelative(normalTwoSidedPValue(z), 2 * asymptoticNormalUpperTail(z), 1e-9);
    // 2*pnorm(-37.5) = 9.2e-308 < 1e-300: reported as the bound.
    expect(normalTwoSidedPValue(37.5)).toBe(P_VALUE_FLOOR);
    expect(normalTwoSidedPValue(1e6)).toBe(P_VALUE_FLOOR);
    expect(normalOneSidedPValue(37.5)).toBe(P_VALUE_FLOOR);
    // The unfloored tail is right where doubles still hold it: pnorm(-37.5) = 4.605353e-308.
    expectRelative(normalUpperTail(37.5), 4.605353e-308, 1e-6);
  });

  it('one-sided and cdf agree with the same references', () => {
    expectRelative(normalOneSidedPValue(5), bigNormalUpperTail(5n, 1n), 1e-9);
    expect(normalOneSidedPValue(-5)).toBeCloseTo(1 - bigNormalUpperTail(5n, 1n), 15);
    expectRelative(normalCdf(-8.3), bigNormalUpperTail(83n, 10n), 1e-9);
    expect(normalCdf(1.96)).toBeCloseTo(1 - 0.04999579 / 2, 8);
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
  });
});

describe('chi-square tails', () => {
  it('pchisq(x, 1, lower.tail = FALSE) = 2 * pnorm(-sqrt(x))', () => {
    // pchisq(64, 1, lower.tail=FALSE) = 2*pnorm(-8); pchisq(400, 1, ...) = 2*pnorm(-20).
    expectRelative(chiSquareUpperTail(64, 1), 2 * bigNormalUpperTail(8n, 1n), 1e-9);
    expectRelative(chiSquareUpperTail(400, 1), 2 * asymptoticNormalUpperTail(20), 1e-9);
    expectRelative(chiSquareUpperTail(0.25, 1), 2 * bigNormalUpperTail(1n, 2n), 1e-9);
    // pchisq(50, 1, lower.tail=FALSE) = 1.537460e-12 (R); sqrt(50) by the asymptotic series (about 1e-10 there).
    expectRelative(chiSquareUpperTail(50, 1), 2 * asymptoticNormalUpperTail(Math.sqrt(50)), 1e-8);
    expectRelative(chiSquareUpperTail(50, 1), 1.53746e-12, 1e-5);
  });

  it.each([
    [8, 2], [70, 2], [50, 4], [50, 10], [200, 10], [1000, 4], [1300, 6], [3, 30], [30, 30],
  ])('pchisq(%s, %s, lower.tail = FALSE) matches the closed form for even df', (x, df) => {
    expectRelative(chiSquareUpperTail(x, df), evenChiSquareUpperTail(x, df), 1e-9);
  });

  it('reports the floor, never 0, beyond 1e-300', () => {
    expect(chiSquareUpperTail(1500, 1)).toBe(P_VALUE_FLOOR);
    expect(chiSquareUpperTail(1e9, 3)).toBe(P_VALUE_FLOOR);
    expect(chiSquareUpperTail(0, 3)).toBe(1);
  });
});

describe('Student t tails', () => {
  it('2*pt(-40, 10) against the integrated density', () => {
    // c = Gamma(5.5) / (sqrt(10 pi) Gamma(5)) = (945 sqrt(pi) / 32) / (sqrt(10 pi) * 24) = 945 / (768 sqrt(10)).
    const c = 945 / (768 * Math.sqrt(10));
    for (const t of [1, 2.228139, 5, 40, 1000]) {
      expectRelative(studentTTwoSidedPValue(t, 10), 2 * integratedStudentTUpperTail(t, 10, c), 1e-8);
    }
    // qt(0.975, 10) = 2.228139 (published tables), so its two-sided p is 0.05.
    expect(studentTTwoSidedPValue(2.228139, 10)).toBeCloseTo(0.05, 6);
  });

  it('matches the closed forms for 1 and 2 degrees of freedom, far into the tail', () => {
    // nu = 1 (Cauchy): 2*pt(-t, 1) = 2 atan(1/t) / pi. nu = 2: pt(-t, 2) = 1 / ((sqrt(2+t^2) + t) sqrt(2+t^2)).
    for (const t of [0.5, 3, 1e3, 1e6, 1e12]) expectRelative(studentTTwoSidedPValue(t, 1), (2 * Math.atan(1 / t)) / Math.PI, 1e-9);
    for (const t of [0.5, 3, 1e3, 1e50, 1e100]) {
      const root = Math.sqrt(2 + t * t);
      expectRelative(studentTTwoSidedPValue(t, 2), 2 / ((root + t) * root), 1e-9);
    }
    // nu = 3: c = Gamma(2) / (sqrt(3 pi) Gamma(1.5)) = 2 / (pi sqrt(3)).
    expectRelative(studentTTwoSidedPValue(7.5, 3), 2 * integratedStudentTUpperTail(7.5, 3, 2 / (Math.PI * Math.sqrt(3))), 1e-8);
  });

  it('approaches the normal with many degrees of freedom, and floors beyond 1e-300', () => {
    expectRelative(studentTTwoSidedPValue(5, 1e9), 2 * bigNormalUpperTail(5n, 1n), 1e-6);
    expect(studentTTwoSidedPValue(1e200, 2)).toBe(P_VALUE_FLOOR);
    expect(studentTTwoSidedPValue(0, 7.3)).toBeCloseTo(1, 12);
  });
});

describe('F tails', () => {
  it('pf(f, 2, d2, lower.tail = FALSE) = (d2 / (d2 + 2 f))^(d2 / 2)', () => {
    for (const [f, d2] of [[3, 10], [0.5, 7], [1e6, 20], [40, 60]]) expectRelative(fUpperTail(f, 2, d2), (d2 / (d2 + 2 * f)) ** (d2 / 2), 1e-9);
  });

  it('pf(t^2, 1, nu, lower.tail = FALSE) = 2 * pt(-t, nu)', () => {
    const t = 30;
    const root = Math.sqrt(2 + t * t);
    expectRelative(fUpperTail(t * t, 1, 2), 2 / ((root + t) * root), 1e-9);
    expect(fUpperTail(0, 3, 4)).toBe(1);
  });
});

describe('logGamma', () => {
  it('matches exact factorials and Gamma(1/2) = sqrt(pi)', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(21)).toBeCloseTo(Math.log(2432902008176640000), 12);
  });
});
