import { ExperimentStatus } from './experiment.entity';
import {
  configProblems, experimentProblems, LifecycleAction, lockedChanges, lockedFieldHint, nextStatus, payloadTypeProblems, startProblems, type ExperimentConfig,
} from './experiment.rules';
import { ConditionOperator, MatchMode } from '../targeting/targeting.types';

const { DRAFT, RUNNING, PAUSED, STOPPED, ARCHIVED } = ExperimentStatus;

function config(overrides: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    name: 'Activity incentives',
    description: null,
    hypothesis: null,
    strategy: 'check-in',
    owner: 'pm',
    tags: [],
    trafficAllocation: 100,
    variants: [
      { key: 'control', name: 'Control', weight: 50, isControl: true, payload: {} },
      { key: 'check-in', name: 'Check-in', weight: 50, isControl: false, payload: { reward: 1 } },
    ],
    targeting: { tiers: [], match: MatchMode.ALL, conditions: [] },
    primaryMetricKey: 'd7_retention',
    secondaryMetricKeys: [],
    guardrailMetricKeys: [],
    layerKey: null,
    autoPauseOnGuardrail: false,
    layerShare: null,
    ...overrides,
  };
}

describe('lifecycle', () => {
  // Every (status, action) pair: the allowed ones with where they lead, all others refused.
  const allowed: Record<string, ExperimentStatus> = {
    'DRAFT START': RUNNING,
    'RUNNING PAUSE': PAUSED,
    'PAUSED RESUME': RUNNING,
    'RUNNING STOP': STOPPED,
    'PAUSED STOP': STOPPED,
    'DRAFT ARCHIVE': ARCHIVED,
    'STOPPED ARCHIVE': ARCHIVED,
    'RUNNING RESTART': RUNNING,
    'PAUSED RESTART': RUNNING,
  };
  for (const status of Object.values(ExperimentStatus)) {
    for (const action of Object.values(LifecycleAction)) {
      const expected = allowed[`${status} ${action}`] ?? null;
      it(`${action} from ${status} ${expected ? `leads to ${expected}` : 'is refused'}`, () => {
        expect(nextStatus(status, action)).toBe(expected);
      });
    }
  }
});

describe('lockedChanges', () => {
  it('lets a draft change anything', () => {
    expect(lockedChanges(DRAFT, config(), { variants: [], targeting: { tiers: ['new'], match: MatchMode.ALL, conditions: [] } })).toEqual([]);
  });

  it('lets a running experiment ramp and rename, but not touch variants, weights or targeting', () => {
    const current = config();
    expect(lockedChanges(RUNNING, current, { trafficAllocation: 20, name: 'x', description: 'y', tags: ['a'] })).toEqual([]);
    const reweighted = current.variants.map((v, i) => ({ ...v, weight: i === 0 ? 40 : 60 }));
    expect(lockedChanges(RUNNING, current, { variants: reweighted })).toEqual(['variants']);
    expect(lockedChanges(PAUSED, current, { targeting: { tiers: ['high_value'], match: MatchMode.ALL, conditions: [] } })).toEqual(['targeting']);
    expect(lockedChanges(RUNNING, current, { primaryMetricKey: 'd1_retention', hypothesis: 'h' })).toEqual(['primaryMetricKey', 'hypothesis']);
  });

  it('treats resending the current value as no change', () => {
    const current = config();
    expect(lockedChanges(RUNNING, current, { variants: structuredClone(current.variants), targeting: structuredClone(current.targeting) })).toEqual([]);
  });

  it('freezes the traffic of a stopped experiment and everything of an archived one', () => {
    expect(lockedChanges(STOPPED, config(), { trafficAllocation: 5 })).toEqual(['trafficAllocation']);
    expect(lockedChanges(STOPPED, config(), { name: 'renamed' })).toEqual([]);
    expect(lockedChanges(ARCHIVED, config(), { name: 'renamed' })).toEqual(['name']);
  });
});

describe('startProblems', () => {
  it('accepts one control and weights summing to 100, also as thirds', () => {
    expect(startProblems(config())).toEqual([]);
    const thirds = config({
      variants: [
        { key: 'a', name: 'A', weight: 33.34, isControl: true, payload: {} },
        { key: 'b', name: 'B', weight: 33.33, isControl: false, payload: {} },
        { key: 'c', name: 'C', weight: 33.33, isControl: false, payload: {} },
      ],
    });
    expect(startProblems(thirds)).toEqual([]);
  });

  it('needs exactly one control', () => {
    const none = config({ variants: config().variants.map((v) => ({ ...v, isControl: false })) });
    const two = config({ variants: config().variants.map((v) => ({ ...v, isControl: true })) });
    expect(startProblems(none)).toEqual([{ field: 'variants', message: 'needs exactly one control variant, has 0' }]);
    expect(startProblems(two)).toEqual([{ field: 'variants', message: 'needs exactly one control variant, has 2' }]);
  });

  it('needs weights summing to 100 and a primary metric', () => {
    const light = config({ variants: config().variants.map((v) => ({ ...v, weight: 49 })) });
    expect(startProblems(light)).toEqual([{ field: 'variants', message: 'variant weights must sum to 100, they sum to 98' }]);
    expect(startProblems(config({ primaryMetricKey: null }))).toEqual([{ field: 'primaryMetricKey', message: 'needs a primary metric' }]);
  });
});

describe('configProblems', () => {
  it('refuses repeated variant keys, naming the second', () => {
    const repeated = config({ variants: config().variants.map((v) => ({ ...v, key: 'same' })) });
    expect(configProblems(repeated)).toEqual([{ field: 'variants.1.key', message: 'variant key "same" is used twice' }]);
  });

  it('wants layerKey and layerShare together', () => {
    expect(configProblems(config({ layerKey: 'incentives' }))).toEqual([{ field: 'layerShare', message: 'layerKey and layerShare go together' }]);
    expect(configProblems(config({ layerShare: 30 }))).toEqual([{ field: 'layerKey', message: 'layerKey and layerShare go together' }]);
    expect(configProblems(config({ layerKey: 'incentives', layerShare: 30 }))).toEqual([]);
  });

  it('reports targeting problems under targeting.', () => {
    const targeting = { tiers: [], match: MatchMode.ANY, conditions: [{ attribute: 'age', operator: ConditionOperator.GT, value: 'old' }] };
    expect(configProblems(config({ targeting }))).toEqual([{ field: 'targeting.conditions.0.value', message: 'GT needs a number' }]);
  });
});

describe('experimentProblems', () => {
  it('names every problem at once, each with its field: two controls and weights summing to 60 are both reported', () => {
    const variants = [
      { key: 'control', name: 'Control', weight: 30, isControl: true, payload: {} },
      { key: 'control', name: 'Also control', weight: 30, isControl: true, payload: {} },
    ];
    expect(experimentProblems(config({ variants, primaryMetricKey: null }))).toEqual([
      { field: 'variants.1.key', message: 'variant key "control" is used twice' },
      { field: 'variants', message: 'needs exactly one control variant, has 2' },
      { field: 'variants', message: 'variant weights must sum to 100, they sum to 60' },
      { field: 'primaryMetricKey', message: 'needs a primary metric' },
    ]);
  });

  it('finds a payload field that the variants give different types, and leaves fields only some have alone', () => {
    const variants = [
      { key: 'control', name: 'Control', weight: 34, isControl: true, payload: {} },
      { key: 'small', name: 'Small', weight: 33, isControl: false, payload: { rewardAmount: 1, currency: 'CNY', tasks: ['post'] } },
      { key: 'big', name: 'Big', weight: 33, isControl: false, payload: { rewardAmount: '5', tasks: { post: true }, streak: 7 } },
    ];
    expect(payloadTypeProblems(variants)).toEqual([
      { field: 'variants.2.payload.rewardAmount', message: '"rewardAmount" is a string here but a number in "small"' },
      { field: 'variants.2.payload.tasks', message: '"tasks" is an object here but a list in "small"' },
    ]);
    expect(experimentProblems(config({ variants }))).toEqual(payloadTypeProblems(variants));
  });

  it('is empty for a configuration ready to start', () => {
    expect(experimentProblems(config())).toEqual([]);
  });
});

describe('lockedFieldHint', () => {
  it('names the mutation that changes a locked field', () => {
    expect(lockedFieldHint('variants', RUNNING)).toMatch(/^restartExperiment\(/);
    expect(lockedFieldHint('variants', PAUSED)).toMatch(/^restartExperiment\(/);
    expect(lockedFieldHint('targeting', RUNNING)).toMatch(/^duplicateExperiment /);
    expect(lockedFieldHint('variants', STOPPED)).toMatch(/duplicateExperiment/);
    expect(lockedFieldHint('name', ARCHIVED)).toMatch(/read-only; duplicateExperiment/);
  });
});
