import type { FlagRuleSnapshot, FlagType, JsonValue } from '../assignment/snapshot';
import { targetingProblems, type Problem } from '../targeting/targeting.rules';
import { FITS_FLAG_TYPE } from '../assignment/evaluate';

export const MAX_RULES = 50;

/** Whether a value may be served by a flag of this type: the engine's own check. */
export function fitsType(type: FlagType, value: JsonValue | undefined): boolean {
  return value !== undefined && FITS_FLAG_TYPE[type](value);
}

/** Every problem with a flag's default and rules; an empty list means it may be saved. Pure. */
export function flagProblems(type: FlagType, defaultValue: JsonValue, rules: FlagRuleSnapshot[]): Problem[] {
  const problems: Problem[] = [];
  const expected = `a value of type ${type}`;
  if (!fitsType(type, defaultValue)) problems.push({ field: 'defaultValue', message: `must be ${expected}` });
  if (rules.length > MAX_RULES) problems.push({ field: 'rules', message: `at most ${MAX_RULES} rules` });
  const ids = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `rules.${i}`;
    if (ids.has(rule.id)) problems.push({ field: `${at}.id`, message: `rule id "${rule.id}" is used twice` });
    ids.add(rule.id);
    for (const problem of targetingProblems(rule.targeting)) problems.push({ field: `${at}.targeting.${problem.field}`, message: problem.message });
    if (rule.kind === 'VALUE' || rule.kind === 'ROLLOUT') {
      if (!fitsType(type, rule.value)) problems.push({ field: `${at}.value`, message: `must be ${expected}` });
    }
    if (rule.kind === 'ROLLOUT' && !(rule.percentage >= 0 && rule.percentage <= 100)) {
      problems.push({ field: `${at}.percentage`, message: 'must be from 0 to 100' });
    }
    if (rule.kind === 'EXPERIMENT') {
      const entries = Object.entries(rule.values);
      if (entries.length === 0) problems.push({ field: `${at}.variantValues`, message: 'needs a value for at least one variant' });
      for (const [variantKey, value] of entries) {
        if (!fitsType(type, value)) problems.push({ field: `${at}.variantValues`, message: `the value for "${variantKey}" must be ${expected}` });
      }
    }
  });
  return problems;
}
