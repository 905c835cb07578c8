import { normalQuantile } from './distributions';
import { sampleSizeForMeans, sampleSizeForProportions } from './power';
import type { PValueAdjustment } from './multiple-testing';

/**
 * An experiment's analysis plan, fixed when it starts: how its primary metric will be decided.
 * FIXED_HORIZON: one test at the planned sample (users per arm from baseline, minimum detectable
 * effect and power) or on a planned end day; SEQUENTIAL: an always-valid test at every read, tuned
 * for the planned sample, which is sized for the sequential test's own power.
 */
export type AnalysisPlanType = 'FIXED_HORIZON' | 'SEQUENTIAL';

export interface AnalysisPlan {
  type: AnalysisPlanType;
  /** The primary metric's expected control value: a rate for conversions and retention, a mean otherwise. */
  baseline: number | null;
  /** Per-user standard deviation of the primary metric, for means (rates derive theirs from the baseline). */
  baselineStandardDeviation: number | null;
  /** Relative lift to detect, 0.1 = 10%. */
  minimumDetectableLift: number;
  power: number;
  alpha: number;
  /** FIXED_HORIZON alternative to a sample size: the horizon is this UTC day (YYYY-MM-DD). */
  plannedEndDay: string | null;
  /** Correction of the secondary metrics' family. */
  secondaryAdjustment: 'HOLM' | 'BH';
}

export const DEFAULT_PLAN: AnalysisPlan = {
  type: 'FIXED_HORIZON',
  baseline: null,
  baselineStandardDeviation: null,
  minimumDetectableLift: 0.1,
  power: 0.8,
  alpha: 0.05,
  plannedEndDay: null,
  secondaryAdjustment: 'HOLM',
};

/** A FIXED_HORIZON plan spends alpha / this on the always-valid test before its horizon (early SHIP): 0.01 of 0.05. */
export const EARLY_LOOK_ALPHA_DIVISOR = 5;

export interface PlanProblem {
  field: string;
  message: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What is wrong with a plan, as field and message; empty when it is usable. */
export function analysisPlanProblems(plan: AnalysisPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const between = (field: string, value: number, low: number, high: number) => {
    if (!Number.isFinite(value) || value <= low || value >= high) problems.push({ field, message: `must be between ${low} and ${high} (exclusive), got ${value}` });
  };
  between('analysisPlan.alpha', plan.alpha, 0, 0.5);
  between('analysisPlan.power', plan.power, 0.5, 1);
  between('analysisPlan.minimumDetectableLift', plan.minimumDetectableLift, 0, 10);
  if (plan.baseline !== null && !(Number.isFinite(plan.baseline) && plan.baseline !== 0)) problems.push({ field: 'analysisPlan.baseline', message: 'must be a non-zero number' });
  if (plan.baselineStandardDeviation !== null && !(plan.baselineStandardDeviation > 0 && Number.isFinite(plan.baselineStandardDeviation))) {
    problems.push({ field: 'analysisPlan.baselineStandardDeviation', message: 'must be a positive number' });
  }
  if (plan.plannedEndDay !== null) {
    if (!DAY.test(plan.plannedEndDay) || Number.isNaN(Date.parse(`${plan.plannedEndDay}T00:00:00Z`))) problems.push({ field: 'analysisPlan.plannedEndDay', message: 'must be a day, YYYY-MM-DD' });
    if (plan.type === 'SEQUENTIAL') problems.push({ field: 'analysisPlan.plannedEndDay', message: 'a SEQUENTIAL plan is sized in users, not by an end day' });
  } else if (plan.baseline === null) {
    problems.push({ field: 'analysisPlan.baseline', message: 'is needed to size the plan (or give a FIXED_HORIZON plan a plannedEndDay)' });
  }
  return problems;
}

/**
 * The always-valid test's boundary at its planned sample, in standard errors: with tau^2 = v c at
 * the plan (c = -2 ln alpha + ln(1 - 2 ln alpha)), the half width there is
 * sqrt(v) K, K = sqrt((1 + c)/c (ln(1 + c) - 2 ln alpha)) (see sequential.ts; 3.035 at alpha 0.05).
 */
export function sequentialBoundaryAtPlan(alpha: number): number {
  const c = -2 * Math.log(alpha) + Math.log(1 - 2 * Math.log(alpha));
  return Math.sqrt(((1 + c) / c) * (Math.log(1 + c) - 2 * Math.log(alpha)));
}

/**
 * Users per arm the plan needs for its primary metric: R's power.prop.test (rates) or the normal
 * approximation for means (power.ts) at a FIXED_HORIZON; for SEQUENTIAL, the n at which the
 * always-valid test, tuned for that n, reaches the power at its last look:
 * n = (K + z_power)^2 (V_c + V_t) / delta^2, conservative (earlier crossings only add power).
 */
export function plannedUsersPerArm(plan: AnalysisPlan, isRate: boolean): number | null {
  if (plan.baseline === null) return null;
  const p1 = plan.baseline;
  const p2 = p1 * (1 + plan.minimumDetectableLift);
  const delta = Math.abs(p2 - p1);
  if (isRate) {
    if (!(p1 > 0 && p1 < 1 && p2 < 1)) return null;
    if (plan.type === 'FIXED_HORIZON') return Math.ceil(sampleSizeForProportions({ p1, p2, alpha: plan.alpha, power: plan.power }));
    const variance = p1 * (1 - p1) + p2 * (1 - p2);
    return Math.ceil(((sequentialBoundaryAtPlan(plan.alpha) + normalQuantile(plan.power)) ** 2 * variance) / delta ** 2);
  }
  if (plan.baselineStandardDeviation === null) return null;
  const sd = plan.baselineStandardDeviation;
  if (plan.type === 'FIXED_HORIZON') return Math.ceil(sampleSizeForMeans({ difference: delta, standardDeviation: sd, alpha: plan.alpha, power: plan.power }));
  return Math.ceil(((sequentialBoundaryAtPlan(plan.alpha) + normalQuantile(plan.power)) ** 2 * 2 * sd * sd) / delta ** 2);
}

export function secondaryAdjustmentOf(plan: AnalysisPlan): PValueAdjustment {
  return plan.secondaryAdjustment === 'BH' ? 'BH' : 'holm';
}
