import { resolvedTier, unknownTierProblems } from './tier.rules';
import { OTHER_TIERS, UnknownTierCounter } from './tier.metrics';

const known = new Set(['new', 'regular', 'high_value', 'suspect']);

describe('unknownTierProblems', () => {
  it('names each unknown tier at its index, with the known tiers', () => {
    expect(unknownTierProblems(['new', 'high-value', 'vip'], known, 'targeting.tiers')).toEqual([
      { field: 'targeting.tiers.1', message: 'unknown tier "high-value"; known tiers: high_value, new, regular, suspect (admins add tiers with createTier)' },
      { field: 'targeting.tiers.2', message: 'unknown tier "vip"; known tiers: high_value, new, regular, suspect (admins add tiers with createTier)' },
    ]);
    expect(unknownTierProblems(['new', 'regular'], known, 'targeting.tiers')).toEqual([]);
  });
});

describe('resolvedTier', () => {
  it('keeps a known tier, drops an unknown one with a warning, and leaves no tier alone', () => {
    expect(resolvedTier('high_value', known)).toEqual({ tier: 'high_value', warning: null });
    expect(resolvedTier('gold', known)).toEqual({ tier: null, warning: 'tier "gold" is not in the tier catalogue: resolved as no tier' });
    expect(resolvedTier(null, known)).toEqual({ tier: null, warning: null });
    expect(resolvedTier(undefined, known)).toEqual({ tier: null, warning: null });
  });
});

describe('UnknownTierCounter', () => {
  it('counts per tier, and past 100 distinct tiers counts the rest together', () => {
    const counter = new UnknownTierCounter();
    counter.count('gold');
    counter.count('gold');
    for (let i = 0; i < 120; i++) counter.count(`junk-${i}`);
    counter.count('gold');
    const counts = counter.counts();
    expect(counts.gold).toBe(3);
    expect(Object.keys(counts)).toHaveLength(101);
    expect(counts[OTHER_TIERS]).toBe(21);
    expect(counter.total()).toBe(123);
  });
});
