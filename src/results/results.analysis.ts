import { MetricKind } from '../metrics/metric.model';
import { daysObserved, isProportion } from '../metrics/metric.rules';
import type { GroupAggregate, MetricDefinition, SufficientStatistics } from '../analytics/analytics.model';
import { compareMeans } from '../stats/means';
import { compareProportions, wilsonInterval } from '../stats/proportions';
import { ratioOfSums } from '../stats/delta-method';
import { fiellerIntervalAnyCovariance } from '../stats/fieller';
import { adjustPValues, type PValueAdjustment } from '../stats/multiple-testing';
import { sampleRatioMismatch } from '../stats/srm';
import { DEFAULT_PLAN, EARLY_LOOK_ALPHA_DIVISOR, plannedUsersPerArm, type AnalysisPlan, type AnalysisPlanType } from '../stats/analysis-plan';
import { cupedAdjust, type CovariateArmSummary } from '../stats/cuped';
import { alwaysValidTest, DEFAULT_PLANNED_SAMPLE_SIZE, sequentialCompareMeans, sequentialCompareProportions, tunedMixingVariance } from '../stats/sequential';
import { bayesianCompareMeans, bayesianCompareProportions } from '../stats/bayesian';
import { meanSummaryOf, relativeLiftWithInterval, type EffectEstimate, type MeanSummary } from '../stats/summary';
import { normalQuantile, normalTwoSidedPValue, studentTQuantile } from '../stats/distributions';
import type { Interval } from '../stats/validation';

export type MetricRole = 'PRIMARY' | 'SECONDARY' | 'GUARDRAIL';
export type RecommendationAction = 'SHIP' | 'KEEP_RUNNING' | 'STOP_NO_EFFECT' | 'INVESTIGATE';
export type GuardrailStatus = 'OK' | 'WATCH' | 'AT_RISK' | 'BREACHED';
/** Worst first; the experiment's status is its worst problem's. */
const GUARDRAIL_SEVERITY: GuardrailStatus[] = ['BREACHED', 'AT_RISK', 'WATCH', 'OK'];

export interface AnalysisVariant {
  key: string;
  weight: number;
  isControl: boolean;
  /** The strategy the arm tests (already defaulted to the experiment's); only compareStrategies reads it. */
  strategy?: string | null;
}

export interface AnalysisInput {
  variants: AnalysisVariant[];
  /** Each metric with the role the experiment gives it, primary first. */
  metrics: { definition: MetricDefinition; role: MetricRole }[];
  aggregates: GroupAggregate[];
  adjustment: PValueAdjustment;
  /** Days the current phase has run, for the traffic rate (at least 1). */
  daysRunning: number;
  /** Shown only: the recommendation follows the plan (or, without one, DEFAULT_PLAN), never a query argument. */
  minimumDetectableLift: number;
  /** The experiment's analysis plan; null for experiments created before plans (DEFAULT_PLAN, baseline from control). */
  plan?: AnalysisPlan | null;
  /** The UTC day results are computed for (YYYY-MM-DD): a planned end day is reached on it. */
  asOfDay?: string;
  /** The recommendation made when the horizon was first reached (the first stored snapshot past it): it stands. */
  decisionAtHorizon?: { recommendation: Recommendation; asOfDay: string } | null;
  /** Report always-valid (mSPRT) p-values and confidence sequences, and judge significance on them. */
  sequential: boolean;
  alpha?: number;
}

export interface VariantExposure {
  variantKey: string;
  isControl: boolean;
  users: number;
  expectedShare: number;
}

export interface ArmValue {
  variantKey: string;
  isControl: boolean;
  /** Users whose window has passed: the metric's sample. */
  users: number;
  value: number | null;
  interval: Interval | null;
}

/** How a figure was computed; every comparison names the method of each interval and p-value it shows. */
export type InferenceMethod = 'POOLED_Z' | 'WALD_UNPOOLED' | 'WELCH_T' | 'NORMAL_DELTA' | 'DELTA_WELCH_T';

export interface ComparisonMethods {
  /** The p-value of the absolute difference: the one adjusted in its family and read by the recommendation. */
  pValue: InferenceMethod;
  absoluteLiftInterval: InferenceMethod;
  relativeLiftInterval: InferenceMethod;
  /** The relative lift's own p-value, for display only. */
  relativeLiftPValue: InferenceMethod;
}

/** The family a comparison's adjusted p-value was corrected in. */
export interface ComparisonFamily {
  role: MetricRole;
  method: 'HOLM' | 'BH' | 'NONE';
  /** Comparisons in the family. */
  size: number;
  /** ONE_SIDED_HARM for guardrails: the test asks only whether the arm is worse. */
  sides: 'TWO_SIDED' | 'ONE_SIDED_HARM';
}

export interface Comparison {
  variantKey: string;
  absoluteLift: number | null;
  absoluteLiftInterval: Interval | null;
  relativeLift: number | null;
  relativeLiftInterval: Interval | null;
  pValue: number | null;
  /** Display only: the relative lift against 0 (Student t, Welch df); never enters a decision. */
  relativeLiftPValue: number | null;
  methods: ComparisonMethods | null;
  adjustedPValue: number | null;
  /** Null when there was nothing to test. */
  family: ComparisonFamily | null;
  significant: boolean;
  /** The lift goes the good way for this metric (up when higher is better). */
  improvement: boolean | null;
  /** The same comparison on CUPED-adjusted values (the 14 days before exposure as covariate); null for ratios. */
  cuped: CupedResult | null;
  /** Posterior probability that the treatment is better (in the metric's good direction). */
  chanceToBeatControl: number | null;
  /** Expected shortfall against control if the treatment ships, in the metric's units (0 is no risk). */
  expectedLossIfShipped: number | null;
  /** Only when asked for: the always-valid comparison, which `adjustedPValue` and `significant` then use. */
  sequential: SequentialResult | null;
}

export interface CupedResult {
  applied: boolean;
  theta: number;
  varianceReduction: number;
  absoluteLift: number;
  absoluteLiftInterval: Interval;
  relativeLift: number | null;
  relativeLiftInterval: Interval | null;
  pValue: number;
}

export interface SequentialResult {
  pValue: number;
  absoluteLiftInterval: Interval;
  relativeLiftInterval: Interval | null;
  mixingVariance: number;
}

export interface MetricResult {
  metricKey: string;
  name: string;
  kind: MetricKind;
  role: MetricRole;
  higherIsBetter: boolean;
  arms: ArmValue[];
  comparisons: Comparison[];
}

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  mismatch: boolean;
}

export type HealthCheckStatus = 'OK' | 'WARNING';

/**
 * At or above this share of exposed users seen in more than one variant, the check warns:
 * GrowthBook's default (multipleExposureMinPercent, 1%), and where Statsig asks to look into crossovers.
 */
export const MULTIPLE_VARIANT_WARNING_SHARE = 0.01;

/** Exposed users of the phase also seen in another variant (docs/analyst.md, "Reading the health section"). */
export interface MultipleVariantCheck {
  users: number;
  /** Of the phase's exposed users. */
  share: number;
  /** MULTIPLE_VARIANT_WARNING_SHARE. */
  warningShare: number;
  status: HealthCheckStatus;
  /** Per arm the users are analysed in (the one their exposure holds). */
  arms: { variantKey: string; users: number; share: number }[];
}

export interface GuardrailProblem {
  metricKey: string;
  variantKey: string;
  kind: 'THRESHOLD' | 'HARM';
  /** BREACHED, AT_RISK or WATCH (never OK). */
  status: Exclude<GuardrailStatus, 'OK'>;
  /** The one-sided 95% bound on the arm's value nearest the safe side (the bound that must pass the threshold for BREACHED); null for HARM. */
  safeSideBound: number | null;
  /** BREACHED by the always-valid (confidence sequence) bound as well: what auto-pause acts on, since it reads repeatedly. */
  breachedAlwaysValid: boolean;
  message: string;
}

export interface PlanProgress {
  /** EXPERIMENT: the experiment's own plan; DEFAULT: it has none, so DEFAULT_PLAN with the baseline re-estimated from control at each read. */
  source: 'EXPERIMENT' | 'DEFAULT';
  type: AnalysisPlanType;
  primaryMetricKey: string | null;
  baseline: number | null;
  minimumDetectableLift: number;
  power: number;
  alpha: number;
  plannedUsersPerArm: number | null;
  plannedEndDay: string | null;
  /** Users in the smallest arm of the primary metric's sample. */
  usersPerArm: number;
  /** Share of the way to the horizon, 0 to 1; null when the horizon cannot be sized. */
  progress: number | null;
  horizonReached: boolean;
  /** The day of the read whose decision stands (the first at or past the horizon); null before. */
  decidedOnDay: string | null;
  /** Alpha of the always-valid test before the horizon (the only way to SHIP early). */
  earlyLookAlpha: number;
}

export interface Recommendation {
  action: RecommendationAction;
  variantKey: string | null;
  estimatedDaysToPower: number | null;
  reason: string;
}

export interface SegmentResult {
  tier: string | null;
  exposures: VariantExposure[];
  metrics: MetricResult[];
}

export interface ExperimentAnalysis {
  exposures: VariantExposure[];
  sampleRatio: SampleRatioCheck | null;
  multipleVariantUsers: MultipleVariantCheck | null;
  metrics: MetricResult[];
  segments: SegmentResult[];
  guardrailStatus: GuardrailStatus;
  guardrailProblems: GuardrailProblem[];
  /** An opted-in running experiment should pause: some guardrail is BREACHED by its always-valid bound. */
  autoPauseWarranted: boolean;
  plan: PlanProgress | null;
  recommendation: Recommendation;
}

const EMPTY: SufficientStatistics = { n: 0, sumY: 0, sumY2: 0, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 };

/** A metric's per-arm estimate: value, the variance of the value, and the per-user variance (for power). */
interface ArmEstimate {
  value: number;
  variance: number;
  perUserVariance: number;
}

function estimateOf(kind: MetricKind, s: SufficientStatistics): ArmEstimate | null {
  if (kind === MetricKind.RATIO) {
    const ratio = ratioOfSums(s);
    return ratio ? { value: ratio.estimate, variance: ratio.variance, perUserVariance: ratio.variance * s.n } : null;
  }
  if (isProportion(kind)) {
    if (s.n < 1) return null;
    const rate = s.sumY / s.n;
    return { value: rate, variance: (rate * (1 - rate)) / s.n, perUserVariance: rate * (1 - rate) };
  }
  if (s.n < 2) return null;
  const mean = s.sumY / s.n;
  const perUserVariance = Math.max(0, (s.sumY2 - s.n * mean ** 2) / (s.n - 1));
  return { value: mean, variance: perUserVariance / s.n, perUserVariance };
}

/** The arm's own interval: Wilson score for a rate, t for a mean, normal (delta method) for a ratio. */
function armInterval(kind: MetricKind, s: SufficientStatistics, estimate: ArmEstimate, alpha: number): Interval {
  if (isProportion(kind)) return wilsonInterval(s.sumY, s.n, normalQuantile(1 - alpha / 2));
  const critical = kind === MetricKind.MEAN || kind === MetricKind.COUNT ? studentTQuantile(1 - alpha / 2, s.n - 1) : normalQuantile(1 - alpha / 2);
  const half = critical * Math.sqrt(estimate.variance);
  return { lower: estimate.value - half, upper: estimate.value + half };
}

type Compared = Omit<Comparison, 'variantKey' | 'adjustedPValue' | 'significant' | 'family'>;

/** A ratio arm as a mean with the delta method's variance, for the normal-theory sequential and Bayesian views. */
function ratioAsMean(s: SufficientStatistics, estimate: ArmEstimate): MeanSummary {
  return { n: s.n, mean: estimate.value, variance: estimate.perUserVariance };
}

function covariateArm(s: SufficientStatistics): CovariateArmSummary {
  return { n: s.n, sum: s.sumY, sumSquares: s.sumY2, covariate: { sum: s.sumX, sumSquares: s.sumX2, crossSum: s.sumXY } };
}

/**
 * CUPED on the metric's per-user values (a rate is a mean of 0/1 values), with theta pooled over
 * every arm; Welch's comparison of the adjusted arms.
 */
function cupedOf(control: SufficientStatistics, treatment: SufficientStatistics, allArms: SufficientStatistics[], alpha: number): CupedResult | null {
  if (allArms.some((arm) => arm.n < 2)) return null;
  const adjusted = cupedAdjust(covariateArm(control), covariateArm(treatment), allArms.map(covariateArm));
  if (adjusted.control.variance === 0 && adjusted.treatment.variance === 0) return null;
  const result = compareMeans(adjusted.control, adjusted.treatment, alpha);
  return {
    ...adjusted.cuped,
    absoluteLift: result.difference,
    absoluteLiftInterval: result.differenceInterval,
    relativeLift: result.relativeLift,
    relativeLiftInterval: result.relativeLiftInterval,
    pValue: result.pValue,
  };
}

function compare(
  metric: MetricDefinition,
  control: SufficientStatistics,
  treatment: SufficientStatistics,
  allArms: SufficientStatistics[],
  alpha: number,
  sequential: boolean,
  /** False: only what decisions read (fixed-horizon test), without the Bayesian and CUPED views. */
  views = true,
): Compared | null {
  const c = estimateOf(metric.kind, control);
  const t = estimateOf(metric.kind, treatment);
  if (!c || !t) return null;
  let fixed: EffectEstimate;
  const noBayes = { chanceToBeatControl: Number.NaN, treatmentExpectedLoss: Number.NaN, controlExpectedLoss: Number.NaN };
  let bayes: { chanceToBeatControl: number; treatmentExpectedLoss: number; controlExpectedLoss: number } = noBayes;
  let always: (EffectEstimate & { mixingVariance: number }) | null = null;
  let cuped: CupedResult | null = null;
  if (isProportion(metric.kind)) {
    const samples = [{ successes: control.sumY, trials: control.n }, { successes: treatment.sumY, trials: treatment.n }] as const;
    fixed = compareProportions(samples[0], samples[1], alpha);
    if (views) {
      bayes = bayesianCompareProportions(samples[0], samples[1]);
      if (sequential) always = sequentialCompareProportions(samples[0], samples[1], { alpha });
      cuped = cupedOf(control, treatment, allArms, alpha);
    }
  } else {
    if (control.n < 2 || treatment.n < 2) return null;
    const isRatio = metric.kind === MetricKind.RATIO;
    const summaries = isRatio
      ? [ratioAsMean(control, c), ratioAsMean(treatment, t)]
      : [meanSummaryOf({ n: control.n, sum: control.sumY, sumSquares: control.sumY2 }), meanSummaryOf({ n: treatment.n, sum: treatment.sumY, sumSquares: treatment.sumY2 })];
    if (summaries[0].variance === 0 && summaries[1].variance === 0) return null; // no test on constant data
    // A ratio's arms are normal estimates with delta-method variances: compare them with a normal
    // quantile rather than Welch's t (its degrees of freedom would be meaningless).
    fixed = isRatio ? normalComparison(summaries[0], summaries[1], alpha) : compareMeans(summaries[0], summaries[1], alpha);
    if (views) {
      bayes = bayesianCompareMeans(summaries[0], summaries[1]);
      if (sequential) always = sequentialCompareMeans(summaries[0], summaries[1], { alpha });
      if (!isRatio) cuped = cupedOf(control, treatment, allArms, alpha);
    }
  }
  const better = metric.higherIsBetter;
  return {
    absoluteLift: fixed.difference,
    absoluteLiftInterval: fixed.differenceInterval,
    relativeLift: fixed.relativeLift,
    relativeLiftInterval: fixed.relativeLiftInterval,
    pValue: fixed.pValue,
    relativeLiftPValue: fixed.relativeLiftPValue ?? null,
    methods: methodsOf(metric.kind),
    improvement: fixed.difference === 0 ? null : fixed.difference > 0 === better,
    cuped,
    chanceToBeatControl: bayes === noBayes ? null : better ? bayes.chanceToBeatControl : 1 - bayes.chanceToBeatControl,
    expectedLossIfShipped: bayes === noBayes ? null : better ? bayes.treatmentExpectedLoss : bayes.controlExpectedLoss,
    sequential: always
      ? { pValue: always.pValue, absoluteLiftInterval: always.differenceInterval, relativeLiftInterval: always.relativeLiftInterval, mixingVariance: always.mixingVariance }
      : null,
  };
}

function methodsOf(kind: MetricKind): ComparisonMethods {
  if (isProportion(kind)) return { pValue: 'POOLED_Z', absoluteLiftInterval: 'WALD_UNPOOLED', relativeLiftInterval: 'DELTA_WELCH_T', relativeLiftPValue: 'DELTA_WELCH_T' };
  if (kind === MetricKind.RATIO) return { pValue: 'NORMAL_DELTA', absoluteLiftInterval: 'NORMAL_DELTA', relativeLiftInterval: 'NORMAL_DELTA', relativeLiftPValue: 'NORMAL_DELTA' };
  return { pValue: 'WELCH_T', absoluteLiftInterval: 'WELCH_T', relativeLiftInterval: 'DELTA_WELCH_T', relativeLiftPValue: 'DELTA_WELCH_T' };
}

/** Normal-theory comparison of two estimates (treatment - control) given as means with per-user variances. */
function normalComparison(control: MeanSummary, treatment: MeanSummary, alpha: number): EffectEstimate {
  const controlVariance = control.variance / control.n;
  const treatmentVariance = treatment.variance / treatment.n;
  const difference = treatment.mean - control.mean;
  const standardError = Math.sqrt(controlVariance + treatmentVariance);
  const critical = normalQuantile(1 - alpha / 2);
  const z = difference / standardError;
  const relative = relativeLiftWithInterval(control.mean, controlVariance, treatment.mean, treatmentVariance, critical);
  const relativeStandardError = relative.relativeLiftInterval ? (relative.relativeLiftInterval.upper - relative.relativeLift!) / critical : 0;
  return {
    controlMean: control.mean,
    treatmentMean: treatment.mean,
    difference,
    differenceInterval: { lower: difference - critical * standardError, upper: difference + critical * standardError },
    pValue: normalTwoSidedPValue(z),
    ...relative,
    relativeLiftPValue: relativeStandardError > 0 ? normalTwoSidedPValue(relative.relativeLift! / relativeStandardError) : null,
  };
}

function metricResults(input: AnalysisInput, groups: GroupAggregate[], alpha: number, views = true): MetricResult[] {
  const control = input.variants.find((v) => v.isControl)!;
  const statsOf = (variantKey: string, metricKey: string) => groups.find((g) => g.variantKey === variantKey)?.metrics[metricKey] ?? EMPTY;
  const results = input.metrics.map(({ definition, role }) => {
    const arms = input.variants.map((variant) => {
      const stats = statsOf(variant.key, definition.key);
      const estimate = estimateOf(definition.kind, stats);
      return {
        variantKey: variant.key,
        isControl: variant.isControl,
        users: stats.n,
        value: estimate?.value ?? null,
        interval: estimate && (definition.kind !== MetricKind.MEAN && definition.kind !== MetricKind.COUNT || stats.n >= 2) ? armInterval(definition.kind, stats, estimate, alpha) : null,
      };
    });
    const comparisons = input.variants
      .filter((v) => !v.isControl)
      .map((variant): Comparison => {
        const allArms = input.variants.filter((v) => v.weight > 0 || v.isControl).map((v) => statsOf(v.key, definition.key));
        const compared = compare(definition, statsOf(control.key, definition.key), statsOf(variant.key, definition.key), allArms, alpha, input.sequential && views, views);
        return compared
          ? { variantKey: variant.key, ...compared, adjustedPValue: null, family: null, significant: false }
          : {
              variantKey: variant.key, absoluteLift: null, absoluteLiftInterval: null, relativeLift: null, relativeLiftInterval: null, pValue: null,
              relativeLiftPValue: null, methods: null, adjustedPValue: null, family: null, significant: false, improvement: null, cuped: null, chanceToBeatControl: null, expectedLossIfShipped: null, sequential: null,
            };
      });
    return { metricKey: definition.key, name: definition.name, kind: definition.kind, role, higherIsBetter: definition.higherIsBetter, arms, comparisons };
  });
  assignFamilies(results, input, alpha);
  return results;
}

/** Two-sided p of a symmetric test turned one-sided against harm: p/2 when the estimate goes the harmful way, 1 - p/2 otherwise. */
function harmPValueOf(pValue: number, difference: number, higherIsBetter: boolean): number {
  const harmful = higherIsBetter ? difference < 0 : difference > 0;
  return harmful ? pValue / 2 : 1 - pValue / 2;
}

/**
 * The decision families (stated on every comparison). The primary metric is corrected with Holm
 * across treatment arms only, so adding secondaries never weakens it. Secondaries form one family
 * across their metrics and arms, corrected with the experiment's method (Holm or BH). Each
 * guardrail comparison is its own one-sided test for harm, uncorrected: a safety check must not get
 * less sensitive because other metrics were added. Sequential p-values, when asked for, replace
 * the fixed-horizon ones for the primary and secondaries (a view); guardrails keep theirs.
 */
function assignFamilies(results: MetricResult[], input: AnalysisInput, alpha: number): void {
  const pOf = (c: Comparison) => (input.sequential ? c.sequential!.pValue : c.pValue!);
  const adjust = (tested: Comparison[], family: Omit<ComparisonFamily, 'size'>) => {
    const adjusted = family.method === 'NONE' ? tested.map(pOf) : adjustPValues(tested.map(pOf), family.method === 'HOLM' ? 'holm' : 'BH');
    tested.forEach((comparison, i) => {
      comparison.family = { ...family, size: tested.length };
      comparison.adjustedPValue = adjusted[i];
      comparison.significant = adjusted[i] < alpha;
    });
  };
  const tested = (role: MetricRole) => results.filter((r) => r.role === role).flatMap((r) => r.comparisons).filter((c) => c.pValue !== null);
  adjust(tested('PRIMARY'), { role: 'PRIMARY', method: 'HOLM', sides: 'TWO_SIDED' });
  adjust(tested('SECONDARY'), { role: 'SECONDARY', method: input.adjustment === 'BH' ? 'BH' : 'HOLM', sides: 'TWO_SIDED' });
  for (const result of results.filter((r) => r.role === 'GUARDRAIL')) {
    for (const comparison of result.comparisons.filter((c) => c.pValue !== null)) {
      // Always the fixed-horizon p: harm checks block SHIP, and the `sequential` view must not change the recommendation.
      const harm = harmPValueOf(comparison.pValue!, comparison.absoluteLift!, result.higherIsBetter);
      comparison.family = { role: 'GUARDRAIL', method: 'NONE', sides: 'ONE_SIDED_HARM', size: 1 };
      comparison.adjustedPValue = harm;
      comparison.significant = harm < alpha;
    }
  }
}

function exposuresOf(variants: AnalysisVariant[], groups: GroupAggregate[]): VariantExposure[] {
  const totalWeight = variants.reduce((sum, v) => sum + v.weight, 0);
  return variants.map((v) => ({
    variantKey: v.key,
    isControl: v.isControl,
    users: groups.find((g) => g.variantKey === v.key)?.exposed ?? 0,
    expectedShare: totalWeight > 0 ? v.weight / totalWeight : 0,
  }));
}

/** Arms with weight 0 expect no users and take no part in the chi-square test. */
function sampleRatioCheck(exposures: VariantExposure[]): SampleRatioCheck | null {
  const weighted = exposures.filter((e) => e.expectedShare > 0);
  if (weighted.length < 2 || weighted.every((e) => e.users === 0)) return null;
  const { chiSquare, degreesOfFreedom, pValue, mismatch } = sampleRatioMismatch(weighted.map((e) => e.users), weighted.map((e) => e.expectedShare));
  return { chiSquare, degreesOfFreedom, pValue, mismatch };
}

/**
 * How many exposed users were also seen in another variant, per arm and overall. They stay in the
 * arm their exposure holds (intention to treat): the check reports them and changes no estimate.
 * Any is reported; WARNING from MULTIPLE_VARIANT_WARNING_SHARE of the exposed users. Null before any exposure.
 */
export function multipleVariantCheck(exposures: VariantExposure[], groups: GroupAggregate[]): MultipleVariantCheck | null {
  const exposed = exposures.reduce((sum, e) => sum + e.users, 0);
  if (exposed === 0) return null;
  const arms = exposures.map((e) => {
    const users = groups.find((g) => g.variantKey === e.variantKey)?.multipleVariantUsers ?? 0;
    return { variantKey: e.variantKey, users, share: e.users > 0 ? users / e.users : 0 };
  });
  const users = arms.reduce((sum, a) => sum + a.users, 0);
  const share = users / exposed;
  return { users, share, warningShare: MULTIPLE_VARIANT_WARNING_SHARE, status: share >= MULTIPLE_VARIANT_WARNING_SHARE ? 'WARNING' : 'OK', arms };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Users per arm the always-valid guardrail bounds are tuned for (narrowest there; valid at every n). */
const GUARDRAIL_PLANNED_USERS = 5_000;
const ONE_SIDED_Z95 = normalQuantile(0.95);

/** One-sided 95% bounds on an arm's value: Wilson for a rate, Student t for a mean, normal for a ratio. */
function oneSidedBounds(kind: MetricKind, s: SufficientStatistics, estimate: ArmEstimate): Interval {
  if (isProportion(kind)) return wilsonInterval(s.sumY, s.n, ONE_SIDED_Z95);
  const critical = kind === MetricKind.RATIO || s.n < 2 ? ONE_SIDED_Z95 : studentTQuantile(0.95, s.n - 1);
  const half = critical * Math.sqrt(estimate.variance);
  return { lower: estimate.value - half, upper: estimate.value + half };
}

/**
 * Always-valid half width around an arm's value for the threshold check (normal mixture confidence
 * sequence). For a rate the variance is the threshold's, t(1 - t)/n: the variance under "the rate
 * is exactly at the threshold", defined even at 0 or n events.
 */
function alwaysValidHalfWidth(kind: MetricKind, s: SufficientStatistics, estimate: ArmEstimate, threshold: number): number | null {
  const perUserVariance = isProportion(kind) ? threshold * (1 - threshold) : estimate.perUserVariance;
  if (!(perUserVariance > 0) || s.n < 1) return null;
  return alwaysValidTest({ difference: 0, variance: perUserVariance / s.n, mixingVariance: tunedMixingVariance(perUserVariance, GUARDRAIL_PLANNED_USERS) }).halfWidth;
}

/**
 * Each treatment arm of each guardrail against its threshold, with uncertainty (one-sided 95%):
 * BREACHED when the whole interval is past the threshold and the arm is worse than control;
 * AT_RISK when the estimate is past it (or the arm is significantly worse than control, HARM);
 * WATCH when the interval reaches past it. One problem per arm and kind, at its worst status.
 */
function guardrailProblems(metrics: MetricResult[], definitions: MetricDefinition[], groups: GroupAggregate[]): GuardrailProblem[] {
  const problems: GuardrailProblem[] = [];
  const statsOf = (variantKey: string, metricKey: string) => groups.find((g) => g.variantKey === variantKey)?.metrics[metricKey] ?? EMPTY;
  for (const result of metrics.filter((m) => m.role === 'GUARDRAIL')) {
    const definition = definitions.find((d) => d.key === result.metricKey)!;
    const shownValue = (value: number) => (isProportion(definition.kind) ? percent(value) : value.toPrecision(4));
    const control = result.arms.find((a) => a.isControl)!;
    for (const arm of result.arms.filter((a) => !a.isControl && a.value !== null)) {
      const stats = statsOf(arm.variantKey, result.metricKey);
      const estimate = estimateOf(definition.kind, stats)!;
      const bounds = oneSidedBounds(definition.kind, stats, estimate);
      const checks: { threshold: number; past: (v: number) => boolean; safe: number; risky: number; words: string; worse: boolean }[] = [];
      if (definition.alertBelow !== null) {
        checks.push({ threshold: definition.alertBelow, past: (v) => v < definition.alertBelow!, safe: bounds.upper, risky: bounds.lower, words: 'below', worse: control.value !== null && arm.value! < control.value });
      }
      if (definition.alertAbove !== null) {
        checks.push({ threshold: definition.alertAbove, past: (v) => v > definition.alertAbove!, safe: bounds.lower, risky: bounds.upper, words: 'above', worse: control.value !== null && arm.value! > control.value });
      }
      for (const check of checks) {
        const value = arm.value!;
        const threshold = `${check.words} the alert threshold ${shownValue(check.threshold)}`;
        const boundText = `one-sided 95% bound ${shownValue(check.safe)}`;
        let status: GuardrailProblem['status'] | null = null;
        let message = '';
        if (check.past(check.safe) && check.worse) {
          status = 'BREACHED';
          message = `${result.metricKey} is ${shownValue(value)}, ${threshold} (${boundText}) and worse than control`;
        } else if (check.past(value)) {
          status = 'AT_RISK';
          message = `${result.metricKey} is ${shownValue(value)}, ${threshold}`;
        } else if (check.past(check.risky)) {
          status = 'WATCH';
          message = `${result.metricKey} is ${shownValue(value)}, but its one-sided 95% bound ${shownValue(check.risky)} is ${threshold}`;
        }
        if (!status) continue;
        const halfWidth = status === 'BREACHED' ? alwaysValidHalfWidth(definition.kind, stats, estimate, check.threshold) : null;
        const alwaysValidSafe = halfWidth === null ? null : check.words === 'below' ? value + halfWidth : value - halfWidth;
        problems.push({
          metricKey: result.metricKey, variantKey: arm.variantKey, kind: 'THRESHOLD', status, safeSideBound: check.safe,
          breachedAlwaysValid: alwaysValidSafe !== null && check.past(alwaysValidSafe), message,
        });
      }
      // A threshold against control rather than a fixed value (e.g. NPS falling 5 points below
      // control's): on the point estimates, so at most AT_RISK (a breach would need the difference's interval).
      const drop = definition.alertDropBelowControl ?? null;
      if (drop !== null && control.value !== null && arm.value! < control.value - drop) {
        problems.push({
          metricKey: result.metricKey, variantKey: arm.variantKey, kind: 'THRESHOLD', status: 'AT_RISK', safeSideBound: null, breachedAlwaysValid: false,
          message: `${result.metricKey} is ${shownValue(arm.value!)}, more than ${drop} below control's ${shownValue(control.value)}`,
        });
      }
    }
    for (const comparison of result.comparisons.filter((c) => c.significant && c.improvement === false)) {
      problems.push({
        metricKey: result.metricKey,
        variantKey: comparison.variantKey,
        kind: 'HARM',
        status: 'AT_RISK',
        safeSideBound: null,
        breachedAlwaysValid: false,
        message: `${result.metricKey} is significantly worse than control (one-sided p = ${comparison.adjustedPValue!.toPrecision(3)})`,
      });
    }
  }
  return problems;
}

function worstGuardrailStatus(problems: GuardrailProblem[]): GuardrailStatus {
  return GUARDRAIL_SEVERITY.find((status) => problems.some((p) => p.status === status)) ?? 'OK';
}

/** The plan the recommendation follows: the experiment's, or DEFAULT_PLAN with the baseline taken from control now. */
function planOf(input: AnalysisInput, primary: MetricDefinition, control: SufficientStatistics): { plan: AnalysisPlan; source: PlanProgress['source'] } {
  if (input.plan) return { plan: input.plan, source: 'EXPERIMENT' };
  const estimate = estimateOf(primary.kind, control);
  const standardDeviation = estimate && estimate.perUserVariance > 0 ? Math.sqrt(estimate.perUserVariance) : null;
  return { plan: { ...DEFAULT_PLAN, baseline: estimate && estimate.value !== 0 ? estimate.value : null, baselineStandardDeviation: standardDeviation }, source: 'DEFAULT' };
}

/** Always-valid p-value of an arm against control on the primary metric, tuned for the plan's sample (total users). */
function alwaysValidPValue(metric: MetricDefinition, control: SufficientStatistics, treatment: SufficientStatistics, plannedTotal: number, alpha: number): number | null {
  const c = estimateOf(metric.kind, control);
  const t = estimateOf(metric.kind, treatment);
  if (!c || !t || control.n < 2 || treatment.n < 2) return null;
  const options = { alpha, plannedSampleSize: plannedTotal };
  if (isProportion(metric.kind)) return sequentialCompareProportions({ successes: control.sumY, trials: control.n }, { successes: treatment.sumY, trials: treatment.n }, options).pValue;
  const summaries = metric.kind === MetricKind.RATIO
    ? [ratioAsMean(control, c), ratioAsMean(treatment, t)]
    : [meanSummaryOf({ n: control.n, sum: control.sumY, sumSquares: control.sumY2 }), meanSummaryOf({ n: treatment.n, sum: treatment.sumY, sumSquares: treatment.sumY2 })];
  if (summaries[0].variance === 0 && summaries[1].variance === 0) return null;
  return sequentialCompareMeans(summaries[0], summaries[1], options).pValue;
}

const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);

/**
 * The primary metric's decision under the plan, the same whatever the query asked to see:
 * - FIXED_HORIZON: before the horizon, SHIP only on the always-valid test at alpha / EARLY_LOOK_ALPHA_DIVISOR
 *   of alpha (never on fixed-horizon p-values), otherwise KEEP_RUNNING with the progress; at the
 *   horizon, the fixed-horizon test (Holm across arms): SHIP or STOP_NO_EFFECT.
 * - SEQUENTIAL: the always-valid test (Holm across arms) at every read: SHIP when it rejects;
 *   STOP_NO_EFFECT once the planned sample is reached without.
 * The first decision at or past the horizon stands: later reads are given it and show it.
 */
function recommend(
  input: AnalysisInput, exposures: VariantExposure[], srm: SampleRatioCheck | null, metrics: MetricResult[], problems: GuardrailProblem[],
): { recommendation: Recommendation; plan: PlanProgress | null } {
  const primaryResult = metrics.find((m) => m.role === 'PRIMARY');
  const primary = input.metrics.find((m) => m.role === 'PRIMARY')?.definition;
  const mismatch: Recommendation | null = srm?.mismatch
    ? {
        action: 'INVESTIGATE',
        variantKey: null,
        estimatedDaysToPower: null,
        reason: `Sample ratio mismatch: the arms' sizes differ from the configured weights (chi-square p = ${srm.pValue.toExponential(2)} < 0.001). Assignment or exposure logging is broken; the results cannot be trusted until it is found.`,
      }
    : null;
  if (!primaryResult || !primary) {
    return { plan: null, recommendation: mismatch ?? { action: 'KEEP_RUNNING', variantKey: null, estimatedDaysToPower: null, reason: 'The experiment has no primary metric.' } };
  }
  const controlKey = input.variants.find((v) => v.isControl)!.key;
  const overall = input.aggregates.filter((g) => !g.segmented);
  const statsOf = (variantKey: string) => overall.find((g) => g.variantKey === variantKey)?.metrics[primary.key] ?? EMPTY;
  const { plan, source } = planOf(input, primary, statsOf(controlKey));
  const alpha = plan.alpha;
  const needed = plan.plannedEndDay === null ? plannedUsersPerArm(plan, isProportion(primary.kind)) : null;
  const smallestArm = Math.min(...primaryResult.arms.map((a) => a.users));
  const today = input.asOfDay ?? null;
  const horizonReached = plan.plannedEndDay !== null ? today !== null && today >= plan.plannedEndDay : needed !== null && smallestArm >= needed;
  const earlyLookAlpha = plan.type === 'SEQUENTIAL' ? alpha : alpha / EARLY_LOOK_ALPHA_DIVISOR;
  const startDay = today === null ? null : dayNumber(today) - Math.max(0, Math.round(input.daysRunning));
  const progress = plan.plannedEndDay !== null
    ? today === null || startDay === null ? null : Math.min(1, Math.max(0, (dayNumber(today) - startDay) / Math.max(1, dayNumber(plan.plannedEndDay) - startDay)))
    : needed === null ? null : Math.min(1, smallestArm / needed);
  const frozen = input.decisionAtHorizon ?? null;
  const progressView: PlanProgress = {
    source, type: plan.type, primaryMetricKey: primary.key, baseline: plan.baseline, minimumDetectableLift: plan.minimumDetectableLift, power: plan.power, alpha,
    plannedUsersPerArm: needed, plannedEndDay: plan.plannedEndDay, usersPerArm: smallestArm, progress: frozen ? 1 : progress,
    horizonReached: horizonReached || frozen !== null, decidedOnDay: frozen?.asOfDay ?? (horizonReached ? today : null), earlyLookAlpha,
  };
  const done = (recommendation: Recommendation) => ({ recommendation, plan: progressView });
  if (mismatch) return done(mismatch);
  if (frozen) return done({ ...frozen.recommendation, reason: `Decided at the horizon on ${frozen.asOfDay}, and it stands: ${frozen.recommendation.reason}` });

  // WATCH is uncertainty, not a problem found: it does not block shipping.
  const flagged = new Set(problems.filter((p) => p.status !== 'WATCH').map((p) => p.variantKey));
  const comparisons = primaryResult.comparisons.filter((c) => c.pValue !== null);
  const plannedTotal = needed !== null ? 2 * needed : DEFAULT_PLANNED_SAMPLE_SIZE;
  const alwaysValid = adjustPValues(comparisons.map((c) => alwaysValidPValue(primary, statsOf(controlKey), statsOf(c.variantKey), plannedTotal, alpha) ?? 1), 'holm');
  const fixed = adjustPValues(comparisons.map((c) => c.pValue!), 'holm');
  const useFixed = plan.type === 'FIXED_HORIZON' && horizonReached;
  const decisive = comparisons.map((c, i) => ({ comparison: c, p: useFixed ? fixed[i] : alwaysValid[i] }));
  const threshold = useFixed ? alpha : earlyLookAlpha;
  const testName = useFixed ? 'fixed-horizon test at the horizon' : plan.type === 'SEQUENTIAL' ? 'always-valid (sequential) test' : `always-valid test before the horizon (alpha ${earlyLookAlpha})`;
  const winners = decisive.filter((d) => d.p < threshold && d.comparison.improvement).sort((a, b) => Math.abs(b.comparison.absoluteLift!) - Math.abs(a.comparison.absoluteLift!));
  const safe = winners.filter((w) => !flagged.has(w.comparison.variantKey));
  if (safe.length > 0) {
    const best = safe[0].comparison;
    return done({
      action: 'SHIP',
      variantKey: best.variantKey,
      estimatedDaysToPower: null,
      reason: `${best.variantKey} improves ${primary.key} by ${best.absoluteLift!.toPrecision(3)} (relative ${best.relativeLift === null ? 'n/a' : percent(best.relativeLift)}; ${testName}, Holm across arms, p = ${safe[0].p.toPrecision(3)}) with no guardrail problem.`,
    });
  }
  const blockedNote = winners.length > 0 ? ` ${winners.map((w) => w.comparison.variantKey).join(', ')} improved it but has a guardrail problem.` : '';
  const liftText = percent(plan.minimumDetectableLift);
  if (horizonReached) {
    if (winners.length > 0) return done({ action: 'INVESTIGATE', variantKey: null, estimatedDaysToPower: null, reason: `The horizon is reached.${blockedNote}` });
    return done({
      action: 'STOP_NO_EFFECT',
      variantKey: null,
      estimatedDaysToPower: null,
      reason: (needed !== null
        ? `Every arm has at least ${needed} users on ${primary.key}, the plan's horizon (a ${liftText} relative lift with ${percent(plan.power)} power)`
        : `The planned end day ${plan.plannedEndDay} is reached`) + `, and no variant is a significant, safe improvement by the ${testName}.`,
    });
  }
  if (plan.plannedEndDay !== null) {
    const days = today === null ? null : dayNumber(plan.plannedEndDay) - dayNumber(today);
    return done({ action: 'KEEP_RUNNING', variantKey: null, estimatedDaysToPower: days, reason: `The plan decides ${primary.key} on ${plan.plannedEndDay}${days === null ? '' : `, in ${days} days`}; before then only the always-valid test can ship a variant.${blockedNote}` });
  }
  if (needed === null) {
    return done({ action: 'KEEP_RUNNING', variantKey: null, estimatedDaysToPower: null, reason: `Too little data on ${primary.key} to size the horizon yet (set the experiment's analysisPlan to fix it).${blockedNote}` });
  }
  const weighted = exposures.filter((e) => e.expectedShare > 0);
  const smallestExposed = Math.min(...weighted.map((e) => e.users));
  const perDay = smallestExposed / input.daysRunning;
  const days = perDay > 0 ? Math.ceil(Math.max(0, needed - smallestExposed) / perDay) + daysObserved(primary) : null;
  return done({
    action: 'KEEP_RUNNING',
    variantKey: null,
    estimatedDaysToPower: days,
    reason: `${primary.key} needs ${needed} users per arm to detect a ${liftText} relative lift with ${percent(plan.power)} power; the smallest arm has ${smallestArm} (${Math.round((progress ?? 0) * 100)}% of the way).` +
      (days === null ? ' No traffic yet to estimate when.' : ` At the current ${Math.round(perDay)} users a day per arm, about ${days} more days (including ${daysObserved(primary)} for the last users' window to pass).`) +
      blockedNote,
  });
}

/**
 * The recommendation alone, by the same code as analyseExperiment's, without the views it does not
 * read (Bayesian, CUPED, segments): what simulations of many reads call.
 */
export function recommendExperiment(input: AnalysisInput): { recommendation: Recommendation; plan: PlanProgress | null } {
  const alpha = input.alpha ?? 0.05;
  const overall = input.aggregates.filter((g) => !g.segmented);
  const exposures = exposuresOf(input.variants, overall);
  const metrics = metricResults(input, overall, alpha, false);
  const problems = guardrailProblems(metrics, input.metrics.map((m) => m.definition), overall);
  return recommend(input, exposures, sampleRatioCheck(exposures), metrics, problems);
}

/** Everything experimentResults reports, from sufficient statistics alone: pure, no I/O. */
export function analyseExperiment(input: AnalysisInput): ExperimentAnalysis {
  const alpha = input.alpha ?? 0.05;
  const overall = input.aggregates.filter((g) => !g.segmented);
  const exposures = exposuresOf(input.variants, overall);
  const sampleRatio = sampleRatioCheck(exposures);
  const metrics = metricResults(input, overall, alpha);
  const tiers = [...new Set(input.aggregates.filter((g) => g.segmented).map((g) => g.tier))].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  const segments = tiers.map((tier) => {
    const groups = input.aggregates.filter((g) => g.segmented && g.tier === tier);
    return { tier, exposures: exposuresOf(input.variants, groups), metrics: metricResults(input, groups, alpha) };
  });
  const problems = guardrailProblems(metrics, input.metrics.map((m) => m.definition), overall);
  return {
    exposures,
    sampleRatio,
    multipleVariantUsers: multipleVariantCheck(exposures, overall),
    metrics,
    segments,
    guardrailStatus: worstGuardrailStatus(problems),
    guardrailProblems: problems,
    autoPauseWarranted: problems.some((p) => p.breachedAlwaysValid),
    ...recommend(input, exposures, sampleRatio, metrics, problems),
  };
}

export interface StrategyInput {
  experimentKey: string;
  strategy: string | null;
  variants: AnalysisVariant[];
  aggregates: GroupAggregate[];
  /** Who could enter (the experiment's targeting, tiers included): arms are comparable only within one population. */
  targeting: unknown;
}

export interface StrategyRow {
  /** 1 for the largest lift in the good direction, among arms whose lift interval lies on the good side of 0; null for the others. */
  rank: number | null;
  /** Why an arm is not ranked. */
  unrankedReason: string | null;
  experimentKey: string;
  strategy: string | null;
  variantKey: string;
  users: number;
  controlValue: number | null;
  value: number | null;
  absoluteLift: number | null;
  absoluteLiftInterval: Interval | null;
  relativeLift: number | null;
  relativeLiftInterval: Interval | null;
  pValue: number | null;
  /** The cost metric used, over the same users and window as the lift; null without one. */
  costMetricKey: string | null;
  incrementalCostPerUser: number | null;
  costPerIncrementalUser: number | null;
  /** Fieller interval of costPerIncrementalUser; null when unbounded or not computed. */
  costPerIncrementalUserInterval: Interval | null;
  /** The lift's interval includes 0, so the cost per incremental user has no upper bound. */
  costPerIncrementalUserUnbounded: boolean;
  /** What limits the cost figures, when something does. */
  costNote: string | null;
  /** Set when the compared experiments target different populations. */
  populationNote: string | null;
}

/** The cost metric as compareStrategies reads it, and why it may not be usable with this metric. */
export interface CostMetricChoice {
  definition: MetricDefinition | null;
  /** Why there are no cost figures (no cost metric, or a different window); null when usable. */
  unusableReason: string | null;
}

/** JSON with object keys sorted, so equal targeting compares equal whatever order its keys came in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * Cost per incremental user = (mean cost, arm - control) / (rate, arm - control), over the same
 * users (both metrics count exactly the users whose window has passed, the window being the same)
 * with a 95% interval by Fieller's theorem. The aggregation gives no per-user cross moment of cost
 * and outcome, so the interval takes the worst covariance (fiellerIntervalAnyCovariance): never
 * narrower than Fieller's with the true covariance. Unbounded when the lift's interval includes 0.
 */
function costOfLift(metric: MetricDefinition, cost: CostMetricChoice, control: SufficientStatistics, arm: SufficientStatistics, controlCost: SufficientStatistics, armCost: SufficientStatistics) {
  const none = { costPerIncrementalUser: null, costPerIncrementalUserInterval: null, costPerIncrementalUserUnbounded: false };
  const c = estimateOf(metric.kind, control);
  const t = estimateOf(metric.kind, arm);
  const cc = cost.definition ? estimateOf(cost.definition.kind, controlCost) : null;
  const tc = cost.definition ? estimateOf(cost.definition.kind, armCost) : null;
  const incrementalCostPerUser = cc && tc ? tc.value - cc.value : null;
  if (!cost.definition) return { ...none, incrementalCostPerUser: null, costNote: cost.unusableReason };
  if (!isProportion(metric.kind) || !metric.higherIsBetter) {
    return { ...none, incrementalCostPerUser, costNote: `Cost per incremental user needs a rate where higher is better (a conversion or retention); ${metric.key} is not one.` };
  }
  if (!c || !t || !cc || !tc || control.n < 2 || arm.n < 2) return { ...none, incrementalCostPerUser, costNote: 'Too few users to estimate the cost per incremental user.' };
  const lift = t.value - c.value;
  const interval = fiellerIntervalAnyCovariance(
    { numerator: incrementalCostPerUser!, denominator: lift, numeratorVariance: tc.variance + cc.variance, denominatorVariance: t.variance + c.variance },
    normalQuantile(0.975),
  );
  const point = lift > 0 ? incrementalCostPerUser! / lift : null;
  if (!interval.bounded || lift <= 0) {
    return {
      costPerIncrementalUser: point, costPerIncrementalUserInterval: null, costPerIncrementalUserUnbounded: true, incrementalCostPerUser,
      costNote: 'Unbounded: the lift’s 95% interval includes 0 (or the lift is not positive), so no finite cost per incremental user is supported by the data.',
    };
  }
  return { costPerIncrementalUser: point, costPerIncrementalUserInterval: { lower: interval.lower, upper: interval.upper }, costPerIncrementalUserUnbounded: false, incrementalCostPerUser, costNote: null };
}

/**
 * Every treatment arm of several experiments against its own control on one metric, with the
 * cost it takes per incremental user. Only arms whose lift interval lies on the good side of 0
 * are ranked (by lift in the metric's good direction); the others follow, unranked, with the reason.
 */
export function compareStrategyArms(metric: MetricDefinition, cost: CostMetricChoice, experiments: StrategyInput[], alpha = 0.05): StrategyRow[] {
  const populations = new Set(experiments.map((e) => canonicalJson(e.targeting ?? null)));
  const populationNote = populations.size > 1
    ? `The compared experiments target different populations (${experiments.map((e) => `${e.experimentKey}: ${canonicalJson(e.targeting ?? null)}`).join('; ')}): lifts and costs are not comparable across them.`
    : null;
  const direction = metric.higherIsBetter ? 1 : -1;
  const rows: StrategyRow[] = experiments.flatMap((experiment) => {
    const overall = experiment.aggregates.filter((g) => !g.segmented);
    const control = experiment.variants.find((v) => v.isControl)!;
    const stats = (variantKey: string, key: string) => overall.find((g) => g.variantKey === variantKey)?.metrics[key] ?? EMPTY;
    const costKey = cost.definition?.key ?? '';
    return experiment.variants
      .filter((v) => !v.isControl)
      .map((variant): StrategyRow => {
        const allArms = experiment.variants.map((v) => stats(v.key, metric.key));
        const compared = compare(metric, stats(control.key, metric.key), stats(variant.key, metric.key), allArms, alpha, false);
        const interval = compared?.absoluteLiftInterval ?? null;
        const clearsZero = interval !== null && (direction > 0 ? interval.lower > 0 : interval.upper < 0);
        return {
          rank: null,
          unrankedReason: compared === null ? 'Too few users to compare.' : clearsZero ? null : 'The lift’s 95% interval includes 0 (or lies on the wrong side): no evidence this arm helps.',
          experimentKey: experiment.experimentKey,
          strategy: variant.strategy ?? experiment.strategy,
          variantKey: variant.key,
          users: stats(variant.key, metric.key).n,
          controlValue: estimateOf(metric.kind, stats(control.key, metric.key))?.value ?? null,
          value: estimateOf(metric.kind, stats(variant.key, metric.key))?.value ?? null,
          absoluteLift: compared?.absoluteLift ?? null,
          absoluteLiftInterval: interval,
          relativeLift: compared?.relativeLift ?? null,
          relativeLiftInterval: compared?.relativeLiftInterval ?? null,
          pValue: compared?.pValue ?? null,
          costMetricKey: cost.definition?.key ?? null,
          ...costOfLift(metric, cost, stats(control.key, metric.key), stats(variant.key, metric.key), stats(control.key, costKey), stats(variant.key, costKey)),
          populationNote,
        };
      });
  });
  const ranked = rows.filter((r) => r.unrankedReason === null).sort((a, b) => direction * b.absoluteLift! - direction * a.absoluteLift!);
  ranked.forEach((row, i) => (row.rank = i + 1));
  // The unranked follow grouped by strategy, so that each strategy's arms read together.
  const unranked = rows.filter((r) => r.unrankedReason !== null).sort((a, b) => (a.strategy ?? '').localeCompare(b.strategy ?? ''));
  return [...ranked, ...unranked];
}
