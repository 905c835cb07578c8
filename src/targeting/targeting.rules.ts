import semver from 'semver';
import { ConditionOperator, type Targeting } from './targeting.model';

export const MAX_CONDITIONS = 50;
export const MAX_TIERS = 20;
const MAX_LIST_VALUES = 1000;
const ATTRIBUTE_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;
export const SLUG_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export interface Problem {
  /** Path below the targeting input, e.g. `conditions.2.value`. */
  field: string;
  message: string;
}

const isScalar = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isDate = (v: unknown) => typeof v === 'string' && ISO_DATE_PATTERN.test(v) && !Number.isNaN(Date.parse(v));
const isSemver = (v: unknown) => typeof v === 'string' && semver.valid(v) !== null;

/** What each operator's value must be, and how to say so. */
const VALUE_RULES: Record<ConditionOperator, [check: (v: unknown) => boolean, expected: string]> = {
  [ConditionOperator.EQ]: [isScalar, 'a string, number or boolean'],
  [ConditionOperator.NEQ]: [isScalar, 'a string, number or boolean'],
  [ConditionOperator.IN]: [isNonEmptyList, `a list of 1 to ${MAX_LIST_VALUES} strings, numbers or booleans`],
  [ConditionOperator.NOT_IN]: [isNonEmptyList, `a list of 1 to ${MAX_LIST_VALUES} strings, numbers or booleans`],
  [ConditionOperator.GT]: [isNumber, 'a number'],
  [ConditionOperator.GTE]: [isNumber, 'a number'],
  [ConditionOperator.LT]: [isNumber, 'a number'],
  [ConditionOperator.LTE]: [isNumber, 'a number'],
  [ConditionOperator.CONTAINS]: [(v) => typeof v === 'string' && v.length > 0, 'a non-empty string'],
  [ConditionOperator.EXISTS]: [(v) => typeof v === 'boolean', 'true or false'],
  [ConditionOperator.SEMVER_EQ]: [isSemver, 'a semantic version such as "2.1.0"'],
  [ConditionOperator.SEMVER_GT]: [isSemver, 'a semantic version such as "2.1.0"'],
  [ConditionOperator.SEMVER_GTE]: [isSemver, 'a semantic version such as "2.1.0"'],
  [ConditionOperator.SEMVER_LT]: [isSemver, 'a semantic version such as "2.1.0"'],
  [ConditionOperator.SEMVER_LTE]: [isSemver, 'a semantic version such as "2.1.0"'],
  [ConditionOperator.DATE_BEFORE]: [isDate, 'an ISO 8601 date or date-time such as "2026-12-01"'],
  [ConditionOperator.DATE_AFTER]: [isDate, 'an ISO 8601 date or date-time such as "2026-12-01"'],
};

function isNonEmptyList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.length <= MAX_LIST_VALUES && v.every(isScalar);
}

/** Every problem with a targeting definition; an empty list means it is valid. Pure. */
export function targetingProblems(targeting: Targeting): Problem[] {
  const problems: Problem[] = [];
  if (targeting.tiers.length > MAX_TIERS) problems.push({ field: 'tiers', message: `at most ${MAX_TIERS} tiers` });
  targeting.tiers.forEach((tier, i) => {
    if (!SLUG_PATTERN.test(tier)) problems.push({ field: `tiers.${i}`, message: `"${tier}" is not a tier name (lower-case letters, digits, - and _)` });
  });
  if (new Set(targeting.tiers).size !== targeting.tiers.length) problems.push({ field: 'tiers', message: 'tiers must not repeat' });
  if (targeting.conditions.length > MAX_CONDITIONS) problems.push({ field: 'conditions', message: `at most ${MAX_CONDITIONS} conditions` });
  targeting.conditions.forEach((condition, i) => {
    if (!ATTRIBUTE_PATTERN.test(condition.attribute)) {
      problems.push({ field: `conditions.${i}.attribute`, message: `"${condition.attribute}" is not an attribute name` });
    }
    const [check, expected] = VALUE_RULES[condition.operator];
    if (!check(condition.value)) problems.push({ field: `conditions.${i}.value`, message: `${condition.operator} needs ${expected}` });
  });
  return problems;
}
