/** Targeting as plain data, free of decorators: what evaluation and the rules read (the GraphQL types implement it). */

export enum ConditionOperator {
  EQ = 'EQ',
  NEQ = 'NEQ',
  IN = 'IN',
  NOT_IN = 'NOT_IN',
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
  CONTAINS = 'CONTAINS',
  EXISTS = 'EXISTS',
  SEMVER_EQ = 'SEMVER_EQ',
  SEMVER_GT = 'SEMVER_GT',
  SEMVER_GTE = 'SEMVER_GTE',
  SEMVER_LT = 'SEMVER_LT',
  SEMVER_LTE = 'SEMVER_LTE',
  DATE_BEFORE = 'DATE_BEFORE',
  DATE_AFTER = 'DATE_AFTER',
}
export enum MatchMode {
  ALL = 'ALL',
  ANY = 'ANY',
}
export interface TargetingCondition {
  /** A user attribute, e.g. `country` or `app.version`. */
  attribute: string;
  operator: ConditionOperator;
  value: unknown;
}

/** Who may enter: users of one of `tiers` (any tier when empty) for whom the conditions hold. */
export interface Targeting {
  tiers: string[];
  match: MatchMode;
  conditions: TargetingCondition[];
}

export const EVERYONE: Targeting = { tiers: [], match: MatchMode.ALL, conditions: [] };
