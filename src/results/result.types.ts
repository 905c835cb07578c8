import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MetricKind } from '../metrics/metric.entity';
import { ExperimentStatus } from '../experiments/experiment.entity';
import type * as Analysis from './results.analysis';
import type { Interval } from '../stats/validation';
import { assertSameType } from '../common/same-type';
import { AnalysisPlanKind } from '../experiments/analysis-plan.types';

export enum SegmentBy {
  NONE = 'NONE',
  TIER = 'TIER',
}
registerEnumType(SegmentBy, { name: 'SegmentBy', description: 'TIER adds the same results per tier (the tier each user had at first exposure).' });

export enum PValueAdjustmentMethod {
  HOLM = 'HOLM',
  BH = 'BH',
}
registerEnumType(PValueAdjustmentMethod, {
  name: 'PValueAdjustmentMethod',
  description: 'HOLM controls the chance of any false positive (family-wise error); BH (Benjamini-Hochberg) the expected share of false positives.',
});

export enum MetricRole {
  PRIMARY = 'PRIMARY',
  SECONDARY = 'SECONDARY',
  GUARDRAIL = 'GUARDRAIL',
}
registerEnumType(MetricRole, { name: 'MetricRole' });

export enum GuardrailStatus {
  OK = 'OK',
  WATCH = 'WATCH',
  AT_RISK = 'AT_RISK',
  BREACHED = 'BREACHED',
}
registerEnumType(GuardrailStatus, {
  name: 'GuardrailStatus',
  description:
    'With one-sided 95% intervals (Wilson for rates), worst first: BREACHED: a treatment arm’s whole interval is past the alert threshold and the arm is worse than control. ' +
    'AT_RISK: its estimate is past the threshold, or it is significantly worse than control (one-sided). WATCH: its interval reaches past the threshold. OK: none of these.',
});

export enum GuardrailProblemKind {
  THRESHOLD = 'THRESHOLD',
  HARM = 'HARM',
}
registerEnumType(GuardrailProblemKind, { name: 'GuardrailProblemKind' });

export enum RecommendationAction {
  SHIP = 'SHIP',
  KEEP_RUNNING = 'KEEP_RUNNING',
  STOP_NO_EFFECT = 'STOP_NO_EFFECT',
  INVESTIGATE = 'INVESTIGATE',
}
registerEnumType(RecommendationAction, { name: 'RecommendationAction' });

export enum InferenceMethod {
  POOLED_Z = 'POOLED_Z',
  WALD_UNPOOLED = 'WALD_UNPOOLED',
  WELCH_T = 'WELCH_T',
  NORMAL_DELTA = 'NORMAL_DELTA',
  DELTA_WELCH_T = 'DELTA_WELCH_T',
}
registerEnumType(InferenceMethod, {
  name: 'InferenceMethod',
  description:
    'POOLED_Z: two-proportion z-test, prop.test(correct = FALSE). WALD_UNPOOLED: difference of rates -/+ z * unpooled SE. WELCH_T: Welch t, t.test(var.equal = FALSE). ' +
    'NORMAL_DELTA: normal theory on delta-method variances (ratio metrics). DELTA_WELCH_T: delta-method SE of the relative lift with Student t at Welch df (GrowthBook gbstats).',
});

@ObjectType({ description: 'Which method gave each figure of a comparison.' })
export class ComparisonMethods implements Analysis.ComparisonMethods {
  @Field(() => InferenceMethod, { description: 'Of pValue, the absolute difference’s: the p-value adjusted in its family and read by the recommendation.' })
  pValue!: Analysis.InferenceMethod;

  @Field(() => InferenceMethod)
  absoluteLiftInterval!: Analysis.InferenceMethod;

  @Field(() => InferenceMethod)
  relativeLiftInterval!: Analysis.InferenceMethod;

  @Field(() => InferenceMethod, { description: 'Of relativeLiftPValue, shown for display only.' })
  relativeLiftPValue!: Analysis.InferenceMethod;
}

export enum FamilyMethod {
  HOLM = 'HOLM',
  BH = 'BH',
  NONE = 'NONE',
}
registerEnumType(FamilyMethod, { name: 'FamilyMethod', description: 'NONE: a family of one (each guardrail check), not corrected.' });

export enum TestSides {
  TWO_SIDED = 'TWO_SIDED',
  ONE_SIDED_HARM = 'ONE_SIDED_HARM',
}
registerEnumType(TestSides, { name: 'TestSides', description: 'ONE_SIDED_HARM: guardrails ask only whether the arm is worse than control.' });

@ObjectType({
  description:
    'The family a comparison is corrected in. PRIMARY: the primary metric across treatment arms (Holm). SECONDARY: every secondary metric and arm (Holm or BH). ' +
    'GUARDRAIL: each guardrail comparison alone, one-sided for harm, so that adding metrics never makes a harm check less sensitive.',
})
export class ComparisonFamily implements Analysis.ComparisonFamily {
  @Field(() => MetricRole)
  role!: Analysis.MetricRole;

  @Field(() => FamilyMethod)
  method!: Analysis.ComparisonFamily['method'];

  @Field(() => Int, { description: 'Comparisons in the family.' })
  size!: number;

  @Field(() => TestSides)
  sides!: Analysis.ComparisonFamily['sides'];
}

@ObjectType({ description: 'A two-sided 95% interval.' })
export class EstimateInterval implements Interval {
  @Field(() => Float)
  lower!: number;

  @Field(() => Float)
  upper!: number;
}

@ObjectType()
export class VariantExposure implements Analysis.VariantExposure {
  @Field()
  variantKey!: string;

  @Field()
  isControl!: boolean;

  @Field(() => Int, { description: 'Users exposed in the current phase.' })
  users!: number;

  @Field(() => Float, { description: 'The share the configured weights promise.' })
  expectedShare!: number;
}

@ObjectType({ description: 'Chi-square test of the arms’ sizes against the configured weights.' })
export class SampleRatioCheck implements Analysis.SampleRatioCheck {
  @Field(() => Float)
  chiSquare!: number;

  @Field(() => Int)
  degreesOfFreedom!: number;

  @Field(() => Float)
  pValue!: number;

  @Field({ description: 'p < 0.001: assignment or exposure logging is broken.' })
  mismatch!: boolean;
}

export enum HealthCheckStatus {
  OK = 'OK',
  WARNING = 'WARNING',
}
registerEnumType(HealthCheckStatus, { name: 'HealthCheckStatus', description: 'WARNING: past the check’s threshold; look for the cause before trusting the results.' });

@ObjectType()
export class MultipleVariantArm {
  @Field({ description: 'The arm the users are analysed in: the variant their exposure holds.' })
  variantKey!: string;

  @Field(() => Int)
  users!: number;

  @Field(() => Float, { description: 'Of the arm’s exposed users.' })
  share!: number;
}

@ObjectType({
  description:
    'Exposed users of the phase also seen in another variant: an SDK on a stale configuration (an older phase, or another variant than the user is bucketed into), or a second variant logged for the same user. ' +
    'They stay in the arm their exposure holds (intention to treat); the estimates are unchanged.',
})
export class MultipleVariantCheck implements Analysis.MultipleVariantCheck {
  @Field(() => Int)
  users!: number;

  @Field(() => Float, { description: 'Of the phase’s exposed users.' })
  share!: number;

  @Field(() => Float, { description: 'WARNING from this share on (0.01, as GrowthBook’s default).' })
  warningShare!: number;

  @Field(() => HealthCheckStatus)
  status!: Analysis.HealthCheckStatus;

  @Field(() => [MultipleVariantArm], { description: 'Every arm, in the experiment’s order.' })
  arms!: MultipleVariantArm[];
}

@ObjectType()
export class ArmValue implements Analysis.ArmValue {
  @Field()
  variantKey!: string;

  @Field()
  isControl!: boolean;

  @Field(() => Int, { description: 'Users whose window (or retention day) has passed: the metric’s sample.' })
  users!: number;

  @Field(() => Float, { nullable: true, description: 'Rate, mean per user, or ratio of sums; null without users.' })
  value!: number | null;

  @Field(() => EstimateInterval, { nullable: true, description: 'Wilson score interval for a rate (never [0, 0] at 0 successes), Student t for a mean, delta method for a ratio.' })
  interval!: EstimateInterval | null;
}

@ObjectType({ description: 'CUPED: the comparison of Y - theta (X - mean X), X being the same metric over the 14 days before exposure.' })
export class CupedComparison implements Analysis.CupedResult {
  @Field({ description: 'False when there was nothing to adjust with (no pre-period variation); the figures are then the plain ones.' })
  applied!: boolean;

  @Field(() => Float, { description: 'Pooled within-arm cov(X, Y) / var(X).' })
  theta!: number;

  @Field(() => Float, { description: '1 - adjusted / plain variance of the difference.' })
  varianceReduction!: number;

  @Field(() => Float)
  absoluteLift!: number;

  @Field(() => EstimateInterval)
  absoluteLiftInterval!: EstimateInterval;

  @Field(() => Float, { nullable: true })
  relativeLift!: number | null;

  @Field(() => EstimateInterval, { nullable: true })
  relativeLiftInterval!: EstimateInterval | null;

  @Field(() => Float, { description: 'Welch, unadjusted.' })
  pValue!: number;
}

@ObjectType({ description: 'Always-valid inference (mSPRT, normal mixture): valid however often the results are looked at.' })
export class SequentialComparison implements Analysis.SequentialResult {
  @Field(() => Float)
  pValue!: number;

  @Field(() => EstimateInterval, { description: 'Confidence sequence for treatment - control.' })
  absoluteLiftInterval!: EstimateInterval;

  @Field(() => EstimateInterval, { nullable: true })
  relativeLiftInterval!: EstimateInterval | null;

  @Field(() => Float, { description: 'The mixture variance tau^2 used.' })
  mixingVariance!: number;
}

@ObjectType({ description: 'A treatment arm against control.' })
export class MetricComparison implements Analysis.Comparison {
  @Field()
  variantKey!: string;

  @Field(() => Float, { nullable: true, description: 'Treatment minus control.' })
  absoluteLift!: number | null;

  @Field(() => EstimateInterval, { nullable: true })
  absoluteLiftInterval!: EstimateInterval | null;

  @Field(() => Float, { nullable: true, description: 'Treatment / control - 1; null when control is 0.' })
  relativeLift!: number | null;

  @Field(() => EstimateInterval, { nullable: true, description: 'Delta method; see methods.relativeLiftInterval.' })
  relativeLiftInterval!: EstimateInterval | null;

  @Field(() => Float, { nullable: true, description: 'Two-sided, of the absolute difference: the one adjusted and used for decisions. Null when there is too little data to test; 1e-300 means p < 1e-300.' })
  pValue!: number | null;

  @Field(() => Float, { nullable: true, description: 'Display only: two-sided p-value of the relative lift (delta method, Student t at Welch df, as gbstats). Never enters a correction or the recommendation.' })
  relativeLiftPValue!: number | null;

  @Field(() => ComparisonMethods, { nullable: true, description: 'Which method gave each interval and p-value; null without a comparison.' })
  methods!: ComparisonMethods | null;

  @Field(() => Float, { nullable: true, description: 'Adjusted within its family (see family; within the segment, for segments). For a guardrail: the one-sided p-value for harm.' })
  adjustedPValue!: number | null;

  @Field(() => ComparisonFamily, { nullable: true, description: 'The family adjustedPValue was corrected in, and its size; null when there was nothing to test.' })
  family!: ComparisonFamily | null;

  @Field({ description: 'adjustedPValue < 0.05. For a guardrail: significantly worse than control.' })
  significant!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'The lift goes the good way for this metric; null when there is none.' })
  improvement!: boolean | null;

  @Field(() => CupedComparison, { nullable: true, description: 'Null for RATIO metrics and with fewer than 2 users in an arm.' })
  cuped!: CupedComparison | null;

  @Field(() => Float, { nullable: true, description: 'Bayesian: the posterior probability that the treatment is better, in the metric’s good direction (uniform priors for rates, flat normal for means).' })
  chanceToBeatControl!: number | null;

  @Field(() => Float, { nullable: true, description: 'Bayesian: the expected shortfall against control if the treatment ships, in the metric’s units.' })
  expectedLossIfShipped!: number | null;

  @Field(() => SequentialComparison, { nullable: true, description: 'Only with sequential: true.' })
  sequential!: SequentialComparison | null;
}

@ObjectType()
export class MetricResult implements Analysis.MetricResult {
  @Field()
  metricKey!: string;

  @Field()
  name!: string;

  @Field(() => MetricKind)
  kind!: MetricKind;

  @Field(() => MetricRole)
  role!: Analysis.MetricRole;

  @Field()
  higherIsBetter!: boolean;

  @Field(() => [ArmValue])
  arms!: ArmValue[];

  @Field(() => [MetricComparison])
  comparisons!: MetricComparison[];
}

@ObjectType()
export class SegmentResult implements Analysis.SegmentResult {
  @Field(() => String, { nullable: true, description: 'Null for users exposed without a tier.' })
  tier!: string | null;

  @Field(() => [VariantExposure])
  exposures!: VariantExposure[];

  @Field(() => [MetricResult])
  metrics!: MetricResult[];
}

@ObjectType()
export class GuardrailProblem implements Analysis.GuardrailProblem {
  @Field()
  metricKey!: string;

  @Field()
  variantKey!: string;

  @Field(() => GuardrailProblemKind)
  kind!: Analysis.GuardrailProblem['kind'];

  @Field(() => GuardrailStatus, { description: 'BREACHED, AT_RISK or WATCH.' })
  status!: Analysis.GuardrailProblem['status'];

  @Field(() => Float, { nullable: true, description: 'THRESHOLD: the one-sided 95% bound on the safe side (lower bound for an alert above, upper for an alert below).' })
  safeSideBound!: number | null;

  @Field({ description: 'Breached by the always-valid (confidence sequence) bound too: auto-pause acts only on these, since it reads the results repeatedly.' })
  breachedAlwaysValid!: boolean;

  @Field()
  message!: string;
}

@ObjectType()
export class Recommendation implements Analysis.Recommendation {
  @Field(() => RecommendationAction)
  action!: Analysis.RecommendationAction;

  @Field(() => String, { nullable: true, description: 'SHIP: the variant to ship.' })
  variantKey!: string | null;

  @Field(() => Int, { nullable: true, description: 'KEEP_RUNNING: about how many more days until every arm has the users needed.' })
  estimatedDaysToPower!: number | null;

  @Field()
  reason!: string;
}

@ObjectType({ description: 'The analysis plan the recommendation follows, and how far the experiment has come.' })
export class PlanProgress implements Analysis.PlanProgress {
  @Field(() => String, { description: 'EXPERIMENT: its own plan. DEFAULT: it has none; the default plan (fixed horizon, 10% lift, 80% power) with the baseline re-estimated from control at each read.' })
  source!: 'EXPERIMENT' | 'DEFAULT';

  @Field(() => AnalysisPlanKind)
  type!: Analysis.PlanProgress['type'];

  @Field(() => String, { nullable: true })
  primaryMetricKey!: string | null;

  @Field(() => Float, { nullable: true })
  baseline!: number | null;

  @Field(() => Float)
  minimumDetectableLift!: number;

  @Field(() => Float)
  power!: number;

  @Field(() => Float)
  alpha!: number;

  @Field(() => Int, { nullable: true, description: 'The horizon in users per arm (sized for the plan’s own test); null with a planned end day, or when it cannot be sized.' })
  plannedUsersPerArm!: number | null;

  @Field(() => String, { nullable: true })
  plannedEndDay!: string | null;

  @Field(() => Int, { description: 'Users in the smallest arm of the primary metric’s sample now.' })
  usersPerArm!: number;

  @Field(() => Float, { nullable: true, description: 'Share of the way to the horizon, 0 to 1.' })
  progress!: number | null;

  @Field()
  horizonReached!: boolean;

  @Field(() => String, { nullable: true, description: 'The day whose decision stands (the first read at or past the horizon).' })
  decidedOnDay!: string | null;

  @Field(() => Float, { description: 'Alpha of the always-valid test before the horizon: the only way to SHIP early.' })
  earlyLookAlpha!: number;
}

@ObjectType({ description: 'One computation of an experiment’s results; each is kept as a dated snapshot.' })
export class ExperimentResults implements Analysis.ExperimentAnalysis {
  @Field()
  experimentKey!: string;

  @Field(() => Int)
  phase!: number;

  @Field()
  computedAt!: Date;

  @Field({ description: 'The UTC day of the computation, YYYY-MM-DD: a metric counts users whose window ended before it.' })
  asOfDay!: string;

  @Field(() => ExperimentStatus, { description: 'After the computation (PAUSED when a refresh auto-paused the experiment).' })
  status!: ExperimentStatus;

  @Field(() => SegmentBy)
  segmentBy!: SegmentBy;

  @Field(() => PValueAdjustmentMethod)
  adjustment!: PValueAdjustmentMethod;

  @Field(() => Float, { description: 'The relative lift of the primary metric the sample should detect with 80% power.' })
  minimumDetectableLift!: number;

  @Field({ description: 'Whether always-valid (sequential) p-values were asked for and used for significance.' })
  sequential!: boolean;

  @Field(() => [VariantExposure])
  exposures!: VariantExposure[];

  @Field(() => SampleRatioCheck, { nullable: true, description: 'Null before any exposure.' })
  sampleRatio!: SampleRatioCheck | null;

  @Field(() => MultipleVariantCheck, { nullable: true, description: 'Beside the sample-ratio check. Null before any exposure, and in snapshots stored before the check.' })
  multipleVariantUsers!: MultipleVariantCheck | null;

  @Field(() => [MetricResult], { description: 'Primary, then secondary, then guardrail metrics.' })
  metrics!: MetricResult[];

  @Field(() => [SegmentResult], { description: 'Per tier with segmentBy TIER; empty otherwise.' })
  segments!: SegmentResult[];

  @Field(() => GuardrailStatus)
  guardrailStatus!: Analysis.GuardrailStatus;

  @Field(() => [GuardrailProblem])
  guardrailProblems!: GuardrailProblem[];

  @Field({ description: 'Some guardrail is BREACHED by its always-valid bound: what pauses an opted-in running experiment.' })
  autoPauseWarranted!: boolean;

  @Field({ description: 'This refresh (the results job or refreshExperimentResults) paused the experiment, which opted in with autoPauseOnGuardrail; always false from experimentResults, which only reads.' })
  autoPaused!: boolean;

  @Field(() => PlanProgress, { nullable: true, description: 'Null without a primary metric, and in snapshots stored before plans.' })
  plan!: PlanProgress | null;

  @Field(() => Recommendation, { description: 'Follows the analysis plan; the same whatever the query’s arguments.' })
  recommendation!: Recommendation;
}

@ObjectType({ description: 'One treatment arm of one experiment, against its own control.' })
export class StrategyArm implements Analysis.StrategyRow {
  @Field(() => Int, { nullable: true, description: '1 for the largest lift in the good direction, among arms whose lift’s 95% interval lies on the good side of 0; null for the others (see unrankedReason), which are listed after the ranked ones.' })
  rank!: number | null;

  @Field(() => String, { nullable: true })
  unrankedReason!: string | null;

  @Field()
  experimentKey!: string;

  @Field(() => String, { nullable: true, description: 'The variant’s strategy, defaulting to the experiment’s.' })
  strategy!: string | null;

  @Field()
  variantKey!: string;

  @Field(() => Int)
  users!: number;

  @Field(() => Float, { nullable: true })
  controlValue!: number | null;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => Float, { nullable: true })
  absoluteLift!: number | null;

  @Field(() => EstimateInterval, { nullable: true })
  absoluteLiftInterval!: EstimateInterval | null;

  @Field(() => Float, { nullable: true })
  relativeLift!: number | null;

  @Field(() => EstimateInterval, { nullable: true })
  relativeLiftInterval!: EstimateInterval | null;

  @Field(() => Float, { nullable: true, description: 'Unadjusted.' })
  pValue!: number | null;

  @Field(() => String, { nullable: true, description: 'The cost metric used; null when none could be (see costNote).' })
  costMetricKey!: string | null;

  @Field(() => Float, { nullable: true, description: 'Mean cost per user minus control’s, over the same users and window as the lift.' })
  incrementalCostPerUser!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'For CONVERSION and RETENTION metrics: incremental cost / incremental users retained (or converted), i.e. incrementalCostPerUser / absoluteLift. Null without a positive lift.',
  })
  costPerIncrementalUser!: number | null;

  @Field(() => EstimateInterval, { nullable: true, description: '95% interval by Fieller’s theorem (conservative in the unknown covariance of cost and outcome); null when unbounded or not computed.' })
  costPerIncrementalUserInterval!: EstimateInterval | null;

  @Field({ description: 'The lift’s interval includes 0: the data support no finite cost per incremental user.' })
  costPerIncrementalUserUnbounded!: boolean;

  @Field(() => String, { nullable: true, description: 'What limits the cost figures (no cost metric over the same window, unbounded, too few users).' })
  costNote!: string | null;

  @Field(() => String, { nullable: true, description: 'Set when the compared experiments target different populations (targeting, tiers): their lifts are not comparable.' })
  populationNote!: string | null;
}

// The GraphQL enums serve the analysis' unions: these compile only while their values are the same.
assertSameType<`${MetricRole}`, Analysis.MetricRole>(true);
assertSameType<`${GuardrailStatus}`, Analysis.GuardrailStatus>(true);
assertSameType<`${GuardrailProblemKind}`, Analysis.GuardrailProblem['kind']>(true);
assertSameType<`${RecommendationAction}`, Analysis.RecommendationAction>(true);
assertSameType<`${InferenceMethod}`, Analysis.InferenceMethod>(true);
assertSameType<`${FamilyMethod}`, Analysis.ComparisonFamily['method']>(true);
assertSameType<`${TestSides}`, Analysis.ComparisonFamily['sides']>(true);
assertSameType<`${AnalysisPlanKind}`, Analysis.PlanProgress['type']>(true);
assertSameType<`${HealthCheckStatus}`, Analysis.HealthCheckStatus>(true);
