/**
 * Entitlement configuration and per-user state as plain data: what the resolution engine
 * (entitlements.ts) reads. No classes, no I/O.
 */
import type { ExperimentAssignment, JsonValue, UserContext } from './snapshot';
import type { Targeting } from './targeting.model';

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

// What resolution takes and answers (the GraphQL types implement these).

export const DAY_MS = 86_400_000;

export interface ResolvedEntitlement {
  key: string;
  kind: EntitlementKind;
  /** FEATURE: true; QUOTA: the limit (a number); COUPON: { amount, currency, minSpend }; CONFIG: any JSON. */
  value: JsonValue;
  period: QuotaPeriod | null;
  /** The rule key, or the per-user grant id. */
  source: string;
  sourceType: 'RULE' | 'USER_GRANT';
  /** The grant's expiry or the rule's validUntil; null when open-ended. */
  expiresAt: Date | null;
}

export type RuleStatus = 'APPLIED' | 'DISABLED' | 'NOT_YET_VALID' | 'EXPIRED' | 'CONDITIONS_NOT_MET';
export type RuleOutcome = 'GRANTED' | 'DENIED' | 'NOT_APPLIED' | 'OVERRIDDEN_BY_USER_GRANT' | 'DENIED_BY_RULE' | 'LESS_GENEROUS' | 'LOWER_PRIORITY' | 'NOT_IN_CATALOGUE';
export type UserGrantStatus = 'APPLIED' | 'EXPIRED' | 'SUPERSEDED' | 'NOT_IN_CATALOGUE';

export interface ConditionCheck {
  /** Human-readable, e.g. `sum of payment values over the last 30 days > 100`. */
  condition: string;
  held: boolean;
  /** What the user had: their tier, attribute values, variant, or the fact's value (null: none). */
  actual: JsonValue;
}

export interface RuleExplanation {
  ruleKey: string;
  effect: RuleEffect;
  priority: number;
  status: RuleStatus;
  /** Every condition, evaluated even when an earlier one failed or the rule is off. */
  conditions: ConditionCheck[];
  entitlements: RuleEntitlementOutcome[];
}

export interface RuleEntitlementOutcome {
  key: string;
  outcome: RuleOutcome;
  /** The rule key or grant id that decided instead. */
  by: string | null;
}

export interface EntitlementExplanation {
  entitlements: ResolvedEntitlement[];
  rules: RuleExplanation[];
  userGrants: { grant: UserGrantSnapshot; status: UserGrantStatus }[];
  daysSinceLastActive: number | null;
}

export interface EntitlementInput {
  config: EntitlementConfig;
  user: UserContext;
  /** The user's experiments, from evaluate(). */
  experiments: readonly ExperimentAssignment[];
  /** Null when no enabled rule has a behavioural condition (then nothing was read). */
  facts: UserFacts | null;
  grants: readonly UserGrantSnapshot[];
  /** Epoch milliseconds. */
  now: number;
}


export interface StateNeeds {
  /** Whether some enabled rule has a behavioural condition. */
  facts: boolean;
  /** The longest window of any enabled rule, in days (0: only days since last active). */
  lookbackDays: number;
  eventTypes: string[];
  grants: boolean;
}
