import {
  minimumDetectableDifferenceForMeans,
  minimumDetectableEffect,
  sampleSizeForMeans,
  sampleSizeForProportions,
} from './power';
import { StatsErrorReason, statsError } from './stats.errors';
import { EffectScale } from './stats.inputs';
import { MeanSummary } from './summary';
import { assertProbability } from './validation';

/** Turns the statistics core's RangeErrors into BAD_USER_INPUT, naming the argument when the message starts with it. */
export function asInputError<T>(compute: () => T, field?: string): T {
  try {
    return compute();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const named = /^(?:(?:control|treatment)\.\w+|alpha|power)\b/.exec(error.message)?.[0];
    throw statsError(StatsErrorReason.INVALID_STATISTICS_INPUT, error.message, field ?? named);
  }
}

export function meanSummaryOfInput(
  label: 'control' | 'treatment',
  arm: { n: number; mean: number; standardDeviation: number },
): MeanSummary {
  if (!Number.isFinite(arm.standardDeviation) || arm.standardDeviation < 0) {
    throw statsError(
      StatsErrorReason.INVALID_STATISTICS_INPUT,
      `${label}.standardDeviation cannot be negative, got ${arm.standardDeviation}`,
      `${label}.standardDeviation`,
    );
  }
  return { n: arm.n, mean: arm.mean, variance: arm.standardDeviation ** 2 };
}

interface MetricBaseline {
  baselineRate?: number | null;
  standardDeviation?: number | null;
  baselineMean?: number | null;
  alpha: number;
  power: number;
}

export interface SampleSizeRequest extends MetricBaseline {
  minimumDetectableEffect: number;
  effectScale: EffectScale;
}

export interface SampleSizePlan {
  usersPerVariant: number;
  exactUsersPerVariant: number;
  absoluteEffect: number;
  relativeEffect: number | null;
}

export interface MinimumDetectableEffectPlan {
  absoluteEffect: number;
  relativeEffect: number | null;
}

function invalid(message: string, field: string): never {
  throw statsError(StatsErrorReason.INVALID_STATISTICS_INPUT, message, field);
}

/** Which kind of metric the request describes: exactly one of baselineRate and standardDeviation. */
function metricKind(request: MetricBaseline): 'proportion' | 'mean' {
  const hasRate = request.baselineRate !== null && request.baselineRate !== undefined;
  const hasDeviation = request.standardDeviation !== null && request.standardDeviation !== undefined;
  if (hasRate === hasDeviation) {
    invalid(
      'give baselineRate for a conversion metric or standardDeviation for a continuous one (exactly one)',
      'baselineRate',
    );
  }
  asInputError(() => assertProbability('alpha', request.alpha), 'alpha');
  asInputError(() => assertProbability('power', request.power), 'power');
  if (hasRate) {
    asInputError(() => assertProbability('baselineRate', request.baselineRate!), 'baselineRate');
    return 'proportion';
  }
  if (!Number.isFinite(request.standardDeviation!) || request.standardDeviation! <= 0) {
    invalid(`standardDeviation must be a positive number, got ${request.standardDeviation}`, 'standardDeviation');
  }
  return 'mean';
}

/** Most users per variant an answer can name (GraphQL's Int): a tinier effect has no usable sample size. */
const MAX_USERS_PER_VARIANT = 2_147_483_647;

function withinUserCount(exact: number): number {
  if (!(Math.ceil(exact) <= MAX_USERS_PER_VARIANT)) {
    throw statsError(StatsErrorReason.NOT_ACHIEVABLE, `the effect is too small to detect: it needs more than ${MAX_USERS_PER_VARIANT} users per variant`, 'minimumDetectableEffect');
  }
  return exact;
}

/**
 * Users per variant to detect the effect. RELATIVE multiplies the baseline: a rate of 0.1 with
 * a relative effect of 0.05 is a target of 0.105 (absolute 0.005).
 */
export function planSampleSize(request: SampleSizeRequest): SampleSizePlan {
  const kind = metricKind(request);
  const effect = request.minimumDetectableEffect;
  if (!Number.isFinite(effect) || effect === 0) {
    invalid('minimumDetectableEffect must be a non-zero number', 'minimumDetectableEffect');
  }
  const relative = request.effectScale === EffectScale.RELATIVE;

  if (kind === 'proportion') {
    const p1 = request.baselineRate!;
    const p2 = relative ? p1 * (1 + effect) : p1 + effect;
    if (!(p2 > 0 && p2 < 1)) {
      invalid(`the target rate ${p2} (baseline with the effect) must be strictly between 0 and 1`, 'minimumDetectableEffect');
    }
    const exact = withinUserCount(asInputError(() => sampleSizeForProportions({ p1, p2, alpha: request.alpha, power: request.power }), 'minimumDetectableEffect'));
    return { usersPerVariant: Math.ceil(exact), exactUsersPerVariant: exact, absoluteEffect: p2 - p1, relativeEffect: p2 / p1 - 1 };
  }

  const baselineMean = request.baselineMean ?? null;
  if (relative && !baselineMean) {
    invalid('a RELATIVE effect on a continuous metric needs a non-zero baselineMean', 'baselineMean');
  }
  const difference = relative ? effect * baselineMean! : effect;
  const exact = withinUserCount(asInputError(() => sampleSizeForMeans({
    standardDeviation: request.standardDeviation!,
    difference,
    alpha: request.alpha,
    power: request.power,
  }), 'minimumDetectableEffect'));
  return {
    usersPerVariant: Math.ceil(exact),
    exactUsersPerVariant: exact,
    absoluteEffect: difference,
    relativeEffect: baselineMean ? difference / baselineMean : null,
  };
}

/** The smallest increase detectable with usersPerVariant users in each variant. */
export function planMinimumDetectableEffect(
  request: MetricBaseline & { usersPerVariant: number },
): MinimumDetectableEffectPlan {
  const kind = metricKind(request);
  if (request.usersPerVariant < 2) {
    invalid(`usersPerVariant must be at least 2, got ${request.usersPerVariant}`, 'usersPerVariant');
  }
  if (kind === 'proportion') {
    try {
      const effect = minimumDetectableEffect({
        n: request.usersPerVariant,
        p1: request.baselineRate!,
        alpha: request.alpha,
        power: request.power,
      });
      return { absoluteEffect: effect.absoluteDifference, relativeEffect: effect.relativeLift };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw statsError(StatsErrorReason.NOT_ACHIEVABLE, error.message, 'usersPerVariant');
    }
  }
  const absoluteEffect = minimumDetectableDifferenceForMeans({
    n: request.usersPerVariant,
    standardDeviation: request.standardDeviation!,
    alpha: request.alpha,
    power: request.power,
  });
  const baselineMean = request.baselineMean ?? null;
  return { absoluteEffect, relativeEffect: baselineMean ? absoluteEffect / baselineMean : null };
}
