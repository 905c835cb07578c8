/** Distinct unknown tiers counted by name; past this, under OTHER, so an app sending junk cannot grow memory. */
const MAX_NAMED = 100;
export const OTHER_TIERS = '(other)';

/**
 * How often resolve met a tier the catalogue did not know, per tier: the sign that an app ships a
 * tier before an admin added it. Read with counts() (e.g. by a metrics endpoint).
 */
export class UnknownTierCounter {
  private readonly byTier = new Map<string, number>();
  private sum = 0;

  count(tier: string): void {
    const name = this.byTier.has(tier) || this.byTier.size < MAX_NAMED ? tier : OTHER_TIERS;
    this.byTier.set(name, (this.byTier.get(name) ?? 0) + 1);
    this.sum++;
  }

  /** Users resolved with an unknown tier since the start, per tier. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.byTier);
  }

  total(): number {
    return this.sum;
  }
}
