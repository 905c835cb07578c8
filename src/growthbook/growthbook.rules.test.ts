import fc from 'fast-check';
import semver from 'semver';
import { evalCondition, GrowthBookClient, type ConditionInterface, type FeatureApiResponse } from '@growthbook/growthbook';
import { compileTargeting } from '../engine/targeting.evaluate';
import { evaluate } from '../engine/evaluate';
import { ConditionOperator as Op, MatchMode, type Targeting, type TargetingCondition } from '../engine/targeting.model';
import type { ConfigSnapshot, ExperimentSnapshot, FlagSnapshot, JsonValue, UserContext } from '../engine/snapshot';
import { targetingProblems } from '../targeting/targeting.rules';
import { experimentFeatureKey, growthBookPayload, SEMVER_PATTERN, toGrowthBookTargeting, type GrowthBookPayload } from './growthbook.rules';
import { benchSnapshot, benchUser } from '../../bench/fixture';

/** The attributes an app hands GrowthBook's SDK for an Uplift user (docs/app-developer.md). */
const growthBookAttributes = (user: UserContext) => ({ ...user.attributes, id: user.id, tier: user.tier ?? null });

const EVERYONE: Targeting = { tiers: [], match: MatchMode.ALL, conditions: [] };

// Versions from semver's grammar and around it: prefixes, leading zeros, long numbers (GrowthBook
// pads numbers to 5 characters), pre-releases with hyphens, build metadata, and near misses.
const number = fc.oneof(fc.constantFrom('0', '1', '2', '9', '10', '09', '99999', '100000', '123456789012345'), fc.integer({ min: 0, max: 20_000 }).map(String));
const identifier = fc.oneof(number, fc.constantFrom('rc', 'rc-1', 'beta', 'alpha', 'a1', '1a', '-', 'x-y', 'RC', 'A-'));
const version = fc
  .record({
    prefix: fc.constantFrom('', '', '', 'v', 'V', '='),
    parts: fc.array(number, { minLength: 2, maxLength: 4 }),
    pre: fc.option(fc.array(identifier, { minLength: 1, maxLength: 3 })),
    build: fc.option(fc.constantFrom('b1', '001', 'x.y', 'sha-1', '')),
  })
  .map(({ prefix, parts, pre, build }) => `${prefix}${parts.join('.')}${pre ? `-${pre.join('.')}` : ''}${build === null ? '' : `+${build}`}`);
const versionBound = fc.tuple(fc.integer({ min: 0, max: 9_999 }), fc.integer({ min: 0, max: 9_999 }), fc.integer({ min: 0, max: 9_999 })).map((parts) => parts.join('.'));

const scalar = fc.oneof(fc.constantFrom('sg', 'my', '', 'a.b', 'x(y', 'a\\/b', '2.3.0', 'true'), fc.integer({ min: -5, max: 30 }), fc.double({ min: -10, max: 30, noNaN: true }), fc.boolean());
const attributeValue: fc.Arbitrary<JsonValue> = fc.oneof(
  scalar,
  version,
  fc.constant(null),
  fc.array(fc.oneof(scalar, fc.constant(null)), { maxLength: 4 }),
  fc.record({ version: fc.oneof(version, scalar) }),
);
const ATTRIBUTE_NAMES = ['country', 'age', 'plan', 'tags', 'app.version', 'deep.nested.value', 'app'];
const attributes = fc.record(
  { country: attributeValue, age: attributeValue, plan: attributeValue, tags: attributeValue, app: fc.oneof(attributeValue, fc.record({ version: attributeValue })), deep: fc.record({ nested: fc.record({ value: attributeValue }) }) },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, JsonValue>>;

/** A valid condition GrowthBook can express: every operator but the date ones, version bounds without a pre-release. */
const condition: fc.Arbitrary<TargetingCondition> = fc
  .record({
    attribute: fc.constantFrom(...ATTRIBUTE_NAMES),
    operator: fc.constantFrom(...Object.values(Op).filter((op) => op !== Op.DATE_BEFORE && op !== Op.DATE_AFTER)),
    scalar,
    list: fc.array(scalar, { minLength: 1, maxLength: 4 }),
    text: fc.constantFrom('s', 'a.b', '(', '\\', '/', 'g', '$', '2.3'),
    bound: versionBound,
    flag: fc.boolean(),
    amount: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double({ min: -10, max: 30, noNaN: true })),
  })
  .map(({ attribute, operator, scalar, list, text, bound, flag, amount }) => {
    const value = {
      EQ: scalar, NEQ: scalar, IN: list, NOT_IN: list, GT: amount, GTE: amount, LT: amount, LTE: amount, CONTAINS: text, EXISTS: flag,
      SEMVER_EQ: bound, SEMVER_GT: bound, SEMVER_GTE: bound, SEMVER_LT: bound, SEMVER_LTE: bound, DATE_BEFORE: null, DATE_AFTER: null,
    }[operator];
    return { attribute, operator, value };
  });
const targeting: fc.Arbitrary<Targeting> = fc.record({
  tiers: fc.subarray(['new', 'regular', 'high_value']),
  match: fc.constantFrom(MatchMode.ALL, MatchMode.ANY),
  conditions: fc.array(condition, { maxLength: 3 }),
});
const user: fc.Arbitrary<UserContext> = fc.record({ id: fc.constantFrom('u1', 'user-42'), tier: fc.constantFrom('new', 'regular', 'high_value', 'gold', null), attributes });

const growthBookMatches = (targetings: Targeting[], subject: UserContext) => {
  const translated = toGrowthBookTargeting(...targetings);
  return translated === undefined || evalCondition(growthBookAttributes(subject), translated as ConditionInterface);
};

describe('targeting as GrowthBook conditions', () => {
  it('holds for exactly the users Uplift targets, whatever their attributes are', () => {
    fc.assert(
      fc.property(targeting, user, (target, subject) => {
        expect(targetingProblems(target)).toEqual([]);
        expect(growthBookMatches([target], subject)).toBe(compileTargeting(target)(subject));
      }),
      { numRuns: 10_000 },
    );
  });

  it('combines an experiment’s targeting with a flag rule’s', () => {
    fc.assert(
      fc.property(targeting, targeting, user, (first, second, subject) => {
        expect(growthBookMatches([first, second], subject)).toBe(compileTargeting(first)(subject) && compileTargeting(second)(subject));
      }),
      { numRuns: 5_000 },
    );
  });

  it('compares versions as node-semver does, for every version a bound below 10,000 meets', () => {
    fc.assert(
      fc.property(version, versionBound, fc.constantFrom(Op.SEMVER_EQ, Op.SEMVER_GT, Op.SEMVER_GTE, Op.SEMVER_LT, Op.SEMVER_LTE), (attribute, bound, operator) => {
        const target: Targeting = { ...EVERYONE, conditions: [{ attribute: 'app.version', operator, value: bound }] };
        const subject: UserContext = { id: 'u', attributes: { app: { version: attribute } } };
        expect({ attribute, matches: growthBookMatches([target], subject) }).toEqual({ attribute, matches: compileTargeting(target)(subject) });
      }),
      { numRuns: 10_000 },
    );
  });

  it('reads a version as node-semver reads one (no surrounding space)', () => {
    const guard = new RegExp(SEMVER_PATTERN);
    fc.assert(fc.property(version, (text) => expect({ text, valid: guard.test(text) }).toEqual({ text, valid: semver.parse(text) !== null })), { numRuns: 10_000 });
  });

  it('says that everyone matches an empty targeting', () => {
    expect(toGrowthBookTargeting(EVERYONE)).toBeUndefined();
    expect(toGrowthBookTargeting(EVERYONE, { ...EVERYONE, match: MatchMode.ANY })).toBeUndefined();
  });
});

const experiment = (key: string, fields: Partial<ExperimentSnapshot> = {}): ExperimentSnapshot => ({
  key,
  seed: key,
  phase: 1,
  layer: null,
  trafficAllocation: 100,
  variants: [
    { key: 'control', weight: 50, isControl: true, payload: { arm: 0 } },
    { key: 'treatment', weight: 50, isControl: false, payload: { arm: 1 } },
  ],
  targeting: EVERYONE,
  forcedAssignments: {},
  ...fields,
});
const flag = (key: string, fields: Partial<FlagSnapshot> = {}): FlagSnapshot => ({ key, type: 'BOOLEAN', enabled: true, defaultValue: false, seed: key, rules: [], ...fields });
const snapshot = (experiments: ExperimentSnapshot[], flags: FlagSnapshot[]): ConfigSnapshot => ({ version: 'v1', generatedAt: '2026-12-01T00:00:00.000Z', holdout: null, layers: [], experiments, flags });
const on = (attribute: string, operator: Op, value: unknown): Targeting => ({ ...EVERYONE, conditions: [{ attribute, operator, value }] });

describe('what the payload leaves out', () => {
  const config = snapshot(
    [
      experiment('by-signup-date', { targeting: on('signedUpAt', Op.DATE_AFTER, '2026-01-01') }),
      experiment('on-a-beta', { targeting: on('app.version', Op.SEMVER_GTE, '6.0.0-beta.1') }),
      experiment('qa-forced', { forcedAssignments: { 'qa-user-7': 'treatment' } }),
    ],
    [
      flag('on-dated-experiment', { rules: [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'by-signup-date', values: { control: false, treatment: true } }] }),
      flag('by-tier-attribute', { rules: [{ id: 'r1', kind: 'VALUE', targeting: on('tier', Op.EQ, 'gold'), value: true }] }),
      flag('by-inherited-name', { rules: [{ id: 'r1', kind: 'VALUE', targeting: on('tags.map', Op.EXISTS, true), value: true }] }),
      flag('huge-version', { rules: [{ id: 'r1', kind: 'VALUE', targeting: on('app.version', Op.SEMVER_LT, '10000.0.0'), value: true }] }),
      flag('dated-but-off', { enabled: false, rules: [{ id: 'r1', kind: 'VALUE', targeting: on('seen', Op.DATE_BEFORE, '2026-01-01'), value: true }] }),
      flag('on-stopped-experiment', { rules: [{ id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'not-running', values: { control: true } }, { id: 'r2', kind: 'VALUE', targeting: EVERYONE, value: true }] }),
    ],
  );
  const payload = growthBookPayload(config);

  it('lists each flag or experiment GrowthBook would evaluate differently, with its reason, and serves none of them', () => {
    expect(payload.uplift.leftOut.map(({ kind, key, reason }) => ({ kind, key, reason }))).toEqual([
      { kind: 'experiment', key: 'by-signup-date', reason: 'DATE_CONDITION' },
      { kind: 'experiment', key: 'on-a-beta', reason: 'VERSION_BOUND' },
      { kind: 'flag', key: 'on-dated-experiment', reason: 'EXPERIMENT_LEFT_OUT' },
      { kind: 'flag', key: 'by-tier-attribute', reason: 'RESERVED_ATTRIBUTE' },
      { kind: 'flag', key: 'by-inherited-name', reason: 'INHERITED_ATTRIBUTE' },
      { kind: 'flag', key: 'huge-version', reason: 'VERSION_BOUND' },
    ]);
    expect(Object.keys(payload.features).sort()).toEqual(['dated-but-off', 'experiment:qa-forced', 'on-stopped-experiment']);
  });

  it('keeps a disabled flag (its rules do not matter) and drops rules on experiments that are not running', () => {
    expect(payload.features['dated-but-off']).toEqual({ defaultValue: false });
    expect(payload.features['on-stopped-experiment']).toEqual({ defaultValue: false, rules: [{ id: 'r2', force: true }] });
  });

  it('names no user: forced assignments stay out, and the experiments that have them are listed', () => {
    expect(JSON.stringify(payload)).not.toContain('qa-user-7');
    expect(payload.uplift.forcedAssignmentsLeftOut).toEqual(['qa-forced']);
  });
});

describe('the payload in GrowthBook’s SDK', () => {
  const USERS = 2_000;
  const client = (payload: GrowthBookPayload) => new GrowthBookClient().initSync({ payload: payload as unknown as FeatureApiResponse });

  it('gives every flag and experiment of the benchmark configuration the answers evaluate() gives (holdout, layers, rollouts, targeting)', () => {
    const gb = client(growthBookPayload(benchSnapshot));
    const mismatches: { ours: unknown; theirs: unknown }[] = [];
    const compare = (ours: unknown, theirs: unknown) => {
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) mismatches.push({ ours, theirs });
      compared++;
    };
    let compared = 0;
    let assigned = 0;
    for (let i = 0; i < USERS; i++) {
      const subject = benchUser(i);
      const resolution = evaluate(benchSnapshot, subject);
      const context = { attributes: growthBookAttributes(subject) };
      for (const { key } of benchSnapshot.experiments) {
        const result = gb.evalFeature(experimentFeatureKey(key), context);
        const assignment = resolution.experiments.find((e) => e.experimentKey === key);
        compare([subject.id, key, assignment?.variantKey ?? null, assignment?.payload ?? null], [subject.id, key, result.source === 'experiment' ? result.experimentResult?.key : null, result.value]);
        if (assignment) assigned++;
      }
      for (const evaluation of resolution.flags) {
        compare([subject.id, evaluation.key, evaluation.value], [subject.id, evaluation.key, gb.evalFeature(evaluation.key, context).value]);
      }
    }
    expect({ mismatches: mismatches.length, first: mismatches.slice(0, 3) }).toEqual({ mismatches: 0, first: [] });
    expect(compared).toBe(USERS * 30);
    expect(assigned).toBeGreaterThan(USERS);
  });

  it('passes a variant without a value on to the next rule, and gives one-variant experiments their users', () => {
    const config = snapshot(
      [experiment('single', { variants: [{ key: 'only', weight: 100, isControl: true, payload: 'x' }], trafficAllocation: 60 }), experiment('pair')],
      [
        flag('partial', {
          rules: [
            { id: 'r1', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'pair', values: { treatment: true } },
            { id: 'r2', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 50, value: true },
          ],
        }),
      ],
    );
    const gb = client(growthBookPayload(config));
    const reasons = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const subject: UserContext = { id: `user-${i}`, tier: null, attributes: {} };
      const ours = evaluate(config, subject);
      const context = { attributes: growthBookAttributes(subject) };
      const single = gb.evalFeature(experimentFeatureKey('single'), context);
      expect(single.source === 'experiment' ? single.experimentResult?.key : null).toBe(ours.experiments.find((e) => e.experimentKey === 'single')?.variantKey ?? null);
      expect(gb.evalFeature('partial', context).value).toBe(ours.flags[0].value);
      reasons.add(`${ours.flags[0].reason}:${ours.flags[0].value}`);
    }
    // Users of both arms, the rollout behind the arm without a value, and the default.
    expect(reasons).toEqual(new Set(['SPLIT:true', 'DEFAULT:false']));
  });
});
