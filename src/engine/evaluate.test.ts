import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { GrowthBookClient, type Filter } from '@growthbook/growthbook';
import { ConditionOperator as Op, MatchMode, type Targeting } from './targeting.model';
import { compileSnapshot, evaluate, evaluateFlags } from './evaluate';
import type { ConfigSnapshot, ExperimentSnapshot, FlagEvaluation, FlagRuleSnapshot, FlagSnapshot, JsonValue, Resolution, UserContext } from './snapshot';

// jstat ships no type declarations; this is the one function used.
const { jStat } = require('jstat') as { jStat: { chisquare: { cdf(statistic: number, degreesOfFreedom: number): number } } };

const EVERYONE: Targeting = { tiers: [], match: MatchMode.ALL, conditions: [] };
const HIGH_VALUE: Targeting = { tiers: ['high_value'], match: MatchMode.ALL, conditions: [] };

function snapshotOf(parts: Partial<ConfigSnapshot>): ConfigSnapshot {
  return { version: 'test', generatedAt: '2026-11-01T00:00:00.000Z', holdout: null, layers: [], experiments: [], flags: [], ...parts };
}

function experimentOf(parts: Partial<ExperimentSnapshot> & { weights?: number[] } = {}): ExperimentSnapshot {
  const { weights = [50, 50], ...rest } = parts;
  return {
    key: 'exp',
    seed: 'exp-seed',
    phase: 1,
    layer: null,
    trafficAllocation: 100,
    variants: weights.map((weight, index) => ({
      key: index === 0 ? 'control' : `treatment-${index}`,
      weight,
      isControl: index === 0,
      payload: { arm: index },
    })),
    targeting: EVERYONE,
    forcedAssignments: {},
    ...rest,
  };
}

function flagOf(key: string, type: FlagSnapshot['type'], defaultValue: JsonValue, rules: FlagRuleSnapshot[], enabled = true): FlagSnapshot {
  return { key, type, enabled, defaultValue, seed: key, rules };
}

const userIds = (count: number) => Array.from({ length: count }, (_, i) => `user-${i}`);

/** The variant key each user gets in experiment `key`, or null when not in it. */
function variantsIn(snapshot: ConfigSnapshot, key: string, ids: readonly string[]): (string | null)[] {
  return ids.map((id) => evaluate(snapshot, { id }).experiments.find((assignment) => assignment.experimentKey === key)?.variantKey ?? null);
}

function countBy<T>(values: readonly T[], categories: readonly T[]): number[] {
  return categories.map((category) => values.filter((value) => value === category).length);
}

/** Chi-square goodness-of-fit p-value of observed counts against expected shares summing to 1. */
function chiSquarePValue(observed: readonly number[], expectedShares: readonly number[]): number {
  const total = observed.reduce((sum, count) => sum + count, 0);
  const statistic = observed.reduce((sum, count, i) => sum + (count - total * expectedShares[i]) ** 2 / (total * expectedShares[i]), 0);
  return 1 - jStat.chisquare.cdf(statistic, observed.length - 1);
}

const flagIn = (resolution: Resolution, key: string): FlagEvaluation => resolution.flags.find((flag) => flag.key === key)!;

describe('evaluate: experiments', () => {
  it("assigns exactly as GrowthBook's SDK does with the same seeds, holdout and layer as hash filters, weights, coverage and targeting", () => {
    const snapshot = snapshotOf({
      holdout: { percentage: 10, seed: 'holdout-seed' },
      layers: [{ key: 'growth', seed: 'growth-layer-seed' }],
      experiments: [
        experimentOf({ key: 'incentives', seed: 'incentives-seed', weights: [10, 30, 60], trafficAllocation: 80, layer: { key: 'growth', start: 0.25, end: 0.75 }, targeting: { ...EVERYONE, tiers: ['new', 'regular'] } }),
      ],
    });
    const filters: Filter[] = [
      { seed: 'holdout-seed', hashVersion: 2, ranges: [[0.1, 1]] },
      { seed: 'growth-layer-seed', hashVersion: 2, ranges: [[0.25, 0.75]] },
    ];
    const client = new GrowthBookClient();
    const tiers = ['new', 'regular', 'high_value'];
    const users = userIds(5000).map((id, i) => ({ id, tier: tiers[i % 3] }));
    const ours = users.map((user) => evaluate(snapshot, user).experiments[0]?.variantKey ?? null);
    const reference = users.map((user) => {
      const result = client.runInlineExperiment(
        {
          key: 'incentives',
          seed: 'incentives-seed',
          hashVersion: 2,
          variations: ['control', 'treatment-1', 'treatment-2'],
          weights: [0.1, 0.3, 0.6],
          coverage: 0.8,
          filters,
          condition: { tier: { $in: ['new', 'regular'] } },
        },
        { attributes: user },
      );
      return result.inExperiment ? result.value : null;
    });
    expect(ours).toEqual(reference);
    // A meaningful share entered: 0.9 outside the holdout x 2/3 targeted x 0.5 of the layer x 0.8 traffic = 24%.
    expect(ours.filter((variant) => variant !== null).length / users.length).toBeGreaterThan(0.2);
  });

  it('lists only the experiments the user is in, in snapshot order, with variant, payload, phase and reason SPLIT', () => {
    const snapshot = snapshotOf({
      experiments: [
        experimentOf({ key: 'first', seed: 's1', phase: 3 }),
        experimentOf({ key: 'never', seed: 's2', trafficAllocation: 0 }),
        experimentOf({ key: 'last', seed: 's3' }),
      ],
    });
    const resolution = evaluate(snapshot, { id: 'user-1' });
    expect(resolution.userId).toBe('user-1');
    expect(resolution.inHoldout).toBe(false);
    expect(resolution.experiments.map((assignment) => assignment.experimentKey)).toEqual(['first', 'last']);
    const [first] = resolution.experiments;
    const variant = snapshot.experiments[0].variants.find((candidate) => candidate.key === first.variantKey)!;
    expect(first).toEqual({ experimentKey: 'first', variantKey: variant.key, payload: variant.payload, phase: 3, reason: 'SPLIT' });
  });

  it('gives the same answers in another Node process, also in other time zones', () => {
    // Dates without a zone in the targeting and in half of the users: a process reading them in
    // its local zone would target different users than one in UTC.
    const snapshot = snapshotOf({
      holdout: { percentage: 5, seed: 'holdout' },
      layers: [{ key: 'main', seed: 'main-layer' }],
      experiments: [
        experimentOf({ key: 'a', seed: 'a-seed', layer: { key: 'main', start: 0, end: 0.5 }, weights: [34, 33, 33] }),
        experimentOf({ key: 'b', seed: 'b-seed', layer: { key: 'main', start: 0.5, end: 1 }, trafficAllocation: 60 }),
        experimentOf({
          key: 'signed-up-late',
          seed: 'c-seed',
          targeting: {
            tiers: [],
            match: MatchMode.ALL,
            conditions: [
              { attribute: 'signedUpAt', operator: Op.DATE_AFTER, value: '2026-06-01T12:00' },
              { attribute: 'app.version', operator: Op.SEMVER_GTE, value: '2.0.0' },
            ],
          },
        }),
      ],
      flags: [
        flagOf('rollout', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 40, value: true }]),
        flagOf('by-experiment', 'STRING', 'none', [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'a', values: { control: 'c', 'treatment-1': 't1', 'treatment-2': 't2' } }]),
      ],
    });
    const users: UserContext[] = Array.from({ length: 3000 }, (_, i) => {
      const hour = String(i % 24).padStart(2, '0');
      return {
        id: `user-${i}`,
        tier: 'regular',
        attributes: { signedUpAt: i % 2 === 0 ? `2026-06-01T${hour}:30` : `2026-06-01T${hour}:30:00Z`, app: { version: ['1.9.0', '2.0.0', '2.4.1'][i % 3] } },
      };
    });
    const inProcess = users.map((user) => evaluate(snapshot, user));

    for (const zone of ['Asia/Shanghai', 'America/New_York']) {
      const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'evaluate-in-child.fixture.ts')], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, TZ: zone },
        input: JSON.stringify({ snapshot, users }),
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      expect({ zone, status: child.status, stderr: child.stderr }).toEqual({ zone, status: 0, stderr: '' });
      expect(JSON.parse(child.stdout)).toEqual(inProcess);
    }
  }, 30_000);

  it('never moves a user when traffic is ramped up: raising only adds users, lowering only removes', () => {
    const ids = userIds(20_000);
    const levels = [10, 30, 60, 100];
    const byLevel = levels.map((trafficAllocation) =>
      variantsIn(snapshotOf({ experiments: [experimentOf({ weights: [20, 30, 50], trafficAllocation })] }), 'exp', ids),
    );
    for (let level = 1; level < levels.length; level++) {
      const lower = byLevel[level - 1];
      const higher = byLevel[level];
      expect(ids.filter((_id, i) => lower[i] !== null && higher[i] !== lower[i])).toEqual([]);
    }
    levels.forEach((trafficAllocation, level) => {
      const entered = byLevel[level].filter((variant) => variant !== null).length;
      if (trafficAllocation === 100) expect(entered).toBe(ids.length);
      else expect(chiSquarePValue([entered, ids.length - entered], [trafficAllocation / 100, 1 - trafficAllocation / 100])).toBeGreaterThan(0.001);
    });
  });

  it('keeps the slices of a layer exclusive, and holdout users out of every experiment', () => {
    const layer = { key: 'incentives', seed: 'incentives-layer' };
    const slices: [string, number, number][] = [['check-in', 0, 0.25], ['task-system', 0.25, 0.6], ['advisor', 0.6, 1]];
    const snapshot = snapshotOf({
      holdout: { percentage: 10, seed: 'global-holdout' },
      layers: [layer],
      experiments: slices.map(([key, start, end]) => experimentOf({ key, seed: `${key}-seed`, layer: { key: layer.key, start, end } })),
    });
    const resolutions = userIds(20_000).map((id) => evaluate(snapshot, { id }));
    const heldOut = resolutions.filter((resolution) => resolution.inHoldout);
    const others = resolutions.filter((resolution) => !resolution.inHoldout);
    expect(heldOut.filter((resolution) => resolution.experiments.length > 0)).toEqual([]);
    // The slices cover the whole layer and take all their traffic: everyone else is in exactly one.
    expect(others.filter((resolution) => resolution.experiments.length !== 1)).toEqual([]);
    const perSlice = countBy(
      others.map((resolution) => resolution.experiments[0].experimentKey),
      slices.map(([key]) => key),
    );
    expect(chiSquarePValue([heldOut.length, others.length], [0.1, 0.9])).toBeGreaterThan(0.001);
    expect(chiSquarePValue(perSlice, slices.map(([, start, end]) => end - start))).toBeGreaterThan(0.001);
  });

  it("finds each user's experiments among many layers as GrowthBook's SDK does for each experiment one by one, forced assignments and a layer with overlapping slices included", () => {
    // 12 layers, each cut at random into slices with gaps between some (users in a gap enter none of
    // its experiments); one more layer whose slices overlap (a snapshot breaking its own rule), and
    // experiments outside any layer. The engine looks only at the slice holding the user's bucket.
    let seed = 7;
    const random = () => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
    const layers = Array.from({ length: 13 }, (_, l) => ({ key: `layer-${l}`, seed: `layer-seed-${l}` }));
    const experiments: ExperimentSnapshot[] = [];
    const tiers = ['new', 'regular', 'high_value'];
    for (let l = 0; l < 12; l++) {
      const cuts = [0, ...Array.from({ length: 5 }, () => Math.round(random() * 100) / 100), 1].sort((a, b) => a - b);
      for (let c = 0; c + 1 < cuts.length; c++) {
        if (random() < 0.3) continue; // a gap
        experiments.push(experimentOf({
          key: `exp-${l}-${c}`, seed: `seed-${l}-${c}`, weights: [34, 33, 33], trafficAllocation: random() < 0.5 ? 100 : 60,
          layer: { key: layers[l].key, start: cuts[c], end: cuts[c + 1] },
          targeting: random() < 0.3 ? { ...EVERYONE, tiers: [tiers[l % 3]] } : EVERYONE,
        }));
      }
    }
    experiments.push(
      experimentOf({ key: 'overlap-a', seed: 'overlap-a', layer: { key: 'layer-12', start: 0, end: 0.6 } }),
      experimentOf({ key: 'overlap-b', seed: 'overlap-b', layer: { key: 'layer-12', start: 0.4, end: 1 } }),
      experimentOf({ key: 'free-1', seed: 'free-1', trafficAllocation: 50 }),
      experimentOf({ key: 'free-2', seed: 'free-2', targeting: HIGH_VALUE }),
    );
    // Shuffled, so that snapshot order is not layer order; forced users, one of them in several experiments.
    experiments.sort(() => random() - 0.5);
    experiments[3] = { ...experiments[3], forcedAssignments: { 'qa-1': 'treatment-1', 'user-5': 'control' } };
    experiments[9] = { ...experiments[9], forcedAssignments: { 'qa-1': 'treatment-2' } };
    const snapshot = snapshotOf({ holdout: { percentage: 10, seed: 'holdout-seed' }, layers, experiments });

    const client = new GrowthBookClient();
    const users = [...userIds(3000), 'qa-1'].map((id, i) => ({ id, tier: tiers[i % 3] }));
    const reference = (user: { id: string; tier: string }) =>
      experiments.flatMap((experiment) => {
        const forcedKey = experiment.forcedAssignments[user.id];
        if (forcedKey !== undefined) return [`${experiment.key}=${forcedKey}`];
        const filters: Filter[] = [{ seed: 'holdout-seed', hashVersion: 2, ranges: [[0.1, 1]] }];
        const layer = experiment.layer;
        if (layer) filters.push({ seed: layers.find((candidate) => candidate.key === layer.key)!.seed, hashVersion: 2, ranges: [[layer.start, layer.end]] });
        const result = client.runInlineExperiment(
          {
            key: experiment.key,
            seed: experiment.seed,
            hashVersion: 2,
            variations: experiment.variants.map((variant) => variant.key) as [string, string, ...string[]],
            weights: experiment.variants.map((variant) => variant.weight / 100),
            coverage: experiment.trafficAllocation / 100,
            filters,
            ...(experiment.targeting.tiers.length > 0 ? { condition: { tier: { $in: experiment.targeting.tiers } } } : {}),
          },
          { attributes: user },
        );
        return result.inExperiment ? [`${experiment.key}=${result.value}`] : [];
      });
    const ours = users.map((user) => evaluate(snapshot, user).experiments.map((assignment) => `${assignment.experimentKey}=${assignment.variantKey}`));
    expect(ours).toEqual(users.map(reference));
    // Meaningful: most users are in several experiments, and both overlapping ones hold some users at once.
    expect(ours.filter((assignments) => assignments.length >= 5).length).toBeGreaterThan(users.length / 2);
    expect(ours.filter((assignments) => assignments.some((a) => a.startsWith('overlap-a=')) && assignments.some((a) => a.startsWith('overlap-b='))).length).toBeGreaterThan(50);
    expect(ours[users.length - 1]).toEqual(expect.arrayContaining([`${experiments[3].key}=treatment-1`, `${experiments[9].key}=treatment-2`]));
  });

  describe('splits 100,000 users within chi-square tolerance of the weights', () => {
    const ids = userIds(100_000);
    it.each([[[50, 50]], [[25, 25, 25, 25]], [[10, 30, 60]]])('weights %j', (weights) => {
      const experiment = experimentOf({ weights });
      const variants = variantsIn(snapshotOf({ experiments: [experiment] }), 'exp', ids);
      const counts = countBy(variants, experiment.variants.map((variant) => variant.key));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(ids.length);
      expect(chiSquarePValue(counts, weights.map((weight) => weight / 100))).toBeGreaterThan(0.001);
    });

    it('traffic allocation 40%: the right share enters, split by the weights', () => {
      const experiment = experimentOf({ weights: [10, 30, 60], trafficAllocation: 40 });
      const variants = variantsIn(snapshotOf({ experiments: [experiment] }), 'exp', ids);
      const counts = countBy(variants, experiment.variants.map((variant) => variant.key));
      const entered = counts.reduce((sum, count) => sum + count, 0);
      expect(chiSquarePValue([entered, ids.length - entered], [0.4, 0.6])).toBeGreaterThan(0.001);
      expect(chiSquarePValue(counts, [0.1, 0.3, 0.6])).toBeGreaterThan(0.001);
    });
  });

  describe('forced assignments', () => {
    const snapshot = snapshotOf({
      holdout: { percentage: 100, seed: 'everyone-held-out' },
      layers: [{ key: 'layer', seed: 'layer-seed' }],
      experiments: [
        experimentOf({
          trafficAllocation: 0,
          targeting: HIGH_VALUE,
          layer: { key: 'layer', start: 0.5, end: 0.5 },
          forcedAssignments: { 'qa-tester': 'treatment-1', 'qa-typo': 'treatment-9' },
        }),
      ],
    });

    it('win over the holdout, targeting, an empty layer slice and zero traffic, with reason TARGETING_MATCH', () => {
      const resolution = evaluate(snapshot, { id: 'qa-tester', tier: 'new' });
      expect(resolution.inHoldout).toBe(true);
      expect(resolution.experiments).toEqual([{ experimentKey: 'exp', variantKey: 'treatment-1', payload: { arm: 1 }, phase: 1, reason: 'TARGETING_MATCH' }]);
    });

    it('are ignored when they name no variant of the experiment', () => {
      expect(evaluate(snapshot, { id: 'qa-typo', tier: 'high_value' }).experiments).toEqual([]);
      const open = snapshotOf({ experiments: [experimentOf({ forcedAssignments: { 'user-1': 'gone' } })] });
      expect(evaluate(open, { id: 'user-1' }).experiments[0].reason).toBe('SPLIT');
    });
  });

  it('refuses a snapshot whose experiment names a layer it does not list', () => {
    const snapshot = snapshotOf({ experiments: [experimentOf({ layer: { key: 'missing', start: 0, end: 1 } })] });
    expect(() => evaluate(snapshot, { id: 'u' })).toThrow('experiment "exp" is in layer "missing", which the snapshot does not list');
  });
});

describe('evaluate: flags', () => {
  const rolloutExperiment = experimentOf({ key: 'exp', trafficAllocation: 50, forcedAssignments: { 'forced-user': 'treatment-1' } });
  const snapshot = snapshotOf({
    experiments: [rolloutExperiment],
    flags: [
      flagOf('off', 'BOOLEAN', false, [{ id: 'r1', kind: 'VALUE', targeting: EVERYONE, value: true }], false),
      flagOf('static', 'STRING', 'blue', []),
      flagOf('targeted', 'STRING', 'none', [{ id: 'gold-rule', kind: 'VALUE', targeting: HIGH_VALUE, value: 'gold' }]),
      flagOf('rollout', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 30, value: true }]),
      flagOf('rollout-then-value', 'STRING', 'default', [
        { id: 'early', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 20, value: 'early' },
        { id: 'everyone', kind: 'VALUE', targeting: EVERYONE, value: 'late' },
      ]),
      flagOf('by-experiment', 'NUMBER', -1, [
        { id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'exp', values: { control: 1, 'treatment-1': 2 } },
        { id: 'outsiders', kind: 'VALUE', targeting: EVERYONE, value: 0 },
      ]),
      flagOf('by-experiment-for-high-value', 'NUMBER', -1, [
        { id: 'r1', kind: 'EXPERIMENT', targeting: HIGH_VALUE, experimentKey: 'exp', values: { control: 1, 'treatment-1': 2 } },
      ]),
      flagOf('treatment-only', 'STRING', 'default', [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'exp', values: { 'treatment-1': 'new' } }]),
      flagOf('stopped-experiment', 'STRING', 'default', [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'not-running', values: { control: 'x' } }]),
      flagOf('bad-boolean', 'BOOLEAN', false, [{ id: 'r1', kind: 'VALUE', targeting: EVERYONE, value: 'yes' }]),
      flagOf('bad-number', 'NUMBER', 0, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 100, value: '3' }]),
      flagOf('bad-string', 'STRING', 'x', [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'exp', values: { control: 3, 'treatment-1': 4 } }]),
      flagOf('json', 'JSON', null, [{ id: 'r1', kind: 'VALUE', targeting: HIGH_VALUE, value: { channel: 'phone', limits: [1, 2] } }]),
    ],
  });
  const ids = userIds(10_000);
  const resolutions = ids.map((id, i) => evaluate(snapshot, { id, tier: i % 10 === 0 ? 'high_value' : 'regular' }));
  const assignedVariant = (resolution: Resolution) => resolution.experiments.find((assignment) => assignment.experimentKey === 'exp')?.variantKey;

  it('lists every flag, in snapshot order', () => {
    expect(resolutions[0].flags.map((flag) => flag.key)).toEqual(snapshot.flags.map((flag) => flag.key));
  });

  it('serves the default with reason DISABLED when the flag is off, and STATIC when it has no rules', () => {
    expect(flagIn(resolutions[0], 'off')).toEqual({ key: 'off', value: false, variant: null, reason: 'DISABLED' });
    expect(flagIn(resolutions[0], 'static')).toEqual({ key: 'static', value: 'blue', variant: null, reason: 'STATIC' });
  });

  it('serves a value rule to targeted users (TARGETING_MATCH, the rule id) and the default to others (DEFAULT)', () => {
    expect(flagIn(resolutions[0], 'targeted')).toEqual({ key: 'targeted', value: 'gold', variant: 'gold-rule', reason: 'TARGETING_MATCH' });
    expect(flagIn(resolutions[1], 'targeted')).toEqual({ key: 'targeted', value: 'none', variant: null, reason: 'DEFAULT' });
  });

  it("rolls out to the users GrowthBook's SDK would, with the same seed and range, and the right share", () => {
    const client = new GrowthBookClient().initSync({
      payload: { features: { rollout: { defaultValue: false, rules: [{ id: 'r1', force: true, seed: 'rollout:r1', hashVersion: 2, range: [0, 0.3] }] } } },
    });
    const flags = resolutions.map((resolution) => flagIn(resolution, 'rollout'));
    expect(flags).toEqual(
      ids.map((id) =>
        client.evalFeature('rollout', { attributes: { id } }).source === 'force'
          ? { key: 'rollout', value: true, variant: 'r1', reason: 'SPLIT' }
          : { key: 'rollout', value: false, variant: null, reason: 'DEFAULT' },
      ),
    );
    const served = flags.filter((flag) => flag.reason === 'SPLIT').length;
    expect(chiSquarePValue([served, ids.length - served], [0.3, 0.7])).toBeGreaterThan(0.001);
  });

  it('keeps rollouts sticky: raising the percentage only adds users', () => {
    const servedAt = (percentage: number) => {
      const ramped = snapshotOf({ flags: [flagOf('ramp', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage, value: true }])] });
      return ids.map((id) => evaluate(ramped, { id }).flags[0].value === true);
    };
    const levels = [5, 20, 50, 100].map(servedAt);
    for (let level = 1; level < levels.length; level++) {
      expect(ids.filter((_id, i) => levels[level - 1][i] && !levels[level][i])).toEqual([]);
    }
    expect(levels[3].every(Boolean)).toBe(true);
  });

  it('falls through a rollout to the next rule for users outside it', () => {
    const flags = resolutions.map((resolution) => flagIn(resolution, 'rollout-then-value'));
    const early = { key: 'rollout-then-value', value: 'early', variant: 'early', reason: 'SPLIT' };
    const late = { key: 'rollout-then-value', value: 'late', variant: 'everyone', reason: 'TARGETING_MATCH' };
    expect(flags).toEqual(flags.map((flag) => (flag.reason === 'SPLIT' ? early : late)));
    expect(new Set(flags.map((flag) => flag.reason))).toEqual(new Set(['SPLIT', 'TARGETING_MATCH']));
  });

  it("serves the value of the user's variant for experiment rules (SPLIT, the variant key), and falls through for users not in the experiment", () => {
    const variants = resolutions.map(assignedVariant);
    expect(resolutions.map((resolution) => flagIn(resolution, 'by-experiment'))).toEqual(
      variants.map((variant) =>
        variant === undefined
          ? { key: 'by-experiment', value: 0, variant: 'outsiders', reason: 'TARGETING_MATCH' }
          : { key: 'by-experiment', value: variant === 'control' ? 1 : 2, variant, reason: 'SPLIT' },
      ),
    );
    const inExperiment = variants.filter((variant) => variant !== undefined).length;
    expect(inExperiment).toBeGreaterThan(0);
    expect(inExperiment).toBeLessThan(ids.length);
  });

  it("applies the experiment rule's own targeting, and serves forced users their forced variant's value", () => {
    expect(resolutions.map((resolution) => flagIn(resolution, 'by-experiment-for-high-value').reason)).toEqual(
      resolutions.map((resolution, i) => (assignedVariant(resolution) !== undefined && i % 10 === 0 ? 'SPLIT' : 'DEFAULT')),
    );
    const forced = evaluate(snapshot, { id: 'forced-user' });
    expect(flagIn(forced, 'by-experiment')).toEqual({ key: 'by-experiment', value: 2, variant: 'treatment-1', reason: 'TARGETING_MATCH' });
  });

  it('falls through when the rule has no value for the variant, or its experiment is not running', () => {
    expect(resolutions.map((resolution) => flagIn(resolution, 'treatment-only'))).toEqual(
      resolutions.map((resolution) =>
        assignedVariant(resolution) === 'treatment-1'
          ? { key: 'treatment-only', value: 'new', variant: 'treatment-1', reason: 'SPLIT' }
          : { key: 'treatment-only', value: 'default', variant: null, reason: 'DEFAULT' },
      ),
    );
    expect(new Set(resolutions.map((resolution) => JSON.stringify(flagIn(resolution, 'stopped-experiment'))))).toEqual(
      new Set([JSON.stringify({ key: 'stopped-experiment', value: 'default', variant: null, reason: 'DEFAULT' })]),
    );
  });

  it('serves the default with reason ERROR and TYPE_MISMATCH when a served value does not fit the flag type', () => {
    const inExperiment = resolutions.find((resolution) => assignedVariant(resolution) !== undefined)!;
    const mismatch = (key: string, value: JsonValue) => ({ key, value, variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(flagIn(inExperiment, 'bad-boolean')).toEqual(mismatch('bad-boolean', false));
    expect(flagIn(inExperiment, 'bad-number')).toEqual(mismatch('bad-number', 0));
    expect(flagIn(inExperiment, 'bad-string')).toEqual(mismatch('bad-string', 'x'));
    const numberFlag = (value: JsonValue) =>
      evaluate(snapshotOf({ flags: [flagOf('n', 'NUMBER', 0, [{ id: 'r1', kind: 'VALUE', targeting: EVERYONE, value }])] }), { id: 'u' }).flags[0];
    expect(numberFlag(Number.POSITIVE_INFINITY)).toEqual(mismatch('n', 0));
    expect(numberFlag(2.5)).toEqual({ key: 'n', value: 2.5, variant: 'r1', reason: 'TARGETING_MATCH' });
  });

  it('accepts any JSON value for a JSON flag', () => {
    expect(flagIn(resolutions[0], 'json')).toEqual({ key: 'json', value: { channel: 'phone', limits: [1, 2] }, variant: 'r1', reason: 'TARGETING_MATCH' });
    expect(flagIn(resolutions[1], 'json')).toEqual({ key: 'json', value: null, variant: null, reason: 'DEFAULT' });
  });
});

describe('evaluate: purity and compilation', () => {
  const snapshot = snapshotOf({
    holdout: { percentage: 20, seed: 'h' },
    experiments: [experimentOf({ weights: [10, 30, 60], trafficAllocation: 70 })],
    flags: [flagOf('rollout', 'BOOLEAN', false, [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 50, value: true }])],
  });

  it('gives the same answer every time, and for an equal copy of the snapshot', () => {
    const copy = JSON.parse(JSON.stringify(snapshot)) as ConfigSnapshot;
    const ids = userIds(2000);
    const first = ids.map((id) => evaluate(snapshot, { id }));
    expect(ids.map((id) => evaluate(snapshot, { id }))).toEqual(first);
    expect(ids.map((id) => evaluate(copy, { id }))).toEqual(first);
  });

  it('compiles a snapshot once and reuses it', () => {
    expect(compileSnapshot(snapshot)).toBe(compileSnapshot(snapshot));
  });
});

describe('evaluateFlags: bulk flag evaluation', () => {
  it('gives exactly the flags evaluate gives, assigning only the experiments flag rules name (holdout, layers and forced users included)', () => {
    const layer = { key: 'incentives', seed: 'incentives-layer' };
    const inLayer = (key: string, start: number, end: number, parts: Partial<ExperimentSnapshot> = {}) =>
      experimentOf({ key, seed: `${key}-seed`, layer: { key: layer.key, start, end }, ...parts });
    const snapshot = snapshotOf({
      holdout: { percentage: 10, seed: 'global-holdout' },
      layers: [layer],
      experiments: [
        inLayer('unread-first', 0, 0.3),
        inLayer('read-in-layer', 0.3, 0.7, { forcedAssignments: { 'user-3': 'treatment-1' } }),
        experimentOf({ key: 'unread', seed: 'unread-seed' }),
        experimentOf({ key: 'read-alone', seed: 'read-alone-seed', weights: [20, 30, 50], trafficAllocation: 60 }),
      ],
      flags: [
        flagOf('layered', 'NUMBER', -1, [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'read-in-layer', values: { control: 1, 'treatment-1': 2 } }]),
        flagOf('alone', 'STRING', 'none', [
          { id: 'r1', kind: 'EXPERIMENT', targeting: HIGH_VALUE, experimentKey: 'read-alone', values: { 'treatment-2': 'big' } },
          { id: 'r2', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 40, value: 'rolled' },
        ]),
        flagOf('plain', 'BOOLEAN', false, [{ id: 'r1', kind: 'VALUE', targeting: HIGH_VALUE, value: true }]),
      ],
    });
    const reasons = new Set<string>();
    for (const [i, id] of userIds(5_000).entries()) {
      const user = { id, tier: i % 3 === 0 ? 'high_value' : 'regular' };
      const full = evaluate(snapshot, user);
      const forFlags = evaluateFlags(snapshot, user);
      expect(forFlags.flags).toEqual(full.flags);
      expect(forFlags.experiments).toEqual(full.experiments.filter((assignment) => assignment.experimentKey.startsWith('read-')));
      for (const flag of forFlags.flags) reasons.add(`${flag.key}:${flag.reason}`);
    }
    // Served by both experiments (one user forced), by rules and by defaults.
    expect([...reasons].sort()).toEqual(
      ['alone:DEFAULT', 'alone:SPLIT', 'layered:DEFAULT', 'layered:SPLIT', 'layered:TARGETING_MATCH', 'plain:DEFAULT', 'plain:TARGETING_MATCH'].sort(),
    );
  });
});
