/**
 * The per-item rules of `trackExposures`: what a local-mode SDK (or GrowthBook's trackingCallback)
 * reports must be an exposure the server itself would have logged. Pure: the snapshot and `now`
 * are passed in.
 */
import { bucketedVariant, type NotBucketed } from '../engine/evaluate';
import type { ConfigSnapshot } from '../engine/snapshot';
import { SLUG_PATTERN, userProblem } from '../engine/user';
import { CLOCK_SKEW_MS, OLDEST_MS } from './event.rules';
import type { ExposureRow } from '../analytics/analytics.model';

export const MAX_EXPOSURES_PER_CALL = 5_000;

export interface ExposureInputShape {
  experimentKey: string;
  phase: number;
  variantKey: string;
  userId: string;
  tier?: string | null;
  exposedAt: string;
}

export interface RejectedExposure {
  index: number;
  field: string;
  message: string;
}

const NOT_BUCKETED: Record<NotBucketed, string> = {
  NOT_RUNNING: 'is not a running experiment',
  HOLDOUT: 'the user is in the global holdout, and so in no experiment',
  OUTSIDE_LAYER_SLICE: 'the user is outside the experiment’s slice of its layer',
  OUTSIDE_TRAFFIC: 'the user is outside the experiment’s traffic allocation',
};

/** A refusal that still shows the user saw a variant: what results count as seen in another variant. */
const KEPT = ' (kept as a sighting for the results’ multiple-variant check)';
const MAX_VARIANT_KEY = 64;

interface ExposureProblem {
  field: string;
  message: string;
  /** The SDK's configuration is stale (an older phase, or another variant): the user saw the variant it names. */
  seenInOtherVariant?: boolean;
}

function exposureProblem(exposure: ExposureInputShape, snapshot: ConfigSnapshot, now: number): ExposureProblem | null {
  const user = userProblem({ id: exposure.userId, tier: exposure.tier });
  if (user) return { field: user.field === 'id' ? 'userId' : 'tier', message: user.message };
  const at = Date.parse(exposure.exposedAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(exposure.exposedAt) || Number.isNaN(at)) return { field: 'exposedAt', message: 'must be an ISO 8601 date-time' };
  if (at > now + CLOCK_SKEW_MS) return { field: 'exposedAt', message: 'is in the future' };
  if (at < now - OLDEST_MS) return { field: 'exposedAt', message: 'is more than 400 days old' };
  const experiment = snapshot.experiments.find((candidate) => candidate.key === exposure.experimentKey);
  if (!experiment) return { field: 'experimentKey', message: NOT_BUCKETED.NOT_RUNNING };
  const wellFormedVariant = exposure.variantKey.length <= MAX_VARIANT_KEY && SLUG_PATTERN.test(exposure.variantKey);
  if (exposure.phase !== experiment.phase) {
    const stale = exposure.phase >= 1 && exposure.phase < experiment.phase && wellFormedVariant;
    return { field: 'phase', message: `is not the experiment’s current phase (${experiment.phase}): the SDK’s configuration is stale${stale ? KEPT : ''}`, seenInOtherVariant: stale };
  }
  if (Object.prototype.hasOwnProperty.call(experiment.forcedAssignments, exposure.userId)) {
    return { field: 'userId', message: 'has a forced assignment in this experiment: forced assignments are never exposures' };
  }
  const bucketed = bucketedVariant(snapshot, exposure.experimentKey, exposure.userId);
  if ('notBucketed' in bucketed) return { field: 'userId', message: NOT_BUCKETED[bucketed.notBucketed] };
  if (bucketed.variantKey !== exposure.variantKey) {
    return { field: 'variantKey', message: `is not the variant this user is bucketed into (${bucketed.variantKey})${wellFormedVariant ? KEPT : ''}`, seenInOtherVariant: wellFormedVariant };
  }
  return null;
}

const rowOf = (exposure: ExposureInputShape): ExposureRow => ({
  experimentKey: exposure.experimentKey,
  phase: exposure.phase,
  userId: exposure.userId,
  variantKey: exposure.variantKey,
  tier: exposure.tier ?? null,
  exposedAt: new Date(exposure.exposedAt),
});

/**
 * Splits a batch into rows to store and per-item refusals, so one bad exposure does not sink the
 * others. Repeats of an exposure within the batch are kept once (the table keeps the first anyway).
 * A refusal for a stale configuration (an older phase, or another variant than the user is
 * bucketed into) is no exposure, but the user did see that variant: it is also returned in
 * `seenInOtherVariants`, for results to count (other_variant_exposures).
 */
export function validateExposures(
  exposures: ExposureInputShape[], snapshot: ConfigSnapshot, now: number,
): { rows: ExposureRow[]; rejected: RejectedExposure[]; repeats: number; seenInOtherVariants: ExposureRow[] } {
  const rows: ExposureRow[] = [];
  const rejected: RejectedExposure[] = [];
  const seenInOtherVariants: ExposureRow[] = [];
  const seen = new Set<string>();
  let repeats = 0;
  exposures.forEach((exposure, index) => {
    const problem = exposureProblem(exposure, snapshot, now);
    if (problem) {
      rejected.push({ index, field: problem.field, message: problem.message });
      if (problem.seenInOtherVariant) seenInOtherVariants.push(rowOf(exposure));
      return;
    }
    const key = JSON.stringify([exposure.experimentKey, exposure.phase, exposure.userId]);
    if (seen.has(key)) {
      repeats++;
      return;
    }
    seen.add(key);
    rows.push(rowOf(exposure));
  });
  return { rows, rejected, repeats, seenInOtherVariants };
}
