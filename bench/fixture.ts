/**
 * The benchmark configuration, shared by the in-process (bench/evaluate.ts) and HTTP benchmarks:
 * 20 running experiments in 3 layers (the experiments of a layer on disjoint slices), a 5% global
 * holdout, 10 flags (rollouts, targeted values, experiment-driven values), and a deterministic
 * population of users.
 */
import 'reflect-metadata'; // targeting.types declares GraphQL types, whose decorators need it
import type { ConfigSnapshot, ExperimentSnapshot, FlagSnapshot, JsonValue, UserContext } from '../src/assignment/snapshot';
import type { BehaviourConditionSnapshot, CatalogueEntry, EntitlementRuleSnapshot } from '../src/entitlements/entitlement.snapshot';
import { ConditionOperator, MatchMode, type Targeting } from '../src/targeting/targeting.types';

export const BENCH_USER_COUNT = 100_000;

const EVERYONE: Targeting = { tiers: [], match: MatchMode.ALL, conditions: [] };
const ENGAGED_TIERS: Targeting = { tiers: ['regular', 'high_value'], match: MatchMode.ALL, conditions: [] };
const HIGH_VALUE: Targeting = { tiers: ['high_value'], match: MatchMode.ALL, conditions: [] };
const RECENT_APP: Targeting = {
  tiers: [],
  match: MatchMode.ALL,
  conditions: [{ attribute: 'app.version', operator: ConditionOperator.SEMVER_GTE, value: '2.3.0' }],
};
const ASIA_ON_RECENT_APP: Targeting = {
  tiers: ['new', 'regular', 'high_value'],
  match: MatchMode.ALL,
  conditions: [
    { attribute: 'country', operator: ConditionOperator.IN, value: ['cn', 'sg', 'my'] },
    { attribute: 'app.version', operator: ConditionOperator.SEMVER_GTE, value: '2.3.0' },
  ],
};
const MOBILE_OR_NEWCOMER: Targeting = {
  tiers: [],
  match: MatchMode.ANY,
  conditions: [
    { attribute: 'platform', operator: ConditionOperator.IN, value: ['ios', 'android'] },
    { attribute: 'daysSinceSignup', operator: ConditionOperator.LT, value: 7 },
  ],
};

const TARGETINGS = [EVERYONE, ENGAGED_TIERS, RECENT_APP, ASIA_ON_RECENT_APP, MOBILE_OR_NEWCOMER, HIGH_VALUE];
const WEIGHTS = [[50, 50], [34, 33, 33], [10, 30, 60], [25, 25, 25, 25]];
const TRAFFIC = [100, 80, 50, 100, 30];

const LAYERS = [
  { key: 'onboarding', seed: 'layer-onboarding-7f3a', experiments: 7 },
  { key: 'engagement', seed: 'layer-engagement-19c2', experiments: 7 },
  { key: 'monetisation', seed: 'layer-monetisation-b48e', experiments: 6 },
];

/** Experiment i of a layer of n takes the slice [i/n, (i+1)/n): slices of a layer never overlap. */
function buildExperiments(): ExperimentSnapshot[] {
  const experiments: ExperimentSnapshot[] = [];
  for (const layer of LAYERS) {
    for (let slot = 0; slot < layer.experiments; slot++) {
      const number = experiments.length;
      const weights = WEIGHTS[number % WEIGHTS.length];
      experiments.push({
        key: `${layer.key}-exp-${slot}`,
        seed: `seed-${layer.key}-${slot}-phase1`,
        phase: 1,
        layer: { key: layer.key, start: slot / layer.experiments, end: (slot + 1) / layer.experiments },
        trafficAllocation: TRAFFIC[number % TRAFFIC.length],
        variants: weights.map((weight, index) => ({
          key: index === 0 ? 'control' : `treatment-${index}`,
          weight,
          isControl: index === 0,
          payload: { strategy: ['check-in', 'task-system', 'advisor'][number % 3], rewardPoints: 10 * index },
        })),
        targeting: TARGETINGS[number % TARGETINGS.length],
        forcedAssignments: {},
      });
    }
  }
  return experiments;
}

function buildFlags(experiments: readonly ExperimentSnapshot[]): FlagSnapshot[] {
  const experimentValues = (experiment: ExperimentSnapshot, valueOf: (index: number) => JsonValue) =>
    Object.fromEntries(experiment.variants.map((variant, index) => [variant.key, valueOf(index)]));
  const flag = (key: string, type: FlagSnapshot['type'], defaultValue: JsonValue, rules: FlagSnapshot['rules']): FlagSnapshot => ({
    key,
    type,
    enabled: true,
    defaultValue,
    seed: key,
    rules,
  });
  return [
    flag('new-checkout', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 30, value: true }]),
    flag('dark-mode', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: RECENT_APP, percentage: 60, value: true }]),
    flag('reward-multiplier', 'NUMBER', 1, [
      { id: 'r1', kind: 'VALUE', targeting: HIGH_VALUE, value: 2 },
      { id: 'r2', kind: 'ROLLOUT', targeting: ENGAGED_TIERS, percentage: 20, value: 1.5 },
    ]),
    flag('advisor-entry', 'BOOLEAN', false, [{ id: 'r1', kind: 'VALUE', targeting: HIGH_VALUE, value: true }]),
    flag('home-banner', 'STRING', 'default', [
      { id: 'r1', kind: 'VALUE', targeting: ASIA_ON_RECENT_APP, value: 'festival' },
      { id: 'r2', kind: 'ROLLOUT', targeting: MOBILE_OR_NEWCOMER, percentage: 50, value: 'welcome' },
    ]),
    flag('support-contact', 'JSON', { channel: 'email' }, [
      { id: 'r1', kind: 'VALUE', targeting: HIGH_VALUE, value: { channel: 'phone', responseSeconds: 90 } },
    ]),
    flag('search-v2', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 5, value: true }]),
    flag('checkin-reward', 'NUMBER', 0, [
      { id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: experiments[0].key, values: experimentValues(experiments[0], (i) => 5 * i) },
    ]),
    flag('task-centre', 'BOOLEAN', false, [
      { id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: experiments[7].key, values: experimentValues(experiments[7], (i) => i > 0) },
    ]),
    flag('advisor-offer', 'JSON', null, [
      { id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: experiments[14].key, values: experimentValues(experiments[14], (i) => ({ variant: i })) },
      { id: 'r2', kind: 'VALUE', targeting: HIGH_VALUE, value: { variant: 'fallback' } },
    ]),
  ];
}

const benchExperiments = buildExperiments();

export const benchSnapshot: ConfigSnapshot = {
  version: 'bench-1',
  generatedAt: '2026-11-01T00:00:00.000Z',
  holdout: { percentage: 5, seed: 'global-holdout-2026' },
  layers: LAYERS.map(({ key, seed }) => ({ key, seed })),
  experiments: benchExperiments,
  flags: buildFlags(benchExperiments),
};

const COUNTRIES = ['cn', 'sg', 'my', 'us', 'de', 'br'];
const VERSIONS = ['2.1.0', '2.2.4', '2.3.0', '2.4.1', '3.0.0-beta.2', '3.0.0'];
const PLATFORMS = ['ios', 'android', 'web'];

/** The benchmark's user number `i`: 10% high_value, 5% suspect, the rest new or regular; deterministic. */
export function benchUser(i: number): UserContext {
  const tierRoll = (i * 7919) % 100;
  const tier = tierRoll < 10 ? 'high_value' : tierRoll < 15 ? 'suspect' : tierRoll < 55 ? 'new' : 'regular';
  return {
    id: `user-${i}`,
    tier,
    attributes: {
      country: COUNTRIES[(i * 31) % COUNTRIES.length],
      platform: PLATFORMS[(i * 17) % PLATFORMS.length],
      daysSinceSignup: (i * 13) % 90,
      app: { version: VERSIONS[(i * 11) % VERSIONS.length] },
    },
  };
}

/**
 * Entitlements for bench:resolve: a catalogue of 12 and 30 rules, a mix of tier, attribute,
 * experiment-variant and behavioural conditions (days since last active, counts and sums over
 * 7 to 90 days), 4 of them deny rules, like the growth teams' rules.
 */
export const benchCatalogue: CatalogueEntry[] = [
  { key: 'checkin-bonus', kind: 'QUOTA', period: 'DAY', defaultValue: 1 },
  { key: 'task-rewards', kind: 'QUOTA', period: 'WEEK', defaultValue: 1 },
  { key: 'uploads', kind: 'QUOTA', period: 'MONTH', defaultValue: 10 },
  { key: 'genuine-activity', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'recall-popup', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'recall-coupon', kind: 'COUPON', period: null, defaultValue: { amount: 5, currency: 'CNY', minSpend: 0 } },
  { key: 'vip-coupon', kind: 'COUPON', period: null, defaultValue: { amount: 20, currency: 'CNY', minSpend: 100 } },
  { key: 'dedicated-support', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'recall-survey', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'advisor', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'offline-event-invitation', kind: 'FEATURE', period: null, defaultValue: true },
  { key: 'home-layout', kind: 'CONFIG', period: null, defaultValue: { layout: 'classic' } },
];

const fact = (f: BehaviourConditionSnapshot['fact'], eventTypes: string[], windowDays: number | null, operator: BehaviourConditionSnapshot['operator'], value: number): BehaviourConditionSnapshot => ({
  fact: f,
  eventTypes,
  windowDays,
  operator,
  value,
});
const away = (operator: BehaviourConditionSnapshot['operator'], days: number) => fact('DAYS_SINCE_LAST_ACTIVE', [], null, operator, days);

function buildEntitlementRules(experiments: readonly ExperimentSnapshot[]): EntitlementRuleSnapshot[] {
  const rule = (key: string, fields: Partial<EntitlementRuleSnapshot>): EntitlementRuleSnapshot => ({
    key,
    effect: 'GRANT',
    priority: 0,
    enabled: true,
    validFrom: null,
    validUntil: null,
    targeting: EVERYONE,
    variants: [],
    behaviour: [],
    entitlements: [],
    ...fields,
  });
  const grant = (key: string, value: JsonValue | null = null) => ({ key, value });
  const treatment = (experiment: ExperimentSnapshot) => ({ experimentKey: experiment.key, variantKeys: experiment.variants.slice(1).map((v) => v.key) });
  return [
    rule('checkin-all', { entitlements: [grant('checkin-bonus', 1)] }),
    rule('tasks-baseline', { entitlements: [grant('task-rewards', 1)] }),
    rule('uploads-baseline', { entitlements: [grant('uploads', 10)] }),
    rule('layout-classic', { entitlements: [grant('home-layout')] }),
    rule('genuine-payer', { priority: 10, behaviour: [fact('EVENT_VALUE_SUM', ['payment'], 30, 'GT', 100)], entitlements: [grant('genuine-activity'), grant('task-rewards', 5)] }),
    rule('genuine-poster', { priority: 10, behaviour: [fact('EVENT_COUNT', ['post'], 7, 'GTE', 3)], entitlements: [grant('genuine-activity'), grant('task-rewards', 5)] }),
    rule('genuine-interactions', { priority: 10, behaviour: [fact('EVENT_COUNT', ['comment', 'like'], 30, 'GTE', 10)], entitlements: [grant('genuine-activity'), grant('task-rewards', 5)] }),
    rule('hollow-activity', {
      effect: 'DENY',
      behaviour: [away('LTE', 29), fact('EVENT_VALUE_SUM', ['payment'], 30, 'LTE', 100), fact('EVENT_COUNT', ['post'], 7, 'LT', 3), fact('EVENT_COUNT', ['comment', 'like'], 30, 'LT', 10)],
      entitlements: [grant('checkin-bonus'), grant('recall-coupon'), grant('vip-coupon')],
    }),
    rule('winback-day-1', { behaviour: [away('EQ', 3)], entitlements: [grant('recall-popup'), grant('recall-coupon')] }),
    rule('winback-day-3', { behaviour: [away('GTE', 5), away('LTE', 30)], entitlements: [grant('dedicated-support')] }),
    rule('winback-day-7', { behaviour: [away('GTE', 9), away('LTE', 30)], entitlements: [grant('recall-survey')] }),
    rule('big-spender', { priority: 20, behaviour: [fact('EVENT_VALUE_SUM', ['payment'], 90, 'GTE', 500)], entitlements: [grant('vip-coupon'), grant('uploads', 100)] }),
    rule('frequent-opener', { behaviour: [fact('EVENT_COUNT', ['app_open'], 14, 'GTE', 10)], entitlements: [grant('uploads', 30)] }),
    rule('recent-poster', { behaviour: [fact('EVENT_COUNT', ['post'], 30, 'GTE', 1), away('LTE', 2)], entitlements: [grant('uploads', 20)] }),
    rule('lapsed-high-value', { targeting: HIGH_VALUE, behaviour: [away('GTE', 7)], entitlements: [grant('dedicated-support'), grant('vip-coupon')] }),
    rule('high-value-support', { targeting: HIGH_VALUE, entitlements: [grant('dedicated-support')] }),
    rule('high-value-uploads', { targeting: HIGH_VALUE, priority: 5, entitlements: [grant('uploads', 50)] }),
    rule('engaged-tasks', { targeting: ENGAGED_TIERS, entitlements: [grant('task-rewards', 3)] }),
    rule('suspect-tier', { effect: 'DENY', targeting: { tiers: ['suspect'], match: MatchMode.ALL, conditions: [] }, entitlements: [grant('vip-coupon'), grant('task-rewards')] }),
    rule('newcomer-tasks', { targeting: { tiers: ['new'], match: MatchMode.ALL, conditions: [] }, entitlements: [grant('task-rewards', 2)] }),
    rule('asia-layout', { targeting: ASIA_ON_RECENT_APP, priority: 3, entitlements: [grant('home-layout', { layout: 'festival' })] }),
    rule('recent-app-layout', { targeting: RECENT_APP, priority: 2, entitlements: [grant('home-layout', { layout: 'cards' })] }),
    rule('mobile-uploads', { targeting: MOBILE_OR_NEWCOMER, entitlements: [grant('uploads', 15)] }),
    rule('old-app-no-coupons', {
      effect: 'DENY',
      targeting: { tiers: [], match: MatchMode.ALL, conditions: [{ attribute: 'app.version', operator: ConditionOperator.SEMVER_LT, value: '2.2.0' }] },
      entitlements: [grant('vip-coupon')],
    }),
    rule('advisor-arm', { variants: [treatment(experiments[14])], entitlements: [grant('advisor'), grant('offline-event-invitation')] }),
    rule('checkin-arm', { priority: 5, variants: [treatment(experiments[0])], entitlements: [grant('checkin-bonus', 2)] }),
    rule('tasks-arm', { priority: 5, variants: [treatment(experiments[7])], entitlements: [grant('task-rewards', 7)] }),
    rule('holiday-layout', { priority: 9, validFrom: '2026-12-20T00:00:00.000Z', validUntil: '2027-01-03T00:00:00.000Z', entitlements: [grant('home-layout', { layout: 'holiday' })] }),
    rule('retired-offer', { enabled: false, entitlements: [grant('vip-coupon')] }),
    rule('returning-payer', { variants: [treatment(experiments[3])], behaviour: [fact('EVENT_COUNT', ['payment'], 60, 'GTE', 1), away('GTE', 1)], entitlements: [grant('recall-coupon', { amount: 8, currency: 'CNY', minSpend: 0 })] }),
  ];
}

export const benchEntitlementRules: EntitlementRuleSnapshot[] = buildEntitlementRules(benchExperiments);

const EVENT_TYPES = ['app_open', 'post', 'comment', 'like', 'payment'];

/** A few weeks of events for user number `i`, deterministic, `today` being a UTC midnight in ms. */
export function benchEvents(i: number, today: number): { id: string; userId: string; type: string; value: number | null; occurredAt: string }[] {
  const events = [];
  const count = 5 + ((i * 37) % 25);
  for (let n = 0; n < count; n++) {
    const type = EVENT_TYPES[(i * 7 + n * 3) % EVENT_TYPES.length];
    const daysAgo = (i * 11 + n * 5) % 40;
    events.push({
      id: `bench-${i}-${n}`,
      userId: `user-${i}`,
      type,
      value: type === 'payment' ? 10 + ((i * 13 + n * 29) % 200) : null,
      occurredAt: new Date(today - daysAgo * 86_400_000 + 60_000).toISOString(),
    });
  }
  return events;
}
