import type { DataSource } from 'typeorm';
import type { Experiment } from '../experiments/experiment.entity';
import { ExperimentErrorReason, experimentError } from '../experiments/experiment.errors';
import { autoPauseExperiment } from '../experiments/experiment.service';
import { ExperimentStore } from '../experiments/experiment.store';
import { MetricErrorReason, metricError } from '../metrics/metric.errors';
import { metricConfigOf } from '../metrics/metric.service';
import { MetricStore } from '../metrics/metric.store';
import { AnalyticsStore } from '../analytics/analytics.store';
import type { MetricDefinition } from '../analytics/analytics.model';
import { analyseExperiment, compareStrategyArms, type AnalysisVariant, type CostMetricChoice, type MetricRole, type StrategyRow } from './results.analysis';
import { daysObserved } from '../metrics/metric.rules';
import { ResultStore } from './result.store';
import { PValueAdjustmentMethod, SegmentBy, type ExperimentResults } from './result.types';
import type { Metric } from '../metrics/metric.entity';

const DAY_MS = 86_400_000;
export const DEFAULT_MINIMUM_DETECTABLE_LIFT = 0.1;
const COST_METRIC_KEY = 'reward_cost';

export interface ResultOptions {
  segmentBy?: SegmentBy;
  adjustment?: PValueAdjustmentMethod;
  minimumDetectableLift?: number;
  sequential?: boolean;
  /** The instant results are computed at (which days have passed); the server's clock. */
  now?: Date;
}

function definitionOf(metric: Metric): MetricDefinition {
  return { key: metric.key, ...metricConfigOf(metric) };
}

function variantsOf(experiment: Experiment): AnalysisVariant[] {
  return experiment.variants.map(({ key, weight, isControl, strategy }) => ({ key, weight, isControl, strategy: strategy ?? experiment.strategy }));
}

async function findExperiment(dataSource: DataSource, key: string, field: string): Promise<Experiment> {
  const experiment = await new ExperimentStore(dataSource.manager).findByKey(key);
  if (!experiment) throw experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${key}"`, field);
  if (!experiment.variants.some((v) => v.isControl)) {
    throw experimentError(ExperimentErrorReason.INVALID_EXPERIMENT, `Experiment "${key}" has no control variant to compare against`, field);
  }
  return experiment;
}

/** Each metric once, with its strongest role (primary, then guardrail, then secondary), listed primary, secondary, guardrail. */
function metricRoles(experiment: Experiment): { key: string; role: MetricRole }[] {
  const roles = new Map<string, MetricRole>();
  for (const key of experiment.guardrailMetricKeys) roles.set(key, 'GUARDRAIL');
  for (const key of experiment.secondaryMetricKeys) if (!roles.has(key)) roles.set(key, 'SECONDARY');
  if (experiment.primaryMetricKey) roles.set(experiment.primaryMetricKey, 'PRIMARY');
  const order: MetricRole[] = ['PRIMARY', 'SECONDARY', 'GUARDRAIL'];
  return [...roles].map(([key, role]) => ({ key, role })).sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** A computation's results, less what acting on them decides (the status, whether it auto-paused). */
type Computed = Omit<ExperimentResults, 'status' | 'autoPaused'>;

/** An experiment's results for its current phase: the fold, one aggregation, pure statistics. Writes nothing but the fold. */
async function compute(dataSource: DataSource, experiment: Experiment, options: ResultOptions): Promise<Computed> {
  const segmentBy = options.segmentBy ?? SegmentBy.NONE;
  // The secondaries' correction: the query's, else the plan's; it never changes the recommendation.
  const adjustment = options.adjustment ?? (experiment.analysisPlan?.secondaryAdjustment === 'BH' ? PValueAdjustmentMethod.BH : PValueAdjustmentMethod.HOLM);
  const minimumDetectableLift = options.minimumDetectableLift ?? DEFAULT_MINIMUM_DETECTABLE_LIFT;
  const roles = metricRoles(experiment);
  const metricStore = new MetricStore(dataSource.manager);
  const definitions = (await metricStore.byKeys(roles.map((r) => r.key))).map(definitionOf);
  const metrics = roles.flatMap(({ key: metricKey, role }) => {
    const definition = definitions.find((d) => d.key === metricKey);
    return definition ? [{ definition, role }] : [];
  });
  const computedAt = options.now ?? new Date();
  const aggregates = await new AnalyticsStore(dataSource.manager).sufficientStatistics({
    experimentKey: experiment.key,
    phase: experiment.phase,
    phaseStartedAt: experiment.startedAt,
    metrics: metrics.map((m) => m.definition),
    today: utcDay(computedAt),
    byTier: segmentBy === SegmentBy.TIER,
  });
  const decisionAtHorizon = await new ResultStore(dataSource.manager).firstAtHorizon(experiment.key, experiment.phase);
  const daysRunning = experiment.startedAt ? Math.max(1, (computedAt.getTime() - experiment.startedAt.getTime()) / DAY_MS) : 1;
  const analysis = analyseExperiment({
    variants: variantsOf(experiment),
    metrics,
    aggregates,
    adjustment: adjustment === PValueAdjustmentMethod.BH ? 'BH' : 'holm',
    daysRunning,
    minimumDetectableLift,
    sequential: options.sequential ?? false,
    plan: experiment.analysisPlan ?? null,
    asOfDay: utcDay(computedAt),
    decisionAtHorizon,
  });
  return {
    experimentKey: experiment.key,
    phase: experiment.phase,
    computedAt,
    asOfDay: utcDay(computedAt),
    segmentBy,
    adjustment,
    minimumDetectableLift,
    sequential: options.sequential ?? false,
    ...analysis,
  };
}

/**
 * The results as they stand, for whoever asks: a read. It folds the log in first (derived tables
 * only) and stores no snapshot, pauses nothing, audits nothing: that is the results job's and
 * refreshExperimentResults'.
 */
export async function readExperimentResults(dataSource: DataSource, key: string, options: ResultOptions): Promise<ExperimentResults> {
  const experiment = await findExperiment(dataSource, key, 'key');
  return { ...(await compute(dataSource, experiment, options)), status: experiment.status, autoPaused: false };
}

/**
 * Computes the results and acts on them, in one transaction: when a guardrail is at risk and the
 * experiment opted in, the auto-pause (status change and audit entry, actor `system`); then the
 * snapshot. What the results job runs for every running experiment, and refreshExperimentResults on request.
 */
export async function refreshExperimentResults(dataSource: DataSource, key: string, options: ResultOptions): Promise<ExperimentResults> {
  const experiment = await findExperiment(dataSource, key, 'key');
  const computed = await compute(dataSource, experiment, options);
  return dataSource.transaction(async (manager) => {
    const reason = `guardrail breached: ${computed.guardrailProblems.filter((p) => p.breachedAlwaysValid).map((p) => `${p.variantKey}: ${p.message}`).join('; ')}`;
    const autoPaused = computed.autoPauseWarranted && (await autoPauseExperiment(manager, experiment.key, reason));
    const status = (await new ExperimentStore(manager).findByKey(experiment.key))!.status;
    const results: ExperimentResults = { ...computed, status, autoPaused };
    await new ResultStore(manager).insert(results);
    return results;
  });
}

export function experimentResultHistory(dataSource: DataSource, key: string, limit: number): Promise<ExperimentResults[]> {
  return new ResultStore(dataSource.manager).history(key, limit);
}

/**
 * The cost metric for cost per incremental user: it must cover the same window as the metric (so
 * that both count the same users, over the same days); otherwise there are no cost figures, and the
 * reason says which metric would do.
 */
function costChoice(measured: MetricDefinition, cost: MetricDefinition | null, costMetricKey: string): CostMetricChoice {
  if (!cost) return { definition: null, unusableReason: `No cost metric "${costMetricKey}".` };
  if (daysObserved(cost) !== daysObserved(measured)) {
    return {
      definition: null,
      unusableReason: `${cost.key} covers ${daysObserved(cost)} days after exposure but ${measured.key} ${daysObserved(measured)}: cost and lift must cover the same users and window. Pass costMetricKey of a cost metric over ${daysObserved(measured)} days.`,
    };
  }
  return { definition: cost, unusableReason: null };
}

/** Arms of several experiments on one metric, each against its own control, with cost per incremental user over the same users and window. */
export async function compareStrategies(dataSource: DataSource, metricKey: string, experimentKeys: string[], now = new Date(), costMetricKey = COST_METRIC_KEY): Promise<StrategyRow[]> {
  const metricStore = new MetricStore(dataSource.manager);
  const metric = await metricStore.findByKey(metricKey);
  if (!metric) throw metricError(MetricErrorReason.METRIC_NOT_FOUND, `No metric with key "${metricKey}"`, 'metricKey');
  const measured = definitionOf(metric);
  const cost = costMetricKey === metricKey ? metric : await metricStore.findByKey(costMetricKey);
  const choice = costChoice(measured, cost ? definitionOf(cost) : null, costMetricKey);
  const definitions = choice.definition && cost !== metric ? [measured, choice.definition] : [measured];
  const today = utcDay(now);
  const inputs = [];
  for (const [i, key] of experimentKeys.entries()) {
    const experiment = await findExperiment(dataSource, key, `experimentKeys.${i}`);
    const aggregates = await new AnalyticsStore(dataSource.manager).sufficientStatistics({ experimentKey: key, phase: experiment.phase, phaseStartedAt: experiment.startedAt, metrics: definitions, today, byTier: false });
    inputs.push({ experimentKey: key, strategy: experiment.strategy, variants: variantsOf(experiment), aggregates, targeting: experiment.targeting });
  }
  return compareStrategyArms(measured, choice, inputs);
}
