import { MetricKind } from '../metrics/metric.model';
import { daysObserved, isProportion } from '../metrics/metric.rules';
import type { GroupAggregate, MetricDefinition, SufficientStatistics } from '../analytics/analytics.model';
import { compareMeans } from '../stats/means';
import { compareProportions, wilsonInterval } from '../stats/proportions';
import { ratioOfSums } from '../stats/delta-method';
import { adjustPValues, type PValueAdjustment } from '../stats/multiple-testing';
import { sampleRatioMismatch } from '../stats/srm';
import { sampleSizeForMeans, sampleSizeForProportions } from '../stats/power';
import { cupedAdjust, type CovariateArmSummary } from '../stats/cuped';
import { sequentialCompareMeans, sequentialCompareProportions } from '../stats/sequential';
import { bayesianCompareMeans, bayesianCompareProportions } from '../stats/bayesian';
import { meanSummaryOf, relativeLiftWithInterval, type EffectEstimate, type MeanSummary } from '../stats/summary';
import { normalQuantile, normalTwoSidedPValue, studentTQuantile } from '../stats/distributions';
import type { Interval } from '../stats/validation';

export type MetricRole = 'PRIMARY' | 'SECONDARY' | 'GUARDRAIL';
export type RecommendationAction = 'SHIP' | 'KEEP_RUNNING' | 'STOP_NO_EFFECT' | 'INVESTIGATE';
export type GuardrailStatus = 'OK' | 'AT_RISK';

export interface AnalysisVariant {
  key: string;
  weight: number;
  isControl: boolean;
}

export interface AnalysisInput {
  variants: AnalysisVariant[];
  /** Each metric with the role the experiment gives it, primary first. */
  metrics: { definition: MetricDefinition; role: MetricRole }[];
  aggregates: GroupAggregate[];
  adjustment: PValueAdjustment;
  /** Days the current phase has run, for the traffic rate (at least 1). */
  daysRunning: number;
  /** The relative lift of the primary metric the experiment should be able to detect. */
  minimumDetectableLift: number;
  /** Report always-valid (mSPRT) p-values and confidence sequences, and judge significance on them. */
  sequential: boolean;
  alpha?: number;
  power?: number;
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

export interface GuardrailProblem {
  metricKey: string;
  variantKey: string;
  kind: 'THRESHOLD' | 'HARM';
  message: string;
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
  metrics: MetricResult[];
  segments: SegmentResult[];
  guardrailStatus: GuardrailStatus;
  guardrailProblems: GuardrailProblem[];
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
): Compared | null {
  const c = estimateOf(metric.kind, control);
  const t = estimateOf(metric.kind, treatment);
  if (!c || !t) return null;
  let fixed: EffectEstimate;
  let bayes: { chanceToBeatControl: number; treatmentExpectedLoss: number; controlExpectedLoss: number };
  let always: (EffectEstimate & { mixingVariance: number }) | null = null;
  let cuped: CupedResult | null = null;
  if (isProportion(metric.kind)) {
    const samples = [{ successes: control.sumY, trials: control.n }, { successes: treatment.sumY, trials: treatment.n }] as const;
    fixed = compareProportions(samples[0], samples[1], alpha);
    bayes = bayesianCompareProportions(samples[0], samples[1]);
    if (sequential) always = sequentialCompareProportions(samples[0], samples[1], { alpha });
    cuped = cupedOf(control, treatment, allArms, alpha);
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
    bayes = bayesianCompareMeans(summaries[0], summaries[1]);
    if (sequential) always = sequentialCompareMeans(summaries[0], summaries[1], { alpha });
    if (!isRatio) cuped = cupedOf(control, treatment, allArms, alpha);
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
    chanceToBeatControl: better ? bayes.chanceToBeatControl : 1 - bayes.chanceToBeatControl,
    expectedLossIfShipped: better ? bayes.treatmentExpectedLoss : bayes.controlExpectedLoss,
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

function metricResults(input: AnalysisInput, groups: GroupAggregate[], alpha: number): MetricResult[] {
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
        const compared = compare(definition, statsOf(control.key, definition.key), statsOf(variant.key, definition.key), allArms, alpha, input.sequential);
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
 * the fixed-horizon ones here.
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
      const harm = harmPValueOf(pOf(comparison), comparison.absoluteLift!, result.higherIsBetter);
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

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function guardrailProblems(metrics: MetricResult[], definitions: MetricDefinition[]): GuardrailProblem[] {
  const problems: GuardrailProblem[] = [];
  for (const result of metrics.filter((m) => m.role === 'GUARDRAIL')) {
    const definition = definitions.find((d) => d.key === result.metricKey)!;
    for (const arm of result.arms.filter((a) => !a.isControl && a.value !== null)) {
      const value = arm.value!;
      const shown = isProportion(definition.kind) ? percent(value) : value.toPrecision(4);
      if (definition.alertBelow !== null && value < definition.alertBelow) {
        problems.push({ metricKey: result.metricKey, variantKey: arm.variantKey, kind: 'THRESHOLD', message: `${result.metricKey} is ${shown}, below the alert threshold ${isProportion(definition.kind) ? percent(definition.alertBelow) : definition.alertBelow}` });
      }
      if (definition.alertAbove !== null && value > definition.alertAbove) {
        problems.push({ metricKey: result.metricKey, variantKey: arm.variantKey, kind: 'THRESHOLD', message: `${result.metricKey} is ${shown}, above the alert threshold ${isProportion(definition.kind) ? percent(definition.alertAbove) : definition.alertAbove}` });
      }
      // A threshold against control rather than a fixed value (e.g. NPS falling 5 points below control's).
      const control = result.arms.find((a) => a.isControl)?.value ?? null;
      const drop = definition.alertDropBelowControl ?? null;
      if (drop !== null && control !== null && value < control - drop) {
        problems.push({ metricKey: result.metricKey, variantKey: arm.variantKey, kind: 'THRESHOLD', message: `${result.metricKey} is ${shown}, more than ${drop} below control's ${control.toPrecision(4)}` });
      }
    }
    for (const comparison of result.comparisons.filter((c) => c.significant && c.improvement === false)) {
      problems.push({
        metricKey: result.metricKey,
        variantKey: comparison.variantKey,
        kind: 'HARM',
        message: `${result.metricKey} is significantly worse than control (one-sided p = ${comparison.adjustedPValue!.toPrecision(3)})`,
      });
    }
  }
  return problems;
}

/** Users per arm the primary metric needs to detect the minimum lift, from the control arm's estimate; null when it cannot be said. */
function usersNeeded(primary: MetricDefinition, control: SufficientStatistics, lift: number, alpha: number, power: number): number | null {
  const estimate = estimateOf(primary.kind, control);
  if (!estimate || estimate.value === 0) return null;
  const target = estimate.value * (1 + lift);
  if (isProportion(primary.kind)) {
    if (estimate.value >= 1 || target >= 1) return null;
    return Math.ceil(sampleSizeForProportions({ p1: estimate.value, p2: target, alpha, power }));
  }
  if (estimate.perUserVariance === 0) return null;
  return Math.ceil(sampleSizeForMeans({ difference: target - estimate.value, standardDeviation: Math.sqrt(estimate.perUserVariance), alpha, power }));
}

function recommend(input: AnalysisInput, exposures: VariantExposure[], srm: SampleRatioCheck | null, metrics: MetricResult[], problems: GuardrailProblem[], alpha: number, power: number): Recommendation {
  if (srm?.mismatch) {
    return {
      action: 'INVESTIGATE',
      variantKey: null,
      estimatedDaysToPower: null,
      reason: `Sample ratio mismatch: the arms' sizes differ from the configured weights (chi-square p = ${srm.pValue.toExponential(2)} < 0.001). Assignment or exposure logging is broken; the results cannot be trusted until it is found.`,
    };
  }
  const primaryResult = metrics.find((m) => m.role === 'PRIMARY');
  if (!primaryResult) return { action: 'KEEP_RUNNING', variantKey: null, estimatedDaysToPower: null, reason: 'The experiment has no primary metric.' };
  const primary = input.metrics.find((m) => m.role === 'PRIMARY')!.definition;
  const flagged = new Set(problems.map((p) => p.variantKey));
  const winners = primaryResult.comparisons
    .filter((c) => c.significant && c.improvement && !flagged.has(c.variantKey))
    .sort((a, b) => Math.abs(b.absoluteLift!) - Math.abs(a.absoluteLift!));
  if (winners.length > 0) {
    const best = winners[0];
    return {
      action: 'SHIP',
      variantKey: best.variantKey,
      estimatedDaysToPower: null,
      reason: `${best.variantKey} improves ${primary.key} by ${best.absoluteLift!.toPrecision(3)} (relative ${best.relativeLift === null ? 'n/a' : percent(best.relativeLift)}, adjusted p = ${best.adjustedPValue!.toPrecision(3)}) with no guardrail problem.`,
    };
  }
  const blocked = primaryResult.comparisons.filter((c) => c.significant && c.improvement && flagged.has(c.variantKey)).map((c) => c.variantKey);
  const controlKey = input.variants.find((v) => v.isControl)!.key;
  const overall = input.aggregates.filter((g) => !g.segmented);
  const control = overall.find((g) => g.variantKey === controlKey)?.metrics[primary.key] ?? EMPTY;
  const needed = usersNeeded(primary, control, input.minimumDetectableLift, alpha, power);
  const smallestArm = Math.min(...primaryResult.arms.map((a) => a.users));
  const blockedNote = blocked.length > 0 ? ` ${blocked.join(', ')} improved it but has a guardrail problem.` : '';
  if (needed === null) {
    return { action: 'KEEP_RUNNING', variantKey: null, estimatedDaysToPower: null, reason: `Too little data on ${primary.key} to estimate the sample needed yet.${blockedNote}` };
  }
  const liftText = percent(input.minimumDetectableLift);
  if (smallestArm >= needed) {
    return {
      action: 'STOP_NO_EFFECT',
      variantKey: null,
      estimatedDaysToPower: null,
      reason: `Every arm has at least ${needed} users on ${primary.key}, enough to detect a ${liftText} relative lift with ${percent(power)} power, and no variant is a significant, safe improvement.${blockedNote}`,
    };
  }
  const weighted = exposures.filter((e) => e.expectedShare > 0);
  const smallestExposed = Math.min(...weighted.map((e) => e.users));
  const perDay = smallestExposed / input.daysRunning;
  const days = perDay > 0 ? Math.ceil(Math.max(0, needed - smallestExposed) / perDay) + daysObserved(primary) : null;
  return {
    action: 'KEEP_RUNNING',
    variantKey: null,
    estimatedDaysToPower: days,
    reason: `${primary.key} needs ${needed} users per arm to detect a ${liftText} relative lift with ${percent(power)} power; the smallest arm has ${smallestArm}.` +
      (days === null ? ' No traffic yet to estimate when.' : ` At the current ${Math.round(perDay)} users a day per arm, about ${days} more days (including ${daysObserved(primary)} for the last users' window to pass).`) +
      blockedNote,
  };
}

/** Everything experimentResults reports, from sufficient statistics alone: pure, no I/O. */
export function analyseExperiment(input: AnalysisInput): ExperimentAnalysis {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const overall = input.aggregates.filter((g) => !g.segmented);
  const exposures = exposuresOf(input.variants, overall);
  const sampleRatio = sampleRatioCheck(exposures);
  const metrics = metricResults(input, overall, alpha);
  const tiers = [...new Set(input.aggregates.filter((g) => g.segmented).map((g) => g.tier))].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  const segments = tiers.map((tier) => {
    const groups = input.aggregates.filter((g) => g.segmented && g.tier === tier);
    return { tier, exposures: exposuresOf(input.variants, groups), metrics: metricResults(input, groups, alpha) };
  });
  const problems = guardrailProblems(metrics, input.metrics.map((m) => m.definition));
  return {
    exposures,
    sampleRatio,
    metrics,
    segments,
    guardrailStatus: problems.length > 0 ? 'AT_RISK' : 'OK',
    guardrailProblems: problems,
    recommendation: recommend(input, exposures, sampleRatio, metrics, problems, alpha, power),
  };
}

export interface StrategyInput {
  experimentKey: string;
  strategy: string | null;
  variants: AnalysisVariant[];
  aggregates: GroupAggregate[];
}

export interface StrategyRow {
  rank: number;
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
  incrementalCostPerUser: number | null;
  costPerIncrementalUser: number | null;
}

/**
 * Every treatment arm of several experiments against its own control on one metric, with the
 * reward cost it takes per incremental user, ranked by lift in the metric's good direction
 * (arms without an estimate last).
 */
export function compareStrategyArms(metric: MetricDefinition, costMetric: MetricDefinition | null, experiments: StrategyInput[], alpha = 0.05): StrategyRow[] {
  const rows = experiments.flatMap((experiment) => {
    const overall = experiment.aggregates.filter((g) => !g.segmented);
    const control = experiment.variants.find((v) => v.isControl)!;
    const stats = (variantKey: string, key: string) => overall.find((g) => g.variantKey === variantKey)?.metrics[key] ?? EMPTY;
    const meanCost = (variantKey: string) => (costMetric ? estimateOf(costMetric.kind, stats(variantKey, costMetric.key))?.value ?? null : null);
    return experiment.variants
      .filter((v) => !v.isControl)
      .map((variant) => {
        const allArms = experiment.variants.map((v) => stats(v.key, metric.key));
        const compared = compare(metric, stats(control.key, metric.key), stats(variant.key, metric.key), allArms, alpha, false);
        const controlCost = meanCost(control.key);
        const armCost = meanCost(variant.key);
        const incrementalCostPerUser = controlCost === null || armCost === null ? null : armCost - controlCost;
        const lift = compared?.absoluteLift ?? null;
        return {
          rank: 0,
          experimentKey: experiment.experimentKey,
          strategy: experiment.strategy,
          variantKey: variant.key,
          users: stats(variant.key, metric.key).n,
          controlValue: estimateOf(metric.kind, stats(control.key, metric.key))?.value ?? null,
          value: estimateOf(metric.kind, stats(variant.key, metric.key))?.value ?? null,
          absoluteLift: lift,
          absoluteLiftInterval: compared?.absoluteLiftInterval ?? null,
          relativeLift: compared?.relativeLift ?? null,
          relativeLiftInterval: compared?.relativeLiftInterval ?? null,
          pValue: compared?.pValue ?? null,
          incrementalCostPerUser,
          costPerIncrementalUser: isProportion(metric.kind) && incrementalCostPerUser !== null && lift !== null && lift > 0 ? incrementalCostPerUser / lift : null,
        };
      });
  });
  const direction = metric.higherIsBetter ? 1 : -1;
  rows.sort((a, b) => (b.absoluteLift === null ? -Infinity : direction * b.absoluteLift) - (a.absoluteLift === null ? -Infinity : direction * a.absoluteLift));
  rows.forEach((row, i) => (row.rank = i + 1));
  return rows;
}
