import { evalCondition, type ConditionInterface } from '@growthbook/growthbook';
import type { JsonValue, UserContext } from './snapshot';
import { compileTargeting, matchesTargeting } from './targeting.evaluate';
import { ConditionOperator as Op, MatchMode, type Targeting, type TargetingCondition } from './targeting.model';

const withConditions = (match: MatchMode, ...conditions: TargetingCondition[]): Targeting => ({ tiers: [], match, conditions });
const condition = (attribute: string, operator: Op, value: unknown): TargetingCondition => ({ attribute, operator, value });
const userWith = (attributes: Record<string, JsonValue>, tier: string | null = null): UserContext => ({ id: 'u', tier, attributes });

/** Whether a user whose attribute `a` is `attribute` (absent when undefined) passes one condition on `a`. */
function passes(operator: Op, value: unknown, attribute: JsonValue | undefined): boolean {
  const attributes: Record<string, JsonValue> = attribute === undefined ? {} : { a: attribute };
  return matchesTargeting(withConditions(MatchMode.ALL, condition('a', operator, value)), userWith(attributes));
}

describe('matchesTargeting, operator by operator', () => {
  // [operator, condition value, the user's attribute (undefined: absent), expected], from the spec of each operator.
  const cases: [Op, unknown, JsonValue | undefined, boolean][] = [
    [Op.EQ, 'cn', 'cn', true],
    [Op.EQ, 'cn', 'sg', false],
    [Op.EQ, 3, 3, true],
    [Op.EQ, 3, '3', false], // strict: no coercion
    [Op.EQ, true, true, true],
    [Op.EQ, false, null, false],
    [Op.EQ, 'cn', undefined, false],
    [Op.NEQ, 'cn', 'sg', true],
    [Op.NEQ, 'cn', 'cn', false],
    [Op.NEQ, 3, '3', true],
    [Op.NEQ, 'cn', undefined, true], // missing counts as not equal
    [Op.NEQ, 'cn', null, true],
    [Op.IN, ['cn', 'sg'], 'sg', true],
    [Op.IN, ['cn', 'sg'], 'us', false],
    [Op.IN, [1, 2], '1', false],
    [Op.IN, ['vip', 'beta'], ['x', 'beta'], true], // an array attribute: any element in the list
    [Op.IN, ['vip', 'beta'], ['x', 'y'], false],
    [Op.IN, ['vip'], [], false],
    [Op.IN, ['cn'], undefined, false],
    [Op.NOT_IN, ['cn', 'sg'], 'us', true],
    [Op.NOT_IN, ['cn', 'sg'], 'cn', false],
    [Op.NOT_IN, ['vip', 'beta'], ['x', 'beta'], false],
    [Op.NOT_IN, ['vip'], [], true],
    [Op.NOT_IN, ['cn'], undefined, true], // missing: not in the list
    [Op.GT, 18, 19, true],
    [Op.GT, 18, 18, false],
    [Op.GT, 18, '19', false], // only numbers compare
    [Op.GT, 18, undefined, false],
    [Op.GTE, 18, 18, true],
    [Op.GTE, 18, 17.5, false],
    [Op.GTE, 0, null, false],
    [Op.LT, 7, 6, true],
    [Op.LT, 7, 7, false],
    [Op.LT, 7, true, false],
    [Op.LTE, 7, 7, true],
    [Op.LTE, 7, 8, false],
    [Op.LTE, 7, undefined, false],
    [Op.CONTAINS, 'vip', 'gold-vip-2', true],
    [Op.CONTAINS, 'vip', 'gold', false],
    [Op.CONTAINS, 'vip', ['a', 'vip'], true], // an array attribute: includes the value
    [Op.CONTAINS, 'vip', ['a', 'vip-2'], false], // elements compare whole, not as substrings
    [Op.CONTAINS, '1', 1, false],
    [Op.CONTAINS, 'vip', undefined, false],
    [Op.EXISTS, true, 'x', true],
    [Op.EXISTS, true, 0, true],
    [Op.EXISTS, true, false, true],
    [Op.EXISTS, true, null, false],
    [Op.EXISTS, true, undefined, false],
    [Op.EXISTS, false, undefined, true],
    [Op.EXISTS, false, null, true],
    [Op.EXISTS, false, '', false],
    [Op.SEMVER_EQ, '2.1.0', '2.1.0', true],
    [Op.SEMVER_EQ, '2.1.0', '2.1.0+build.7', true], // build metadata does not count
    [Op.SEMVER_EQ, '2.1.0', 'v2.1.0', true],
    [Op.SEMVER_EQ, '2.1.0', '2.1.1', false],
    [Op.SEMVER_GT, '2.1.0', '2.10.0', true], // numeric, not lexical
    [Op.SEMVER_GT, '2.1.0', '2.1.0', false],
    [Op.SEMVER_GT, '2.1.0', '2.1.1-beta.1', true],
    [Op.SEMVER_GT, '2.1.0', '2.1.0-rc.1', false], // a pre-release precedes its release
    [Op.SEMVER_GTE, '2.1.0', '2.1.0', true],
    [Op.SEMVER_GTE, '2.1.0', '2.0.9', false],
    [Op.SEMVER_LT, '10.0.0-beta.1', '10.0.0-alpha.3', true],
    [Op.SEMVER_LT, '2.1.0', '2.1.0', false],
    [Op.SEMVER_LTE, '2.1.0', '2.1.0', true],
    [Op.SEMVER_LTE, '2.1.0', '3.0.0', false],
    [Op.SEMVER_GTE, '2.1.0', '2.1', false], // not a version
    [Op.SEMVER_LT, '2.1.0', 'latest', false],
    [Op.SEMVER_LT, '2.1.0', 2, false],
    [Op.SEMVER_LT, '2.1.0', undefined, false],
    [Op.DATE_BEFORE, '2026-12-01', '2026-11-30', true],
    [Op.DATE_BEFORE, '2026-12-01', '2026-12-01', false],
    [Op.DATE_BEFORE, '2026-12-01', '2026-11-30T23:59:59Z', true],
    [Op.DATE_BEFORE, '2026-12-01T10:00:00+08:00', '2026-12-01T03:00:00Z', false], // offsets count: 10:00+08:00 is 02:00Z
    [Op.DATE_BEFORE, '2026-12-01', 'not a date', false],
    [Op.DATE_BEFORE, '2026-12-01', 20261130, false],
    [Op.DATE_BEFORE, '2026-12-01', undefined, false],
    [Op.DATE_AFTER, '2026-12-01', '2026-12-01T00:00:01Z', true],
    [Op.DATE_AFTER, '2026-12-01', '2026-12-01', false],
    [Op.DATE_AFTER, '2026-12-01T10:00:00+08:00', '2026-12-01T03:00:00Z', true],
    [Op.DATE_AFTER, '2026-12-01', 'garbage', false],
  ];

  it.each(cases)('%s %j against %j is %s', (operator, value, attribute, expected) => {
    expect(passes(operator, value, attribute)).toBe(expected);
  });
});

describe('matchesTargeting, attribute lookup', () => {
  const versionAtLeast = withConditions(MatchMode.ALL, condition('app.version', Op.SEMVER_GTE, '2.0.0'));

  it('follows a dotted path into nested objects', () => {
    expect(matchesTargeting(versionAtLeast, userWith({ app: { version: '2.3.0' } }))).toBe(true);
    expect(matchesTargeting(versionAtLeast, userWith({ app: { version: '1.9.0' } }))).toBe(false);
  });

  it('prefers an exact key holding the dots over the nested path', () => {
    expect(matchesTargeting(versionAtLeast, userWith({ 'app.version': '2.3.0', app: { version: '1.0.0' } }))).toBe(true);
    expect(matchesTargeting(versionAtLeast, userWith({ 'app.version': '1.0.0', app: { version: '2.3.0' } }))).toBe(false);
  });

  it('treats a path through a missing, null or scalar value as a missing attribute', () => {
    const present = withConditions(MatchMode.ALL, condition('a.b.c', Op.EXISTS, true));
    const absent = withConditions(MatchMode.ALL, condition('a.b.c', Op.EXISTS, false));
    const withoutC: Record<string, JsonValue>[] = [{}, { a: null }, { a: 3 }, { a: { b: null } }, { a: { b: 'text' } }, { a: { b: {} } }];
    for (const attributes of withoutC) {
      expect(matchesTargeting(present, userWith(attributes))).toBe(false);
      expect(matchesTargeting(absent, userWith(attributes))).toBe(true);
    }
    expect(matchesTargeting(present, userWith({ a: { b: { c: 0 } } }))).toBe(true);
  });

  it("does not mistake an object's inherited properties for attributes", () => {
    const hasConstructor = withConditions(MatchMode.ALL, condition('constructor', Op.EXISTS, true));
    const hasNestedToString = withConditions(MatchMode.ALL, condition('app.toString', Op.EXISTS, true));
    expect(matchesTargeting(hasConstructor, userWith({}))).toBe(false);
    expect(matchesTargeting(hasNestedToString, userWith({ app: {} }))).toBe(false);
  });

  it('treats a user without attributes as having none', () => {
    expect(matchesTargeting(withConditions(MatchMode.ALL, condition('a', Op.NEQ, 1)), { id: 'u' })).toBe(true);
    expect(matchesTargeting(withConditions(MatchMode.ALL, condition('a', Op.EQ, 1)), { id: 'u' })).toBe(false);
  });
});

describe('matchesTargeting, combining', () => {
  const inAsia = condition('country', Op.IN, ['cn', 'sg']);
  const adult = condition('age', Op.GTE, 18);
  const users: [Record<string, JsonValue>, all: boolean, any: boolean][] = [
    [{ country: 'cn', age: 30 }, true, true],
    [{ country: 'cn', age: 12 }, false, true],
    [{ country: 'us', age: 30 }, false, true],
    [{ country: 'us', age: 12 }, false, false],
    [{}, false, false],
  ];

  it.each(users)('ALL and ANY of two conditions for %j', (attributes, all, any) => {
    expect(matchesTargeting(withConditions(MatchMode.ALL, inAsia, adult), userWith(attributes))).toBe(all);
    expect(matchesTargeting(withConditions(MatchMode.ANY, inAsia, adult), userWith(attributes))).toBe(any);
  });

  it('lets everyone in when there are no conditions and no tiers, ALL or ANY', () => {
    expect(matchesTargeting(withConditions(MatchMode.ALL), userWith({}))).toBe(true);
    expect(matchesTargeting(withConditions(MatchMode.ANY), { id: 'u' })).toBe(true);
  });

  it('requires one of the tiers when tiers are given, and then the conditions too', () => {
    const highValue: Targeting = { tiers: ['high_value', 'regular'], match: MatchMode.ALL, conditions: [] };
    expect(matchesTargeting(highValue, userWith({}, 'high_value'))).toBe(true);
    expect(matchesTargeting(highValue, userWith({}, 'regular'))).toBe(true);
    expect(matchesTargeting(highValue, userWith({}, 'new'))).toBe(false);
    expect(matchesTargeting(highValue, userWith({}, null))).toBe(false);
    expect(matchesTargeting(highValue, { id: 'u' })).toBe(false);

    const highValueInAsia: Targeting = { ...highValue, conditions: [inAsia] };
    expect(matchesTargeting(highValueInAsia, userWith({ country: 'sg' }, 'high_value'))).toBe(true);
    expect(matchesTargeting(highValueInAsia, userWith({ country: 'us' }, 'high_value'))).toBe(false);
    expect(matchesTargeting(highValueInAsia, userWith({ country: 'sg' }, 'new'))).toBe(false);
  });

  it('gives the same answers compiled once as evaluated directly', () => {
    const targeting: Targeting = { tiers: ['regular'], match: MatchMode.ANY, conditions: [inAsia, adult] };
    const predicate = compileTargeting(targeting);
    for (const [attributes] of users) {
      for (const tier of ['regular', 'new']) {
        expect(predicate(userWith(attributes, tier))).toBe(matchesTargeting(targeting, userWith(attributes, tier)));
      }
    }
  });
});

describe('matchesTargeting, dates', () => {
  it('reads a date-time without a zone as UTC, as if it ended in Z', () => {
    // Date.parse would read it in the process's zone; evaluate.test.ts runs the engine in other
    // zones to show that the answers do not move.
    const before = withConditions(MatchMode.ALL, condition('seen', Op.DATE_BEFORE, '2026-12-01T10:00'));
    expect(matchesTargeting(before, userWith({ seen: '2026-12-01T09:59:59Z' }))).toBe(true);
    expect(matchesTargeting(before, userWith({ seen: '2026-12-01T10:00:01Z' }))).toBe(false);
    expect(matchesTargeting(before, userWith({ seen: '2026-12-01 09:59:59' }))).toBe(true);
    expect(matchesTargeting(before, userWith({ seen: '2026-12-01T17:59:00+08:00' }))).toBe(true);
  });
});

describe("matchesTargeting agrees with GrowthBook's evalCondition where the semantics coincide", () => {
  // GrowthBook's operator for ours, on values where both define the same comparison.
  const equivalents: [Op, string, unknown][] = [
    [Op.EQ, '$eq', 'cn'],
    [Op.NEQ, '$ne', 'cn'],
    [Op.IN, '$in', ['cn', 'sg', 'beta']],
    [Op.NOT_IN, '$nin', ['cn', 'sg', 'beta']],
    [Op.GT, '$gt', 18],
    [Op.GTE, '$gte', 18],
    [Op.LT, '$lt', 18],
    [Op.LTE, '$lte', 18],
    [Op.EXISTS, '$exists', true],
    [Op.EXISTS, '$exists', false],
    [Op.SEMVER_EQ, '$veq', '2.3.0'],
    [Op.SEMVER_GT, '$vgt', '2.3.0'],
    [Op.SEMVER_GTE, '$vgte', '2.3.0'],
    [Op.SEMVER_LT, '$vlt', '2.3.0'],
    [Op.SEMVER_LTE, '$vlte', '2.3.0'],
  ];
  const attributeValues: Record<string, JsonValue[]> = {
    $eq: ['cn', 'us'],
    $ne: ['cn', 'us'],
    $in: ['cn', 'us', ['x', 'beta'], ['x'], []],
    $nin: ['cn', 'us', ['x', 'beta'], ['x'], []],
    $gt: [17, 18, 19.5],
    $gte: [17, 18, 19.5],
    $lt: [17, 18, 19.5],
    $lte: [17, 18, 19.5],
    $exists: ['x', 0, false],
    $veq: ['2.3.0', '2.10.0', '2.2.9', '10.0.0', '1.0.0'],
    $vgt: ['2.3.0', '2.10.0', '2.2.9', '10.0.0', '1.0.0'],
    $vgte: ['2.3.0', '2.10.0', '2.2.9', '10.0.0', '1.0.0'],
    $vlt: ['2.3.0', '2.10.0', '2.2.9', '10.0.0', '1.0.0'],
    $vlte: ['2.3.0', '2.10.0', '2.2.9', '10.0.0', '1.0.0'],
  };

  it.each(equivalents)('%s as %s %j, flat and on a dotted path', (operator, growthBookOperator, value) => {
    for (const attribute of attributeValues[growthBookOperator]) {
      for (const [name, attributes] of [['a', { a: attribute }], ['p.a', { p: { a: attribute } }]] as const) {
        const reference = evalCondition(attributes, { [name]: { [growthBookOperator]: value } } as ConditionInterface);
        const ours = matchesTargeting(withConditions(MatchMode.ALL, condition(name, operator, value)), userWith(attributes));
        expect({ attribute, ours }).toEqual({ attribute, ours: reference });
      }
    }
  });
});
