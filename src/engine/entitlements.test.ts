import { explainEntitlements, resolveEntitlements, stateNeeds, DAY_MS, type EntitlementInput } from './entitlements';
import type { BehaviourConditionSnapshot, CatalogueEntry, EntitlementConfig, EntitlementRuleSnapshot, UserFacts, UserGrantSnapshot } from './entitlement.model';
import type { ExperimentAssignment, JsonValue } from './snapshot';
import { ConditionOperator, MatchMode } from './targeting.model';
import { mulberry32 } from '../common/random';

// 2026-11-20T12:00:00Z, a Friday noon; day numbers below are UTC days since 1970-01-01.
const NOW = Date.UTC(2026, 10, 20, 12);
const TODAY = Math.floor(NOW / DAY_MS);
const at = (daysAgo: number, hour = 12) => Date.UTC(2026, 10, 20 - daysAgo, hour);

const catalogue: CatalogueEntry[] = [
  { key: 'checkin-bonus', kind: 'QUOTA', period: 'DAY', defaultValue: 1 },
  { key: 'recall-coupon', kind: 'COUPON', period: null, defaultValue: { amount: 5, currency: 'CNY', minSpend: 0 } },
  { key: 'advisor', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'theme', kind: 'CONFIG', period: null, defaultValue: { colour: 'blue' } },
];

function rule(key: string, overrides: Partial<EntitlementRuleSnapshot>): EntitlementRuleSnapshot {
  return {
    key,
    effect: 'GRANT',
    priority: 0,
    enabled: true,
    validFrom: null,
    validUntil: null,
    targeting: { tiers: [], match: MatchMode.ALL, conditions: [] },
    variants: [],
    behaviour: [],
    entitlements: [],
    ...overrides,
  };
}

const config = (rules: EntitlementRuleSnapshot[], hasUserGrants = false): EntitlementConfig => ({ catalogue, rules, hasUserGrants, userGrantsVersion: 'v' });
const NO_FACTS: UserFacts = { lastActiveAt: null, days: [] };

function input(rules: EntitlementRuleSnapshot[], overrides: Partial<EntitlementInput> = {}): EntitlementInput {
  return { config: config(rules), user: { id: 'u1', tier: 'regular', attributes: {} }, experiments: [], facts: NO_FACTS, grants: [], now: NOW, ...overrides };
}

const keysOf = (i: EntitlementInput) => resolveEntitlements(i).map((e) => e.key);

describe('resolution order', () => {
  const grantAll = rule('everyone', { entitlements: [{ key: 'checkin-bonus', value: 1 }, { key: 'advisor', value: null }] });

  it('serves grant rules with their values, sources and kinds, in catalogue order', () => {
    expect(resolveEntitlements(input([grantAll]))).toEqual([
      { key: 'checkin-bonus', kind: 'QUOTA', value: 1, period: 'DAY', source: 'everyone', sourceType: 'RULE', expiresAt: null },
      { key: 'advisor', kind: 'FEATURE', value: true, period: null, source: 'everyone', sourceType: 'RULE', expiresAt: null },
    ]);
  });

  it('serves the catalogue default when a rule names no value', () => {
    const coupon = rule('coupon', { entitlements: [{ key: 'recall-coupon', value: null }] });
    expect(resolveEntitlements(input([coupon]))[0].value).toEqual({ amount: 5, currency: 'CNY', minSpend: 0 });
  });

  it('lets any applicable deny rule win over every grant rule, whatever the priorities', () => {
    const deny = rule('hollow', { effect: 'DENY', priority: -100, entitlements: [{ key: 'checkin-bonus', value: null }] });
    expect(keysOf(input([{ ...grantAll, priority: 1000 }, deny]))).toEqual(['advisor']);
  });

  it('gives a quota the most generous limit, whatever the priorities; other kinds go to the highest priority', () => {
    const small = rule('small', { priority: 10, entitlements: [{ key: 'checkin-bonus', value: 2 }, { key: 'theme', value: { colour: 'red' } }] });
    const large = rule('large', { priority: 1, entitlements: [{ key: 'checkin-bonus', value: 5 }, { key: 'theme', value: { colour: 'green' } }] });
    const resolved = resolveEntitlements(input([small, large]));
    expect(resolved.find((e) => e.key === 'checkin-bonus')).toMatchObject({ value: 5, source: 'large' });
    expect(resolved.find((e) => e.key === 'theme')).toMatchObject({ value: { colour: 'red' }, source: 'small' });
  });

  it('breaks ties on a quota by priority, then by rule key', () => {
    const a = rule('a-rule', { entitlements: [{ key: 'checkin-bonus', value: 3 }] });
    const b = rule('b-rule', { entitlements: [{ key: 'checkin-bonus', value: 3 }] });
    expect(resolveEntitlements(input([b, a]))[0].source).toBe('a-rule');
    expect(resolveEntitlements(input([a, { ...b, priority: 1 }]))[0].source).toBe('b-rule');
  });

  const grant = (id: string, overrides: Partial<UserGrantSnapshot>): UserGrantSnapshot => ({
    id, entitlementKey: 'checkin-bonus', effect: 'GRANT', value: null, expiresAt: null, createdAt: at(1), ...overrides,
  });

  it('lets a per-user grant win over deny rules, and a per-user revocation over grant rules', () => {
    const deny = rule('hollow', { effect: 'DENY', entitlements: [{ key: 'checkin-bonus', value: null }] });
    const goodwill = grant('g1', { value: 7, expiresAt: at(-2) });
    expect(resolveEntitlements(input([grantAll, deny], { grants: [goodwill] }))[0]).toEqual({
      key: 'checkin-bonus', kind: 'QUOTA', value: 7, period: 'DAY', source: 'g1', sourceType: 'USER_GRANT', expiresAt: new Date(at(-2)),
    });
    const revoked = grant('r1', { effect: 'REVOKE', entitlementKey: 'advisor' });
    expect(keysOf(input([grantAll], { grants: [revoked] }))).toEqual(['checkin-bonus']);
  });

  it('takes the newest unexpired per-user decision; expired ones never apply', () => {
    const older = grant('older', { value: 3, createdAt: at(5) });
    const newerRevoke = grant('newer', { effect: 'REVOKE', createdAt: at(2), expiresAt: at(1) });
    // The newer revocation expired yesterday: the older grant applies again.
    expect(resolveEntitlements(input([], { grants: [newerRevoke, older] }))).toMatchObject([{ source: 'older', value: 3 }]);
    expect(resolveEntitlements(input([], { grants: [newerRevoke, older], now: at(1, 11) }))).toEqual([]);
    // A grant expiring exactly now has expired.
    expect(resolveEntitlements(input([], { grants: [grant('g', { expiresAt: NOW })] }))).toEqual([]);
  });

  it('ignores rules and grants naming an entitlement no longer in the catalogue', () => {
    const stale = rule('stale', { entitlements: [{ key: 'gone', value: null }] });
    expect(resolveEntitlements(input([stale], { grants: [grant('g', { entitlementKey: 'gone' })] }))).toEqual([]);
  });
});

describe('when a rule applies', () => {
  const grantAdvisor = (overrides: Partial<EntitlementRuleSnapshot>) => rule('r', { entitlements: [{ key: 'advisor', value: null }], ...overrides });

  it('honours the on/off switch and the validity window (from inclusive, until exclusive)', () => {
    expect(keysOf(input([grantAdvisor({ enabled: false })]))).toEqual([]);
    const window = grantAdvisor({ validFrom: new Date(NOW).toISOString(), validUntil: new Date(NOW + 1000).toISOString() });
    expect(keysOf(input([window], { now: NOW - 1 }))).toEqual([]);
    expect(resolveEntitlements(input([window]))).toMatchObject([{ key: 'advisor', expiresAt: new Date(NOW + 1000) }]);
    expect(keysOf(input([window], { now: NOW + 999 }))).toEqual(['advisor']);
    expect(keysOf(input([window], { now: NOW + 1000 }))).toEqual([]);
  });

  it('checks the tier and the attribute conditions like experiment targeting', () => {
    const r = grantAdvisor({
      targeting: { tiers: ['high_value'], match: MatchMode.ALL, conditions: [{ attribute: 'app.version', operator: ConditionOperator.SEMVER_GTE, value: '2.3.0' }] },
    });
    expect(keysOf(input([r], { user: { id: 'u', tier: 'high_value', attributes: { app: { version: '2.4.0' } } } }))).toEqual(['advisor']);
    expect(keysOf(input([r], { user: { id: 'u', tier: 'high_value', attributes: { app: { version: '2.2.9' } } } }))).toEqual([]);
    expect(keysOf(input([r], { user: { id: 'u', tier: 'regular', attributes: { app: { version: '2.4.0' } } } }))).toEqual([]);
  });

  it('checks the user’s variant in an experiment', () => {
    const r = grantAdvisor({ variants: [{ experimentKey: 'advisor-pilot', variantKeys: ['advisor'] }] });
    const assigned = (variantKey: string): ExperimentAssignment[] => [{ experimentKey: 'advisor-pilot', variantKey, payload: null, phase: 1, reason: 'SPLIT' }];
    expect(keysOf(input([r], { experiments: assigned('advisor') }))).toEqual(['advisor']);
    expect(keysOf(input([r], { experiments: assigned('control') }))).toEqual([]);
    expect(keysOf(input([r]))).toEqual([]);
  });

  const behaviour = (condition: Partial<BehaviourConditionSnapshot>) =>
    grantAdvisor({ behaviour: [{ fact: 'EVENT_COUNT', eventTypes: [], windowDays: null, operator: 'GTE', value: 0, ...condition }] });

  it('counts days since last active in whole UTC calendar days; a user never seen has none', () => {
    const away3 = behaviour({ fact: 'DAYS_SINCE_LAST_ACTIVE', operator: 'GTE', value: 3 });
    const lastSeen = (time: number): UserFacts => ({ lastActiveAt: time, days: [] });
    // Last seen late on the 17th: 3 calendar days at noon on the 20th, though only 2.5 x 24 h.
    expect(keysOf(input([away3], { facts: lastSeen(at(3, 23)) }))).toEqual(['advisor']);
    expect(keysOf(input([away3], { facts: lastSeen(at(2, 0)) }))).toEqual([]);
    expect(keysOf(input([away3], { facts: NO_FACTS }))).toEqual([]);
    const never = behaviour({ fact: 'DAYS_SINCE_LAST_ACTIVE', operator: 'LT', value: 1000 });
    expect(keysOf(input([never], { facts: NO_FACTS }))).toEqual([]);
  });

  it('sums counts and values of several event types over a window of today and the days before it', () => {
    const facts: UserFacts = {
      lastActiveAt: at(0),
      days: [
        { day: TODAY, eventType: 'comment', count: 4, sum: 0 },
        { day: TODAY - 29, eventType: 'like', count: 5, sum: 0 }, // the window's first day
        { day: TODAY - 30, eventType: 'like', count: 50, sum: 0 }, // outside the window
        { day: TODAY + 1, eventType: 'like', count: 50, sum: 0 }, // ahead of now: not yet
        { day: TODAY - 3, eventType: 'payment', count: 2, sum: 101 },
      ],
    };
    const interactions = (value: number) => behaviour({ fact: 'EVENT_COUNT', eventTypes: ['comment', 'like'], windowDays: 30, operator: 'GTE', value });
    expect(keysOf(input([interactions(9)], { facts }))).toEqual(['advisor']);
    expect(keysOf(input([interactions(10)], { facts }))).toEqual([]);
    const paid = behaviour({ fact: 'EVENT_VALUE_SUM', eventTypes: ['payment'], windowDays: 30, operator: 'GT', value: 100 });
    expect(keysOf(input([paid], { facts }))).toEqual(['advisor']);
    const paidWeek = behaviour({ fact: 'EVENT_VALUE_SUM', eventTypes: ['payment'], windowDays: 3, operator: 'GT', value: 100 });
    expect(keysOf(input([paidWeek], { facts }))).toEqual([]);
    // Totals are kept per facts object, day and configuration: the same facts a day on count afresh.
    const paidFourDays = behaviour({ fact: 'EVENT_VALUE_SUM', eventTypes: ['payment'], windowDays: 4, operator: 'GT', value: 100 });
    const sameConfig = input([paidFourDays], { facts });
    expect(keysOf(sameConfig)).toEqual(['advisor']);
    expect(keysOf({ ...sameConfig, now: NOW + DAY_MS })).toEqual([]);
    expect(keysOf(sameConfig)).toEqual(['advisor']);
  });
});

describe('explainEntitlements', () => {
  it('lists every rule with its status, each condition with what the user had, and each entitlement’s outcome', () => {
    const facts: UserFacts = { lastActiveAt: at(3), days: [{ day: TODAY - 3, eventType: 'payment', count: 1, sum: 99 }] };
    const rules = [
      rule('payers', {
        priority: 5,
        behaviour: [{ fact: 'EVENT_VALUE_SUM', eventTypes: ['payment'], windowDays: 30, operator: 'GT', value: 100 }],
        entitlements: [{ key: 'checkin-bonus', value: 9 }],
      }),
      rule('base', { entitlements: [{ key: 'checkin-bonus', value: 1 }, { key: 'theme', value: null }] }),
      rule('big-base', { entitlements: [{ key: 'checkin-bonus', value: 2 }, { key: 'theme', value: { colour: 'red' } }] }),
      rule('off', { enabled: false, targeting: { tiers: ['regular'], match: MatchMode.ALL, conditions: [] }, entitlements: [{ key: 'advisor', value: null }] }),
      rule('away', { effect: 'DENY', behaviour: [{ fact: 'DAYS_SINCE_LAST_ACTIVE', eventTypes: [], windowDays: null, operator: 'GTE', value: 3 }], entitlements: [{ key: 'recall-coupon', value: null }] }),
      rule('coupon', { entitlements: [{ key: 'recall-coupon', value: null }] }),
      rule('ended', { validUntil: new Date(NOW).toISOString(), entitlements: [{ key: 'advisor', value: null }] }),
    ];
    const grants: UserGrantSnapshot[] = [{ id: 'g-old', entitlementKey: 'advisor', effect: 'GRANT', value: null, expiresAt: at(1), createdAt: at(9) }];
    const explanation = explainEntitlements(input(rules, { facts, grants }));
    expect(explanation.daysSinceLastActive).toBe(3);
    expect(explanation.entitlements.map((e) => [e.key, e.value, e.source])).toEqual([
      ['checkin-bonus', 2, 'big-base'],
      ['theme', { colour: 'blue' }, 'base'],
    ]);
    const byKey = Object.fromEntries(explanation.rules.map((r) => [r.ruleKey, r]));
    expect(byKey.payers).toMatchObject({
      status: 'CONDITIONS_NOT_MET',
      conditions: [{ condition: 'sum of the values of payment events over the last 30 days > 100', held: false, actual: 99 }],
      entitlements: [{ key: 'checkin-bonus', outcome: 'NOT_APPLIED', by: null }],
    });
    expect(byKey.base.entitlements).toEqual([
      { key: 'checkin-bonus', outcome: 'LESS_GENEROUS', by: 'big-base' },
      { key: 'theme', outcome: 'GRANTED', by: null },
    ]);
    expect(byKey['big-base'].entitlements).toEqual([
      { key: 'checkin-bonus', outcome: 'GRANTED', by: null },
      { key: 'theme', outcome: 'LOWER_PRIORITY', by: 'base' },
    ]);
    expect(byKey.off).toMatchObject({ status: 'DISABLED', conditions: [{ condition: 'tier in [regular]', held: true, actual: 'regular' }] });
    expect(byKey.away).toMatchObject({ status: 'APPLIED', conditions: [{ held: true, actual: 3 }], entitlements: [{ key: 'recall-coupon', outcome: 'DENIED' }] });
    expect(byKey.coupon.entitlements).toEqual([{ key: 'recall-coupon', outcome: 'DENIED_BY_RULE', by: 'away' }]);
    expect(byKey.ended.status).toBe('EXPIRED');
    expect(explanation.userGrants).toEqual([{ grant: grants[0], status: 'EXPIRED' }]);
  });

  it('agrees with resolveEntitlements', () => {
    const rules = [rule('a', { entitlements: [{ key: 'advisor', value: null }] })];
    const grants: UserGrantSnapshot[] = [
      { id: 'new', entitlementKey: 'advisor', effect: 'REVOKE', value: null, expiresAt: null, createdAt: at(1) },
      { id: 'old', entitlementKey: 'advisor', effect: 'GRANT', value: null, expiresAt: null, createdAt: at(2) },
    ];
    const explanation = explainEntitlements(input(rules, { grants }));
    expect(explanation.entitlements).toEqual(resolveEntitlements(input(rules, { grants })));
    expect(explanation.entitlements).toEqual([]);
    expect(explanation.userGrants.map((g) => [g.grant.id, g.status])).toEqual([['new', 'APPLIED'], ['old', 'SUPERSEDED']]);
    expect(explanation.rules[0].entitlements).toEqual([{ key: 'advisor', outcome: 'OVERRIDDEN_BY_USER_GRANT', by: 'new' }]);
  });
});

describe('resolveEntitlements against the plain decision', () => {
  // resolveEntitlements runs on catalogue places, with answers built once per snapshot and rules
  // skipped when they could change nothing; explanations decide with maps, rule by rule. Random
  // configurations, users, facts and grants must get the same answers from both.
  const random = mulberry32(20261124);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const some = <T>(items: readonly T[], max: number): T[] => Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(items));
  const keys = [...catalogue.map((entry) => entry.key), 'gone'];
  const valueFor = (key: string): JsonValue | null =>
    random() < 0.3 ? null : key === 'checkin-bonus' ? pick([1, 2, 3, 5]) : key === 'recall-coupon' ? { amount: pick([5, 8]), currency: 'CNY', minSpend: 0 } : key === 'theme' ? { colour: pick(['red', 'green']) } : null;
  const condition = (): BehaviourConditionSnapshot =>
    random() < 0.5
      ? { fact: 'DAYS_SINCE_LAST_ACTIVE', eventTypes: [], windowDays: null, operator: pick(['GTE', 'LTE', 'EQ'] as const), value: pick([0, 1, 3, 7]) }
      : { fact: pick(['EVENT_COUNT', 'EVENT_VALUE_SUM'] as const), eventTypes: some(['post', 'like', 'payment'], 2), windowDays: pick([1, 7, 30]), operator: pick(['GT', 'LT', 'NEQ'] as const), value: pick([0, 2, 50]) };
  const targetingConditions = [
    { attribute: 'country', operator: ConditionOperator.IN, value: ['cn', 'sg'] },
    { attribute: 'app.version', operator: ConditionOperator.SEMVER_GTE, value: '2.3.0' },
    { attribute: 'platform', operator: ConditionOperator.EQ, value: 'ios' },
    { attribute: 'tags', operator: ConditionOperator.CONTAINS, value: 'vip' },
  ];
  const randomAttributes = () => ({
    ...(random() < 0.8 ? { country: pick(['cn', 'sg', 'us']) } : {}),
    ...(random() < 0.8 ? { app: { version: pick(['2.2.0', '2.3.0', '3.0.0']) } } : {}),
    ...(random() < 0.3 ? { 'app.version': pick(['2.2.0', '3.0.0']) } : {}),
    ...(random() < 0.5 ? { platform: pick(['ios', 'web', null]) } : {}),
    ...(random() < 0.3 ? { tags: pick([['vip'], ['new'], 'vip']) } : {}),
  });
  const window = () => (random() < 0.8 ? null : new Date(NOW + pick([-2, -1, 0, 1, 2]) * DAY_MS).toISOString());
  const randomRule = (n: number) =>
    rule(`rule-${pick(['a', 'b', 'c'])}-${n}`, {
      effect: random() < 0.2 ? 'DENY' : 'GRANT',
      priority: pick([-1, 0, 0, 1, 2]),
      enabled: random() < 0.85,
      validFrom: window(),
      validUntil: window(),
      targeting: { tiers: some(['new', 'regular', 'high_value'], 2), match: pick([MatchMode.ALL, MatchMode.ANY]), conditions: some(targetingConditions, 2) },
      variants: random() < 0.3 ? [{ experimentKey: 'pilot', variantKeys: [pick(['control', 'treatment'])] }] : [],
      behaviour: random() < 0.4 ? some([null], 2).map(condition) : [],
      entitlements: Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(keys)).map((key) => ({ key, value: valueFor(key) })),
    });
  const randomGrant = (n: number): UserGrantSnapshot => ({
    id: `g${n}`,
    entitlementKey: pick(keys),
    effect: random() < 0.7 ? 'GRANT' : 'REVOKE',
    value: random() < 0.5 ? null : 4,
    expiresAt: random() < 0.5 ? null : NOW + pick([-DAY_MS, DAY_MS, 0, 1]),
    createdAt: NOW - Math.floor(random() * 5) * DAY_MS,
  });
  const randomInput = (): EntitlementInput => {
    const rules = Array.from({ length: Math.floor(random() * 12) }, (_, n) => randomRule(n));
    return {
      config: config(rules, true),
      user: { id: 'u', tier: pick(['new', 'regular', 'high_value', null]), attributes: randomAttributes() },
      experiments: random() < 0.7 ? [{ experimentKey: 'pilot', variantKey: pick(['control', 'treatment']), payload: null, phase: 1, reason: 'SPLIT' }] : [],
      facts: random() < 0.2 ? NO_FACTS : { lastActiveAt: at(pick([0, 1, 3, 7])), days: some([0, 1, 5, 20], 4).map((daysAgo) => ({ day: TODAY - daysAgo, eventType: pick(['post', 'like', 'payment']), count: pick([1, 2]), sum: pick([0, 30, 60]) })) },
      grants: random() < 0.6 ? [] : Array.from({ length: 1 + Math.floor(random() * 3) }, (_, n) => randomGrant(n)),
      now: NOW,
    };
  };

  it('gives the same answers as explainEntitlements for 3,000 random cases', () => {
    const sources = new Set<string>();
    for (let n = 0; n < 3_000; n++) {
      const i = randomInput();
      const resolved = resolveEntitlements(i);
      expect({ n, resolved }).toEqual({ n, resolved: explainEntitlements(i).entitlements });
      for (const entitlement of resolved) sources.add(`${entitlement.sourceType}:${entitlement.key}:${JSON.stringify(entitlement.value)}`);
    }
    // The cases reach every kind of answer: rules' and grants' values of every entitlement.
    expect(sources.size).toBeGreaterThan(15);
    expect([...sources].some((s) => s.startsWith('USER_GRANT'))).toBe(true);
  });

  it('serves a memoised answer only while everything it depends on is the same', () => {
    // The memo is kept per facts object (a cached user's). Each request here is the previous one
    // with one thing changed (or none): the tier, the attributes, the variants, the grants, the
    // time (across rules' validity boundaries and grants' expiries, which fall at noon), the facts.
    const times = [-2, -1, 0, 1, 2].flatMap((days) => [NOW + days * DAY_MS - 1, NOW + days * DAY_MS]).concat([NOW + 1, NOW + 2]);
    let hits = 0;
    for (let batch = 0; batch < 40; batch++) {
      let i = randomInput();
      const factsPool = [i.facts, randomInput().facts];
      const grantsPool = [i.grants, [], randomInput().grants];
      let previous = resolveEntitlements(i);
      for (let n = 0; n < 200; n++) {
        const fresh = randomInput();
        const change = pick(['none', 'tier', 'attributes', 'experiments', 'grants', 'now', 'now', 'facts'] as const);
        if (change === 'tier') i = { ...i, user: { ...i.user, tier: fresh.user.tier } };
        if (change === 'attributes') i = { ...i, user: { ...i.user, attributes: fresh.user.attributes } };
        if (change === 'experiments') i = { ...i, experiments: fresh.experiments };
        if (change === 'grants') i = { ...i, grants: pick(grantsPool) };
        if (change === 'now') i = { ...i, now: pick(times) };
        if (change === 'facts') i = { ...i, facts: pick(factsPool) };
        const resolved = resolveEntitlements(i);
        expect({ batch, n, change, resolved }).toEqual({ batch, n, change, resolved: explainEntitlements(i).entitlements });
        if (resolved === previous) hits++;
        previous = resolved;
      }
    }
    expect(hits).toBeGreaterThan(1_000);
  });

  it('keeps no memo when an attribute the rules read is an object, which may change in place', () => {
    const vip = rule('vip', { targeting: { tiers: [], match: MatchMode.ALL, conditions: [{ attribute: 'tags', operator: ConditionOperator.CONTAINS, value: 'vip' }] }, entitlements: [{ key: 'advisor', value: null }] });
    const tags = ['vip'];
    const i = input([vip], { user: { id: 'u', tier: null, attributes: { tags } }, facts: { lastActiveAt: null, days: [] } });
    expect(keysOf(i)).toEqual(['advisor']);
    tags[0] = 'new';
    expect(keysOf(i)).toEqual([]);
  });

  it('serves each rule’s answer as one frozen object, shared by every request', () => {
    const i = input([rule('everyone', { entitlements: [{ key: 'advisor', value: null }] })]);
    const first = resolveEntitlements(i)[0];
    expect(resolveEntitlements({ ...i, user: { id: 'u2', tier: 'new', attributes: {} } })[0]).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe('stateNeeds', () => {
  it('asks for the longest window and the event types of enabled rules only, and for grants only when there are any', () => {
    const rules = [
      rule('a', { behaviour: [{ fact: 'EVENT_COUNT', eventTypes: ['post'], windowDays: 7, operator: 'GTE', value: 3 }] }),
      rule('b', { behaviour: [{ fact: 'EVENT_VALUE_SUM', eventTypes: ['payment'], windowDays: 30, operator: 'GT', value: 100 }] }),
      rule('c', { enabled: false, behaviour: [{ fact: 'EVENT_COUNT', eventTypes: ['like'], windowDays: 90, operator: 'GTE', value: 3 }] }),
    ];
    expect(stateNeeds(config(rules, true))).toEqual({ facts: true, lookbackDays: 30, eventTypes: ['payment', 'post'], grants: true });
    expect(stateNeeds(config([rule('d', {})]))).toEqual({ facts: false, lookbackDays: 0, eventTypes: [], grants: false });
  });
});
