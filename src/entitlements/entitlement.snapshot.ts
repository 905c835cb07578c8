/**
 * Entitlement configuration and per-user state as plain data: what the resolution engine
 * (entitlement.engine.ts) reads. No classes, no I/O. Kept out of `sdkConfig`: apps read a user's
 * entitlements only through `resolve`.
 */
import type { JsonValue } from '../assignment/snapshot';
import type { Targeting } from '../targeting/targeting.model';

export type EntitlementKind = 'FEATURE' | 'QUOTA' | 'COUPON' | 'CONFIG';
export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH' | 'LIFETIME';
export type RuleEffect = 'GRANT' | 'DENY';
export type UserGrantEffect = 'GRANT' | 'REVOKE';
export type BehaviourFact = 'DAYS_SINCE_LAST_ACTIVE' | 'EVENT_COUNT' | 'EVENT_VALUE_SUM';
export type Comparison = 'EQ' | 'NEQ' | 'GT' | 'GTE' | 'LT' | 'LTE';

/** A catalogue entry that is not archived. */
export interface CatalogueEntry {
  key: string;
  kind: EntitlementKind;
  /** QUOTA only. */
  period: QuotaPeriod | null;
  /** Served when a rule or grant names no value. FEATURE: always `true`. */
  defaultValue: JsonValue;
}

export interface BehaviourConditionSnapshot {
  fact: BehaviourFact;
  /** EVENT_COUNT and EVENT_VALUE_SUM: the event types counted together (e.g. comment and like). */
  eventTypes: string[];
  /** EVENT_COUNT and EVENT_VALUE_SUM: today (UTC) and the windowDays - 1 UTC days before it. */
  windowDays: number | null;
  operator: Comparison;
  value: number;
}

export interface VariantConditionSnapshot {
  experimentKey: string;
  /** Holds when the user is assigned (bucketed or forced) to one of these variants. */
  variantKeys: string[];
}

export interface RuleEntitlementSnapshot {
  key: string;
  /** GRANT rules: the value or limit granted; null serves the catalogue's default. */
  value: JsonValue | null;
}

export interface EntitlementRuleSnapshot {
  key: string;
  effect: RuleEffect;
  /** Larger wins among grant rules. */
  priority: number;
  enabled: boolean;
  /** ISO 8601; the rule applies from validFrom (inclusive) until validUntil (exclusive). */
  validFrom: string | null;
  validUntil: string | null;
  /** Tier in a set, and attribute conditions: the same as experiments' targeting. */
  targeting: Targeting;
  variants: VariantConditionSnapshot[];
  behaviour: BehaviourConditionSnapshot[];
  entitlements: RuleEntitlementSnapshot[];
}

export interface EntitlementConfig {
  /** In creation order: the order resolved entitlements are listed in. */
  catalogue: CatalogueEntry[];
  /** Every rule not archived, disabled ones included (explanations list them). */
  rules: EntitlementRuleSnapshot[];
  /** Whether any per-user grant or revocation was ever made and not withdrawn: if none, resolve need not read them. */
  hasUserGrants: boolean;
  /** Changes whenever a per-user grant is made or withdrawn, so that caches of them start over. */
  userGrantsVersion: string;
}

export const NO_ENTITLEMENTS: EntitlementConfig = { catalogue: [], rules: [], hasUserGrants: false, userGrantsVersion: '' };

/** One per-user grant or revocation, as resolution reads it. Times in epoch milliseconds. */
export interface UserGrantSnapshot {
  id: string;
  entitlementKey: string;
  effect: UserGrantEffect;
  value: JsonValue | null;
  expiresAt: number | null;
  createdAt: number;
}

/** A user's behaviour, from the per-user summaries. Days are UTC days since 1970-01-01. */
export interface UserFacts {
  /** Epoch milliseconds of the latest event; null for a user never seen. */
  lastActiveAt: number | null;
  days: { day: number; eventType: string; count: number; sum: number }[];
}

/** What one resolve needs besides the configuration: read together, in one query. */
export interface UserState {
  facts: UserFacts;
  grants: UserGrantSnapshot[];
}

export const NO_USER_STATE: UserState = { facts: { lastActiveAt: null, days: [] }, grants: [] };

/** A rule as stored: its validity as dates rather than ISO text. */
export type StoredRule = Omit<EntitlementRuleSnapshot, 'validFrom' | 'validUntil'> & { validFrom: Date | null; validUntil: Date | null };

/** A stored rule as the engine reads it. */
export function ruleSnapshotOf(rule: StoredRule): EntitlementRuleSnapshot {
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
