import { analyseExperiment, compareStrategyArms, type AnalysisInput } from './results.analysis';
import { MetricKind } from '../metrics/metric.model';
import type { GroupAggregate, MetricDefinition } from '../analytics/analytics.model';

const D1: MetricDefinition = {
  key: 'd1_retention', name: 'D1', description: null, kind: MetricKind.RETENTION, eventTypes: [], windowDays: null, retentionDay: 1,
  numeratorSource: null, denominatorEventTypes: null, denominatorSource: null, capValue: null, capPercentile: null,
  higherIsBetter: true, alertBelow: 0.18, alertAbove: null,
};

function arm(variantKey: string, exposed: number, n: number, retained: number): GroupAggregate {
  return {
    variantKey, tier: null, segmented: false, exposed, multipleVariantUsers: 0,
    metrics: { d1_retention: { n, sumY: retained, sumY2: retained, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 } },
  };
}

function input(aggregates: GroupAggregate[], role: 'PRIMARY' | 'GUARDRAIL' = 'PRIMARY'): AnalysisInput {
  return {
    variants: [{ key: 'control', weight: 50, isControl: true }, { key: 'treatment', weight: 50, isControl: false }],
    metrics: [{ definition: D1, role }],
    aggregates, adjustment: 'holm', daysRunning: 12, minimumDetectableLift: 0.1, sequential: false,
  };
}

describe('the recommendation', () => {
  it('keeps running, with the days until the smallest arm has the users needed', () => {
    // Control 30/100 retained: detecting 0.30 -> 0.33 (a 10% lift) with 80% power needs, by R's
    // power.prop.test formula (computed with scipy.stats.norm), n = 3762.36 -> 3763 per arm.
    // 120 exposed per arm in 12 days = 10 a day: ceil((3763 - 120) / 10) = 365 days, + 2 for day 1 to pass.
    const result = analyseExperiment(input([arm('control', 120, 100, 30), arm('treatment', 120, 100, 31)]));
    expect(result.recommendation).toMatchObject({ action: 'KEEP_RUNNING', variantKey: null, estimatedDaysToPower: 367 });
    expect(result.recommendation.reason).toMatch(/needs 3763 users per arm/);
  });

  it('stops for no effect once every arm has the users needed and nothing won', () => {
    const result = analyseExperiment(input([arm('control', 4000, 4000, 1200), arm('treatment', 4000, 4000, 1210)]));
    expect(result.recommendation).toMatchObject({ action: 'STOP_NO_EFFECT', variantKey: null, estimatedDaysToPower: null });
  });

  it('flags a treatment arm past a guardrail threshold, not the control', () => {
    // As a guardrail (alert below 18%): treatment at 15% breaches, control at 10% is not the treatment's doing.
    const result = analyseExperiment(input([arm('control', 1000, 1000, 100), arm('treatment', 1000, 1000, 150)], 'GUARDRAIL'));
    expect(result.guardrailStatus).toBe('AT_RISK');
    // 150/1000 has a one-sided 95% Wilson upper bound of 16.9% < 18%, but it is better than control: AT_RISK, not BREACHED.
    expect(result.guardrailProblems).toEqual([
      { metricKey: 'd1_retention', variantKey: 'treatment', kind: 'THRESHOLD', status: 'AT_RISK', safeSideBound: expect.any(Number), breachedAlwaysValid: false, message: 'd1_retention is 15.0%, below the alert threshold 18.0%' },
    ]);
  });

  it('tests a guardrail one-sided for harm, in a family of its own', () => {
    // D1 as a guardrail: control 300/1000, treatment 265/1000. Pooled z = -0.035 / sqrt(0.2825 * 0.7175 * 0.002)
    // = -1.738333; two-sided p = 0.0821522, one-sided for harm pnorm(-1.738333) = 0.0410761 (scipy.stats.norm):
    // harmful at 5% one-sided, which the two-sided test would miss.
    const result = analyseExperiment(input([arm('control', 1000, 1000, 300), arm('treatment', 1000, 1000, 265)], 'GUARDRAIL'));
    const comparison = result.metrics[0].comparisons[0];
    expect(comparison.pValue).toBeCloseTo(0.0821522, 6);
    expect(comparison.adjustedPValue).toBeCloseTo(0.0410761, 6);
    expect(comparison.family).toEqual({ role: 'GUARDRAIL', method: 'NONE', size: 1, sides: 'ONE_SIDED_HARM' });
    expect(comparison.significant).toBe(true);
    expect(result.guardrailProblems.map((p) => p.kind)).toEqual(['HARM']);
    // The same lift the good way is no harm at all: one-sided p = 1 - 0.0410761.
    const better = analyseExperiment(input([arm('control', 1000, 1000, 265), arm('treatment', 1000, 1000, 300)], 'GUARDRAIL'));
    expect(better.metrics[0].comparisons[0].adjustedPValue).toBeCloseTo(1 - 0.0410761, 6);
    expect(better.guardrailProblems).toEqual([]);
  });
});

const COMPLAINTS: MetricDefinition = { ...D1, key: 'complaint_rate', name: 'Complaints', kind: MetricKind.CONVERSION, retentionDay: null, windowDays: 14, higherIsBetter: false, alertBelow: null, alertAbove: 0.03 };

function complaints(control: [number, number], treatment: [number, number]) {
  const of = (variantKey: string, [n, complained]: [number, number]): GroupAggregate => ({
    variantKey, tier: null, segmented: false, exposed: n, multipleVariantUsers: 0,
    metrics: { complaint_rate: { n, sumY: complained, sumY2: complained, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 } },
  });
  return analyseExperiment({ ...input([of('control', control), of('treatment', treatment)]), metrics: [{ definition: COMPLAINTS, role: 'GUARDRAIL' }] });
}

describe('guardrail thresholds with uncertainty (one-sided 95% Wilson bounds, qnorm(0.95) = 1.644854)', () => {
  it('WATCH: the advisor pilot, 3 complaints of 112 (2.68%) whose upper bound 6.51% reaches past 3%', () => {
    // Wilson by hand: centre 0.0379474, half width 0.0271928 -> [0.0107545, 0.0651402].
    const result = complaints([112, 2], [112, 3]);
    expect(result.guardrailStatus).toBe('WATCH');
    expect(result.guardrailProblems).toEqual([expect.objectContaining({ kind: 'THRESHOLD', status: 'WATCH', safeSideBound: expect.closeTo(0.0107545, 6) })]);
    expect(result.guardrailProblems[0].message).toBe('complaint_rate is 2.7%, but its one-sided 95% bound 6.5% is above the alert threshold 3.0%');
    expect(result.autoPauseWarranted).toBe(false);
  });

  it('BREACHED when the whole interval is past the threshold and the arm is worse; auto-pause waits for the always-valid bound', () => {
    // 12/200 = 6%: Wilson lower bound 3.78% > 3%, control 1%: BREACHED. The always-valid bound (normal-mixture
    // confidence sequence, variance 0.03 * 0.97 / 200, tau^2 = 0.0291 * c(0.05) / 5000, c = -2 ln 0.05 + ln(1 - 2 ln 0.05))
    // has half width 0.0615174 (by hand): 6% - 6.15% is not past 3%, so a repeated reader does not pause yet.
    const early = complaints([200, 2], [200, 12]);
    expect(early.guardrailStatus).toBe('BREACHED');
    expect(early.guardrailProblems[0]).toMatchObject({ status: 'BREACHED', safeSideBound: expect.closeTo(0.0378144, 6), breachedAlwaysValid: false });
    expect(early.autoPauseWarranted).toBe(false);
    // 60/400 = 15%: always-valid half width 0.0348498, 15% - 3.48% = 11.5% > 3%: pause.
    const later = complaints([400, 4], [400, 60]);
    expect(later.guardrailProblems.map((p) => [p.kind, p.status, p.breachedAlwaysValid])).toEqual([['THRESHOLD', 'BREACHED', true], ['HARM', 'AT_RISK', false]]);
    expect(later.guardrailStatus).toBe('BREACHED');
    expect(later.autoPauseWarranted).toBe(true);
  });

  it('past the threshold but no worse than control is AT_RISK, not BREACHED', () => {
    const result = complaints([400, 60], [400, 58]);
    expect(result.guardrailStatus).toBe('AT_RISK');
    expect(result.autoPauseWarranted).toBe(false);
  });

  it('OK when the whole interval is on the safe side', () => {
    expect(complaints([2000, 20], [2000, 22]).guardrailStatus).toBe('OK');
  });
});

describe('compareStrategyArms', () => {
  const COST: MetricDefinition = { ...D1, key: 'cost_2d', name: 'Cost', kind: MetricKind.MEAN, retentionDay: null, windowDays: 2, higherIsBetter: false, alertBelow: null };
  const group = (variantKey: string, n: number, retained: number, cost: number): GroupAggregate => ({
    variantKey, tier: null, segmented: false, exposed: n, multipleVariantUsers: 0,
    metrics: {
      d1_retention: { n, sumY: retained, sumY2: retained, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 },
      cost_2d: { n, sumY: cost * n, sumY2: cost * cost * n, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 },
    },
  });
  const experiment = (key: string, targeting: unknown, groups: GroupAggregate[]) => ({
    experimentKey: key, strategy: key, targeting, aggregates: groups,
    variants: [{ key: 'control', weight: 50, isControl: true }, { key: 'arm', weight: 50, isControl: false }],
  });

  it('says when the compared experiments target different populations', () => {
    const rows = compareStrategyArms(D1, { definition: COST, unusableReason: null }, [
      experiment('everyone', { rules: [] }, [group('control', 100, 30, 0), group('arm', 100, 50, 2)]),
      experiment('high-value', { rules: [{ attribute: 'tier', operator: 'IN', values: ['high'] }] }, [group('control', 100, 30, 0), group('arm', 100, 45, 3)]),
    ]);
    expect(rows.every((r) => r.populationNote?.includes('different populations'))).toBe(true);
  });

  it('gives no NaN anywhere, with empty arms and no cost metric', () => {
    const rows = compareStrategyArms(D1, { definition: null, unusableReason: 'No cost metric "x".' }, [
      experiment('empty', { rules: [] }, [group('control', 0, 0, 0), group('arm', 0, 0, 0)]),
      experiment('flat', { rules: [] }, [group('control', 50, 0, 0), group('arm', 50, 0, 0)]),
    ]);
    const numbers = JSON.stringify(rows, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? 'NOT FINITE' : v));
    expect(numbers).not.toContain('NOT FINITE');
    expect(rows.map((r) => [r.rank, r.costNote])).toEqual([[null, 'No cost metric "x".'], [null, 'No cost metric "x".']]);
  });
});

describe('query views never change the recommendation', () => {
  it('guardrail harm checks keep the fixed-horizon test under the sequential view, so a blocked arm stays blocked', () => {
    // Primary D1 wins clearly at a planned end day; a guardrail (complaints, lower is better) is worse in the treatment
    // (pooled z = 2.1687, one-sided p = 0.0151 fixed, scipy.stats.norm; the always-valid p is far larger): it blocks SHIP whichever view is asked for.
    const COMPLAINTS: MetricDefinition = { ...D1, key: 'complaint_rate', kind: MetricKind.CONVERSION, retentionDay: null, windowDays: 14, higherIsBetter: false, alertBelow: null, alertAbove: null };
    const of = (variantKey: string, retained: number, complained: number): GroupAggregate => ({
      variantKey, tier: null, segmented: false, exposed: 1000, multipleVariantUsers: 0,
      metrics: {
        d1_retention: { n: 1000, sumY: retained, sumY2: retained, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 },
        complaint_rate: { n: 1000, sumY: complained, sumY2: complained, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 },
      },
    });
    const base = {
      ...input([of('control', 300, 20), of('treatment', 400, 36)]),
      metrics: [{ definition: D1, role: 'PRIMARY' as const }, { definition: COMPLAINTS, role: 'GUARDRAIL' as const }],
      plan: { type: 'FIXED_HORIZON' as const, baseline: 0.3, baselineStandardDeviation: null, minimumDetectableLift: 0.1, power: 0.8, alpha: 0.05, plannedEndDay: '2026-03-01', secondaryAdjustment: 'HOLM' as const },
      asOfDay: '2026-03-02',
    };
    const fixed = analyseExperiment(base);
    const sequential = analyseExperiment({ ...base, sequential: true });
    expect(fixed.guardrailProblems.map((p) => p.kind)).toEqual(['HARM']);
    expect(fixed.recommendation.action).toBe('INVESTIGATE');
    expect(sequential.recommendation).toEqual(fixed.recommendation);
    expect(sequential.guardrailProblems).toEqual(fixed.guardrailProblems);
  });

  it('a sample ratio mismatch is reported as such even without a primary metric', () => {
    const result = analyseExperiment({ ...input([arm('control', 300, 300, 90), arm('treatment', 100, 100, 30)], 'GUARDRAIL') });
    expect(result.recommendation.action).toBe('INVESTIGATE');
    expect(result.recommendation.reason).toMatch(/Sample ratio mismatch/);
  });
});

describe('users seen in more than one variant', () => {
  const crossed = (group: GroupAggregate, users: number): GroupAggregate => ({ ...group, multipleVariantUsers: users });

  it('reports any, and warns from 1% of the exposed users on', () => {
    // 1,000 exposed users: 9 crossed is 0.9% (reported, OK); 10 is exactly 1% (WARNING).
    const under = analyseExperiment(input([crossed(arm('control', 500, 500, 150), 4), crossed(arm('treatment', 500, 500, 160), 5)]));
    expect(under.multipleVariantUsers).toEqual({
      users: 9, share: 0.009, warningShare: 0.01, status: 'OK',
      arms: [{ variantKey: 'control', users: 4, share: 4 / 500 }, { variantKey: 'treatment', users: 5, share: 5 / 500 }],
    });
    const at = analyseExperiment(input([crossed(arm('control', 500, 500, 150), 4), crossed(arm('treatment', 500, 500, 160), 6)]));
    expect(at.multipleVariantUsers).toMatchObject({ users: 10, share: 0.01, status: 'WARNING' });
  });

  it('is clean without any, and null before any exposure', () => {
    expect(analyseExperiment(input([arm('control', 500, 500, 150), arm('treatment', 500, 500, 160)])).multipleVariantUsers).toMatchObject({ users: 0, share: 0, status: 'OK' });
    expect(analyseExperiment(input([])).multipleVariantUsers).toBeNull();
  });

  it('changes no estimate: the users stay in the arm their exposure holds (intention to treat)', () => {
    const clean = analyseExperiment(input([arm('control', 1000, 1000, 300), arm('treatment', 1000, 1000, 340)]));
    const withCrossovers = analyseExperiment(input([crossed(arm('control', 1000, 1000, 300), 40), crossed(arm('treatment', 1000, 1000, 340), 60)]));
    expect(withCrossovers.multipleVariantUsers?.status).toBe('WARNING');
    expect(withCrossovers.exposures).toEqual(clean.exposures);
    expect(withCrossovers.metrics).toEqual(clean.metrics);
    expect(withCrossovers.recommendation).toEqual(clean.recommendation);
  });
});
