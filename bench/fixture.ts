/**
 * The benchmark configuration, shared by the in-process (bench/evaluate.ts) and HTTP benchmarks:
 * 20 running experiments in 3 layers (the experiments of a layer on disjoint slices), a 5% global
 * holdout, 10 flags (rollouts, targeted values, experiment-driven values), and a deterministic
 * population of users.
 */
import 'reflect-metadata'; // targeting.types declares GraphQL types, whose decorators need it
import type { ConfigSnapshot, ExperimentSnapshot, FlagSnapshot, JsonValue, UserContext } from '../src/assignment/snapshot';
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
