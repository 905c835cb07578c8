/** What entitlement resolution takes and answers, as plain data: the GraphQL types implement these. */
import type { ExperimentAssignment, JsonValue, UserContext } from '../assignment/snapshot';
import type {
  EntitlementConfig,
  EntitlementKind,
  QuotaPeriod,
  RuleEffect,
  UserFacts,
  UserGrantSnapshot,
} from './entitlement.snapshot';

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
