/**
 * A stored entitlement rule turned into the engine's plain form (src/engine/entitlement.model.ts,
 * re-exported here so that existing imports keep working).
 */
import type { EntitlementRule } from './entitlement.entity';
import type { EntitlementRuleSnapshot } from '../engine/entitlement.model';

export * from '../engine/entitlement.model';

export type RuleFields = Pick<EntitlementRule, 'effect' | 'priority' | 'enabled' | 'validFrom' | 'validUntil' | 'targeting' | 'variants' | 'behaviour' | 'entitlements'>;

/** A stored rule as the engine reads it. */
export function ruleSnapshotOf(rule: RuleFields & { key: string }): EntitlementRuleSnapshot {
  return {
    key: rule.key,
    effect: rule.effect,
    priority: rule.priority,
    enabled: rule.enabled,
    validFrom: rule.validFrom?.toISOString() ?? null,
    validUntil: rule.validUntil?.toISOString() ?? null,
    targeting: rule.targeting,
    variants: rule.variants,
    behaviour: rule.behaviour,
    entitlements: rule.entitlements,
  };
}
