import type { Problem } from '../targeting/targeting.rules';

/** What a fresh installation knows (the migration writes them). */
export const DEFAULT_TIERS = ['new', 'regular', 'high_value', 'suspect'];

/**
 * The tiers of `tiers` the catalogue does not know, one problem each at `${field}.${i}`, naming
 * the known ones so that `high-value` shows its way to `high_value`. Pure.
 */
export function unknownTierProblems(tiers: readonly string[], known: ReadonlySet<string>, field: string): Problem[] {
  const list = [...known].sort().join(', ');
  return tiers.flatMap((tier, i) =>
    known.has(tier) ? [] : [{ field: `${field}.${i}`, message: `unknown tier "${tier}"; known tiers: ${list || 'none'} (admins add tiers with createTier)` }],
  );
}

/**
 * What resolve does with the tier an app sent: a catalogued tier as it is; any other as no tier
 * (the app may ship a tier before the catalogue has it), with a warning for the answer. Pure.
 */
export function resolvedTier(tier: string | null | undefined, known: ReadonlySet<string>): { tier: string | null; warning: string | null } {
  if (tier == null || known.has(tier)) return { tier: tier ?? null, warning: null };
  return { tier: null, warning: `tier "${tier}" is not in the tier catalogue: resolved as no tier` };
}
