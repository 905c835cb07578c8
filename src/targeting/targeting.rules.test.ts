import { targetingProblems } from './targeting.rules';
import { ConditionOperator as Op, MatchMode, type Targeting } from './targeting.types';

const withCondition = (operator: Op, value: unknown, attribute = 'attr'): Targeting => ({
  tiers: [],
  match: MatchMode.ALL,
  conditions: [{ attribute, operator, value }],
});

describe('targetingProblems', () => {
  const valid: [Op, unknown][] = [
    [Op.EQ, 'cn'], [Op.EQ, 3], [Op.EQ, true], [Op.NEQ, 'x'],
    [Op.IN, ['cn', 'sg']], [Op.NOT_IN, [1, 2]],
    [Op.GT, 18], [Op.GTE, 0], [Op.LT, -1.5], [Op.LTE, 100],
    [Op.CONTAINS, 'vip'], [Op.EXISTS, true], [Op.EXISTS, false],
    [Op.SEMVER_GTE, '2.1.0'], [Op.SEMVER_LT, '10.0.0-beta.1'], [Op.SEMVER_EQ, '1.0.0'], [Op.SEMVER_GT, '0.0.1'], [Op.SEMVER_LTE, '3.2.1'],
    [Op.DATE_BEFORE, '2026-12-01'], [Op.DATE_AFTER, '2026-12-01T10:00:00Z'], [Op.DATE_AFTER, '2026-12-01T10:00:00.123+08:00'],
  ];
  it.each(valid)('accepts %s with %j', (operator, value) => {
    expect(targetingProblems(withCondition(operator, value))).toEqual([]);
  });

  const invalid: [Op, unknown, string][] = [
    [Op.EQ, { a: 1 }, 'EQ needs a string, number or boolean'],
    [Op.EQ, null, 'EQ needs a string, number or boolean'],
    [Op.IN, [], 'IN needs a list of 1 to 1000 strings, numbers or booleans'],
    [Op.NOT_IN, 'cn', 'NOT_IN needs a list of 1 to 1000 strings, numbers or booleans'],
    [Op.GT, '18', 'GT needs a number'],
    [Op.CONTAINS, '', 'CONTAINS needs a non-empty string'],
    [Op.EXISTS, 'yes', 'EXISTS needs true or false'],
    [Op.SEMVER_GTE, '2.1', 'SEMVER_GTE needs a semantic version such as "2.1.0"'],
    [Op.DATE_BEFORE, 'next week', 'DATE_BEFORE needs an ISO 8601 date or date-time such as "2026-12-01"'],
    [Op.DATE_AFTER, '2026-13-45', 'DATE_AFTER needs an ISO 8601 date or date-time such as "2026-12-01"'],
  ];
  it.each(invalid)('refuses %s with %j', (operator, value, message) => {
    expect(targetingProblems(withCondition(operator, value))).toEqual([{ field: 'conditions.0.value', message }]);
  });

  it('refuses bad attribute names and tiers, naming the field', () => {
    expect(targetingProblems(withCondition(Op.EQ, 1, '1bad name'))).toEqual([
      { field: 'conditions.0.attribute', message: '"1bad name" is not an attribute name' },
    ]);
    expect(targetingProblems({ tiers: ['high_value', 'High Value'], match: MatchMode.ALL, conditions: [] })).toEqual([
      { field: 'tiers.1', message: '"High Value" is not a tier name (lower-case letters, digits, - and _)' },
    ]);
    expect(targetingProblems({ tiers: ['new', 'new'], match: MatchMode.ALL, conditions: [] })).toEqual([
      { field: 'tiers', message: 'tiers must not repeat' },
    ]);
  });
});
