/**
 * The per-item rules of `trackExposures`: what a local-mode SDK (or GrowthBook's trackingCallback)
 * reports must be an exposure the server itself would have logged. Pure: the snapshot and `now`
 * are passed in.
 */
import { bucketedVariant, type NotBucketed } from '../engine/evaluate';
import type { ConfigSnapshot } from '../engine/snapshot';
import { userProblem } from '../engine/user';
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

function exposureProblem(exposure: ExposureInputShape, snapshot: ConfigSnapshot, now: number): { field: string; message: string } | null {
  const user = userProblem({ id: exposure.userId, tier: exposure.tier });
  if (user) return { field: user.field === 'id' ? 'userId' : 'tier', message: user.message };
  const at = Date.parse(exposure.exposedAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(exposure.exposedAt) || Number.isNaN(at)) return { field: 'exposedAt', message: 'must be an ISO 8601 date-time' };
  if (at > now + CLOCK_SKEW_MS) return { field: 'exposedAt', message: 'is in the future' };
  if (at < now - OLDEST_MS) return { field: 'exposedAt', message: 'is more than 400 days old' };
  const experiment = snapshot.experiments.find((candidate) => candidate.key === exposure.experimentKey);
  if (!experiment) return { field: 'experimentKey', message: NOT_BUCKETED.NOT_RUNNING };
  if (exposure.phase !== experiment.phase) return { field: 'phase', message: `is not the experiment’s current phase (${experiment.phase}): the SDK’s configuration is stale` };
  if (Object.prototype.hasOwnProperty.call(experiment.forcedAssignments, exposure.userId)) {
    return { field: 'userId', message: 'has a forced assignment in this experiment: forced assignments are never exposures' };
  }
  const bucketed = bucketedVariant(snapshot, exposure.experimentKey, exposure.userId);
  if ('notBucketed' in bucketed) return { field: 'userId', message: NOT_BUCKETED[bucketed.notBucketed] };
  if (bucketed.variantKey !== exposure.variantKey) return { field: 'variantKey', message: `is not the variant this user is bucketed into (${bucketed.variantKey})` };
  return null;
}

/**
 * Splits a batch into rows to store and per-item refusals, so one bad exposure does not sink the
 * others. Repeats of an exposure within the batch are kept once (the table keeps the first anyway).
 */
export function validateExposures(exposures: ExposureInputShape[], snapshot: ConfigSnapshot, now: number): { rows: ExposureRow[]; rejected: RejectedExposure[]; repeats: number } {
  const rows: ExposureRow[] = [];
  const rejected: RejectedExposure[] = [];
  const seen = new Set<string>();
  let repeats = 0;
  exposures.forEach((exposure, index) => {
    const problem = exposureProblem(exposure, snapshot, now);
    if (problem) {
      rejected.push({ index, ...problem });
      return;
    }
    const key = JSON.stringify([exposure.experimentKey, exposure.phase, exposure.userId]);
    if (seen.has(key)) {
      repeats++;
      return;
    }
    seen.add(key);
    rows.push({
      experimentKey: exposure.experimentKey,
      phase: exposure.phase,
      userId: exposure.userId,
      variantKey: exposure.variantKey,
      tier: exposure.tier ?? null,
      exposedAt: new Date(exposure.exposedAt),
    });
  });
  return { rows, rejected, repeats };
}
