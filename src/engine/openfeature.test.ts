/**
 * OpenFeature's vocabulary on the engine: the flat context's mapping (shared by OFREP and the
 * SDK's provider), flag metadata, and which flags a configuration change may have changed.
 */
import { evaluate } from './evaluate';
import { flagMetadata, flagsChanged, userFromFlatContext } from './openfeature';
import { MatchMode, type Targeting } from './targeting.model';
import type { ConfigSnapshot, ExperimentSnapshot, FlagSnapshot } from './snapshot';

const EVERYONE: Targeting = { tiers: [], match: MatchMode.ALL, conditions: [] };

describe('userFromFlatContext', () => {
  it('reads targetingKey as the id, tier as the tier and every other key as an attribute, nested ones kept whole', () => {
    expect(userFromFlatContext({ targetingKey: 'u1', tier: 'regular', country: 'sg', app: { version: '5.3.0' } })).toEqual({
      id: 'u1',
      tier: 'regular',
      attributes: { country: 'sg', app: { version: '5.3.0' } },
    });
    expect(userFromFlatContext({ targetingKey: 'u2' })).toEqual({ id: 'u2', tier: null, attributes: {} });
  });

  it('refuses with OpenFeature’s codes and says which field', () => {
    expect(userFromFlatContext(undefined)).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
    expect(userFromFlatContext({ tier: 'regular' })).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
    expect(userFromFlatContext([])).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be a JSON object' });
    expect(userFromFlatContext({ targetingKey: 7 })).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey must be a string' });
    expect(userFromFlatContext({ targetingKey: '' })).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey: id must be 1 to 200 characters' });
    expect(userFromFlatContext({ targetingKey: 'u', tier: 3 })).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: 'context.tier must be a string' });
    expect(userFromFlatContext({ targetingKey: 'u', tier: 'Not A Slug' })).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: 'context.tier: tier must be a slug' });
  });
});

describe('flagMetadata', () => {
  it('names the configuration version, the experiment that served the value, and an error served as a value', () => {
    const evaluation = { key: 'f', value: 1, variant: 'treatment', reason: 'SPLIT' as const };
    expect(flagMetadata('v9', evaluation, null)).toEqual({ configVersion: 'v9' });
    expect(flagMetadata('v9', evaluation, { experimentKey: 'exp', phase: 2, variantKey: 'treatment', payload: null, reason: 'SPLIT' })).toEqual({
      configVersion: 'v9',
      experimentKey: 'exp',
      experimentPhase: 2,
    });
    expect(flagMetadata('v9', { key: 'f', value: 0, variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' }, null)).toEqual({ configVersion: 'v9', errorCode: 'TYPE_MISMATCH' });
  });
});

describe('flagsChanged', () => {
  const experiment: ExperimentSnapshot = {
    key: 'exp',
    seed: 'exp',
    phase: 1,
    layer: null,
    trafficAllocation: 100,
    variants: [
      { key: 'control', weight: 50, isControl: true, payload: null },
      { key: 'treatment', weight: 50, isControl: false, payload: null },
    ],
    targeting: EVERYONE,
    forcedAssignments: {},
  };
  const other: ExperimentSnapshot = { ...experiment, key: 'other', seed: 'other' };
  const plain: FlagSnapshot = { key: 'plain', type: 'BOOLEAN', enabled: true, defaultValue: false, seed: 'plain', rules: [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 50, value: true }] };
  const served: FlagSnapshot = {
    key: 'served',
    type: 'STRING',
    enabled: true,
    defaultValue: 'a',
    seed: 'served',
    rules: [{ id: 'r2', kind: 'EXPERIMENT', targeting: EVERYONE, experimentKey: 'exp', values: { control: 'a', treatment: 'b' } }],
  };
  const base: ConfigSnapshot = { version: '1', generatedAt: '', holdout: null, layers: [], experiments: [experiment, other], flags: [plain, served] };
  const next = (parts: Partial<ConfigSnapshot>): ConfigSnapshot => ({ ...base, version: '2', ...parts });

  /** The flags whose answer differs for at least one of 2,000 users: each must be reported. */
  function differing(previous: ConfigSnapshot, updated: ConfigSnapshot): string[] {
    const changed = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const user = { id: `user-${i}` };
      const before = new Map(evaluate(previous, user).flags.map((flag) => [flag.key, JSON.stringify(flag)]));
      for (const flag of evaluate(updated, user).flags) if (before.get(flag.key) !== JSON.stringify(flag)) changed.add(flag.key);
      for (const key of before.keys()) if (!updated.flags.some((flag) => flag.key === key)) changed.add(key);
    }
    return [...changed].sort();
  }

  it.each([
    ['a flag’s own rule', next({ flags: [{ ...plain, rules: [{ id: 'r1', kind: 'ROLLOUT', targeting: EVERYONE, percentage: 80, value: true }] }, served] }), ['plain']],
    ['the experiment a flag serves', next({ experiments: [{ ...experiment, seed: 'exp:phase-2', phase: 2 }, other] }), ['served']],
    ['a forced assignment in it', next({ experiments: [{ ...experiment, forcedAssignments: { 'user-1': 'treatment' } }, other] }), ['served']],
    ['the holdout', next({ holdout: { percentage: 30, seed: 'holdout' } }), ['served']],
    ['an experiment no flag serves', next({ experiments: [experiment, { ...other, trafficAllocation: 10 }] }), []],
    ['a flag removed, one added', next({ flags: [served, { ...plain, key: 'added', seed: 'added' }] }), ['added', 'plain']],
    ['nothing but the version', next({}), []],
  ])('after a change of %s, names the flags that changed and no other', (_name, updated, expected) => {
    expect(flagsChanged(base, updated)).toEqual(expected);
    // Nothing missed: every flag some user gets another answer for is named.
    expect(expected).toEqual(expect.arrayContaining(differing(base, updated)));
  });
});
