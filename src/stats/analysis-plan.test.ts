import { analysisPlanProblems, DEFAULT_PLAN, plannedUsersPerArm, sequentialBoundaryAtPlan, type AnalysisPlan } from './analysis-plan';

const PLAN: AnalysisPlan = { ...DEFAULT_PLAN, baseline: 0.3 };

describe('plannedUsersPerArm', () => {
  it('sizes a fixed horizon as power.prop.test does', () => {
    // power.prop.test(p1 = 0.3, p2 = 0.33, power = 0.8): n = 3762.36 per arm (scipy.stats.norm, the same formula).
    expect(plannedUsersPerArm(PLAN, true)).toBe(3763);
  });

  it('sizes a sequential plan for the always-valid test’s own power at its last look', () => {
    // c = -2 ln 0.05 + ln(1 - 2 ln 0.05) = 7.936155; K = sqrt((1 + c)/c (ln(1 + c) - 2 ln 0.05)) = 3.035209;
    // n = (K + qnorm(0.8))^2 (0.3*0.7 + 0.33*0.67) / 0.03^2 = (3.035209 + 0.841621)^2 * 0.4311 / 0.0009 = 7199.28 (by hand).
    expect(sequentialBoundaryAtPlan(0.05)).toBeCloseTo(3.035209, 6);
    expect(plannedUsersPerArm({ ...PLAN, type: 'SEQUENTIAL' }, true)).toBe(7200);
  });

  it('sizes means from the baseline standard deviation', () => {
    // Mean 5, sd 2, lift 10% (difference 0.5): 2 (1.959964 + 0.841621)^2 2^2 / 0.5^2 = 251.16 -> 252;
    // sequential (3.035209 + 0.841621)^2 * 2 * 4 / 0.25 = 480.95 -> 481.
    const means = { ...PLAN, baseline: 5, baselineStandardDeviation: 2 };
    expect(plannedUsersPerArm(means, false)).toBe(252);
    expect(plannedUsersPerArm({ ...means, type: 'SEQUENTIAL' }, false)).toBe(481);
    expect(plannedUsersPerArm({ ...means, baselineStandardDeviation: null }, false)).toBeNull();
  });
});

describe('analysisPlanProblems', () => {
  it('accepts a sized plan and a plan with an end day', () => {
    expect(analysisPlanProblems(PLAN)).toEqual([]);
    expect(analysisPlanProblems({ ...DEFAULT_PLAN, plannedEndDay: '2026-12-31' })).toEqual([]);
  });

  it('names what is missing or wrong', () => {
    expect(analysisPlanProblems(DEFAULT_PLAN).map((p) => p.field)).toEqual(['analysisPlan.baseline']);
    expect(analysisPlanProblems({ ...PLAN, type: 'SEQUENTIAL', plannedEndDay: '2026-12-31' }).map((p) => p.field)).toEqual(['analysisPlan.plannedEndDay']);
    expect(analysisPlanProblems({ ...PLAN, plannedEndDay: '31/12/2026' }).map((p) => p.field)).toEqual(['analysisPlan.plannedEndDay']);
    expect(analysisPlanProblems({ ...PLAN, power: 1 }).map((p) => p.field)).toEqual(['analysisPlan.power']);
  });
});
