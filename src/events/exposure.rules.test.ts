import { validateExposures, type ExposureInputShape } from './exposure.rules';
import { bucketedVariant } from '../engine/evaluate';
import type { ConfigSnapshot } from '../engine/snapshot';
import { MatchMode } from '../engine/targeting.model';

/** Which refusals of trackExposures still show the user saw a variant (the SDK's configuration is stale), and which do not. */
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const snapshot: ConfigSnapshot = {
  version: 'test', generatedAt: '2026-12-01T00:00:00.000Z', holdout: null, layers: [], flags: [],
  experiments: [{
    key: 'checkout', seed: 'checkout:phase-2', phase: 2, layer: null, trafficAllocation: 100,
    variants: [{ key: 'control', weight: 50, isControl: true, payload: {} }, { key: 'treatment', weight: 50, isControl: false, payload: {} }],
    targeting: { tiers: [], match: MatchMode.ALL, conditions: [] },
    forcedAssignments: { 'qa-user': 'treatment' },
  }],
};
const variantOf = (userId: string) => (bucketedVariant(snapshot, 'checkout', userId) as { variantKey: string }).variantKey;
const otherThan = (userId: string) => (variantOf(userId) === 'control' ? 'treatment' : 'control');
const report = (parts: Partial<ExposureInputShape>): ExposureInputShape => ({
  experimentKey: 'checkout', phase: 2, userId: 'u1', variantKey: variantOf(parts.userId ?? 'u1'), exposedAt: '2026-12-01T11:59:00.000Z', ...parts,
});

describe('trackExposures: reports kept as users seen in another variant', () => {
  it('keeps an older phase and another variant than the bucketed one, and stores neither as an exposure', () => {
    const result = validateExposures([
      report({ phase: 1, variantKey: 'control' }),
      report({ userId: 'u2', variantKey: otherThan('u2') }),
      report({ userId: 'u3' }),
    ], snapshot, NOW);
    expect(result.rows.map((r) => r.userId)).toEqual(['u3']);
    expect(result.rejected.map((r) => [r.index, r.field])).toEqual([[0, 'phase'], [1, 'variantKey']]);
    for (const rejected of result.rejected) expect(rejected.message).toMatch(/kept as a sighting/);
    expect(result.seenInOtherVariants).toEqual([
      { experimentKey: 'checkout', phase: 1, userId: 'u1', variantKey: 'control', tier: null, exposedAt: new Date('2026-12-01T11:59:00.000Z') },
      { experimentKey: 'checkout', phase: 2, userId: 'u2', variantKey: otherThan('u2'), tier: null, exposedAt: new Date('2026-12-01T11:59:00.000Z') },
    ]);
  });

  it('keeps nothing for a refusal that says nothing about what the user saw', () => {
    const result = validateExposures([
      // A phase the server does not know yet (its snapshot is behind), and phase 0.
      report({ phase: 3 }),
      report({ phase: 0 }),
      // A variant key no configuration could have.
      report({ phase: 1, variantKey: 'Not a key' }),
      report({ userId: 'u4', variantKey: 'x'.repeat(65) }),
      // Forced assignments are never exposures; an unknown experiment; a bad clock.
      report({ userId: 'qa-user', variantKey: 'control' }),
      report({ experimentKey: 'no-such' }),
      report({ phase: 1, exposedAt: '2026-12-01T14:00:00.000Z' }),
    ], snapshot, NOW);
    expect(result.rows).toEqual([]);
    expect(result.rejected).toHaveLength(7);
    expect(result.seenInOtherVariants).toEqual([]);
    for (const rejected of result.rejected) expect(rejected.message).not.toMatch(/kept/);
  });
});
