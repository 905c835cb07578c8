import type { JsonValue } from '../assignment/snapshot';
import { targetingProblems, SLUG_PATTERN, type Problem } from '../targeting/targeting.rules';
import { EVENT_TYPE_PATTERN } from '../events/event.rules';
import type { EntitlementKind, EntitlementRuleSnapshot, QuotaPeriod } from '../engine/entitlement.model';

export const MAX_RULE_ENTITLEMENTS = 50;
export const MAX_CONDITIONS = 20;
export const MAX_EVENT_TYPES = 20;
/** Events older than 400 days are refused at ingestion, so no window needs more. */
export const MAX_WINDOW_DAYS = 400;
const CURRENCY_PATTERN = /^[A-Za-z]{1,10}$/;
const PRIORITY_LIMIT = 1_000_000;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What a value of each kind must look like, or null when it fits. */
export function valueProblem(kind: EntitlementKind, value: JsonValue): string | null {
  switch (kind) {
    case 'FEATURE':
      return value === true ? null : 'a FEATURE’s value is always true';
    case 'QUOTA':
      return isFiniteNumber(value) && value >= 0 ? null : 'a QUOTA’s value is its limit: a number of at least 0';
    case 'COUPON': {
      const coupon = value as Record<string, unknown>;
      const fits =
        typeof value === 'object' && value !== null && !Array.isArray(value) &&
        Object.keys(coupon).every((key) => ['amount', 'currency', 'minSpend'].includes(key)) &&
        isFiniteNumber(coupon.amount) && coupon.amount > 0 &&
        typeof coupon.currency === 'string' && CURRENCY_PATTERN.test(coupon.currency) &&
        isFiniteNumber(coupon.minSpend) && coupon.minSpend >= 0;
      return fits ? null : 'a COUPON’s value is { amount (> 0), currency (1 to 10 letters), minSpend (>= 0) }';
    }
    case 'CONFIG':
      return value === null ? 'a CONFIG’s value is a JSON value other than null' : null;
  }
}

/** Problems with a catalogue entry's kind-specific part. Pure. */
export function catalogueProblems(kind: EntitlementKind, period: QuotaPeriod | null, defaultValue: JsonValue): Problem[] {
  const problems: Problem[] = [];
  if (kind === 'QUOTA' && period === null) problems.push({ field: 'period', message: 'a QUOTA needs a period' });
  if (kind !== 'QUOTA' && period !== null) problems.push({ field: 'period', message: 'only a QUOTA has a period' });
  const problem = valueProblem(kind, defaultValue);
  if (problem) problems.push({ field: 'defaultValue', message: problem });
  return problems;
}

/**
 * Problems with a rule, given the kinds of the active entitlements in the catalogue. Pure; the
 * experiments that variant conditions name are checked by the service, which reads them.
 */
export function ruleProblems(rule: EntitlementRuleSnapshot, kinds: ReadonlyMap<string, EntitlementKind>): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (!Number.isInteger(rule.priority) || Math.abs(rule.priority) > PRIORITY_LIMIT) add('priority', `must be an integer from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT}`);
  if (rule.validFrom !== null && rule.validUntil !== null && Date.parse(rule.validFrom) >= Date.parse(rule.validUntil)) {
    add('validUntil', 'must be after validFrom');
  }
  for (const problem of targetingProblems(rule.targeting)) add(`targeting.${problem.field}`, problem.message);

  if (rule.entitlements.length === 0) add('entitlements', 'a rule grants or denies at least one entitlement');
  if (rule.entitlements.length > MAX_RULE_ENTITLEMENTS) add('entitlements', `at most ${MAX_RULE_ENTITLEMENTS} entitlements`);
  const seen = new Set<string>();
  rule.entitlements.forEach(({ key, value }, i) => {
    const at = `entitlements.${i}`;
    if (seen.has(key)) add(`${at}.key`, `"${key}" is named twice`);
    seen.add(key);
    const kind = kinds.get(key);
    if (kind === undefined) return add(`${at}.key`, `no active entitlement with key "${key}"`);
    if (value === null) return;
    if (rule.effect === 'DENY') return add(`${at}.value`, 'a deny rule grants no value');
    const problem = valueProblem(kind, value);
    if (problem) add(`${at}.value`, problem);
  });

  if (rule.variants.length + rule.behaviour.length > MAX_CONDITIONS) add('behaviour', `at most ${MAX_CONDITIONS} variant and behaviour conditions`);
  rule.variants.forEach((condition, i) => {
    if (!SLUG_PATTERN.test(condition.experimentKey)) add(`variants.${i}.experimentKey`, 'must be an experiment key');
    if (condition.variantKeys.length === 0) add(`variants.${i}.variantKeys`, 'name at least one variant');
  });
  rule.behaviour.forEach((condition, i) => {
    const at = `behaviour.${i}`;
    if (!isFiniteNumber(condition.value)) add(`${at}.value`, 'must be a finite number');
    if (condition.fact === 'DAYS_SINCE_LAST_ACTIVE') {
      if (condition.eventTypes.length > 0) add(`${at}.eventTypes`, 'DAYS_SINCE_LAST_ACTIVE counts every event: name no event types');
      if (condition.windowDays !== null) add(`${at}.windowDays`, 'DAYS_SINCE_LAST_ACTIVE has no window');
      return;
    }
    if (condition.eventTypes.length === 0 || condition.eventTypes.length > MAX_EVENT_TYPES) add(`${at}.eventTypes`, `name 1 to ${MAX_EVENT_TYPES} event types`);
    condition.eventTypes.forEach((type, j) => {
      if (!EVENT_TYPE_PATTERN.test(type)) add(`${at}.eventTypes.${j}`, `"${type}" is not an event type`);
    });
    if (condition.windowDays === null || !Number.isInteger(condition.windowDays) || condition.windowDays < 1 || condition.windowDays > MAX_WINDOW_DAYS) {
      add(`${at}.windowDays`, `must be a whole number of days from 1 to ${MAX_WINDOW_DAYS}`);
    }
  });
  return problems;
}
