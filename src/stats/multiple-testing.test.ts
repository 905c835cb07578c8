import { adjustPValues } from './multiple-testing';

describe('adjustPValues', () => {
  it("matches p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), 'holm'), computed by hand", () => {
    // m = 5; multipliers m - i + 1 = 5, 4, 3, 2, 1:
    // 0.05, 0.08, 0.09, 0.08, 0.05; cumulative maxima: 0.05, 0.08, 0.09, 0.09, 0.09.
    const adjusted = adjustPValues([0.01, 0.02, 0.03, 0.04, 0.05], 'holm');
    [0.05, 0.08, 0.09, 0.09, 0.09].forEach((expected, index) =>
      expect(adjusted[index]).toBeCloseTo(expected, 12),
    );
  });

  it("matches p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), 'BH'), computed by hand", () => {
    // Multipliers m / i = 5, 2.5, 1.6667, 1.25, 1: 0.05, 0.05, 0.05, 0.05, 0.05;
    // cumulative minima from the largest down leave all at 0.05.
    const adjusted = adjustPValues([0.01, 0.02, 0.03, 0.04, 0.05], 'BH');
    adjusted.forEach((value) => expect(value).toBeCloseTo(0.05, 12));
  });

  it('returns values in input order for unsorted input with ties, computed by hand', () => {
    // Input c(0.04, 0.001, 0.03, 0.2, 0.03); sorted 0.001, 0.03, 0.03, 0.04, 0.2.
    // Holm: 5*0.001 = 0.005, 4*0.03 = 0.12, 3*0.03 = 0.09, 2*0.04 = 0.08, 1*0.2 = 0.2;
    //   cumulative maxima 0.005, 0.12, 0.12, 0.12, 0.2; back in input order:
    //   0.12, 0.005, 0.12, 0.2, 0.12.
    // BH: 0.001*5/1 = 0.005, 0.03*5/2 = 0.075, 0.03*5/3 = 0.05, 0.04*5/4 = 0.05, 0.2*5/5 = 0.2;
    //   cumulative minima from the top: 0.2, 0.05, 0.05, 0.05, 0.005; in input order:
    //   0.05, 0.005, 0.05, 0.2, 0.05.
    const input = [0.04, 0.001, 0.03, 0.2, 0.03];
    const holm = adjustPValues(input, 'holm');
    const bh = adjustPValues(input, 'BH');
    [0.12, 0.005, 0.12, 0.2, 0.12].forEach((expected, index) =>
      expect(holm[index]).toBeCloseTo(expected, 12),
    );
    [0.05, 0.005, 0.05, 0.2, 0.05].forEach((expected, index) =>
      expect(bh[index]).toBeCloseTo(expected, 12),
    );
  });

  it('caps adjusted values at 1, computed by hand', () => {
    // Holm on c(0.5, 0.6): 2*0.5 = 1, 1*0.6 = 0.6 -> cumulative maxima 1, 1.
    // BH: 0.5*2/1 = 1, 0.6*2/2 = 0.6 -> cumulative minima from the top 0.6, 0.6.
    expect(adjustPValues([0.5, 0.6], 'holm')).toEqual([1, 1]);
    expect(adjustPValues([0.5, 0.6], 'BH')).toEqual([0.6, 0.6]);
  });

  it('accepts an empty list and rejects values outside [0, 1]', () => {
    expect(adjustPValues([], 'holm')).toEqual([]);
    expect(() => adjustPValues([0.1, 1.5], 'BH')).toThrow(/pValues\[1\]/);
    expect(() => adjustPValues([NaN], 'holm')).toThrow(RangeError);
  });
});
