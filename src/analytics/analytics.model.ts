import type { MetricConfig } from '../metrics/metric.model';

/**
 * The analytics module's vocabulary, as plain data: what events hand it (validated rows), and what
 * results ask it for (sufficient statistics per arm). No decorators, no SQL: the pure results
 * analysis reads these types.
 */

export interface EventRow {
  id: string;
  userId: string;
  type: string;
  value: number | null;
  properties: Record<string, unknown> | null;
  occurredAt: Date;
}

export interface ExposureRow {
  experimentKey: string;
  phase: number;
  userId: string;
  variantKey: string;
  tier: string | null;
  exposedAt: Date;
}

/** A metric to aggregate: its key (the result's name) and its definition. */
export interface MetricDefinition extends MetricConfig {
  key: string;
}

/**
 * Sufficient statistics of one metric in one group of users: everything the statistics need, and
 * nothing per user. Y is the per-user value; X the same quantity over the 14 days before exposure
 * (for CUPED); D a ratio metric's per-user denominator. Only users whose window has passed count.
 */
export interface SufficientStatistics {
  n: number;
  sumY: number;
  sumY2: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
  /** RATIO only; 0 otherwise. */
  sumD: number;
  sumD2: number;
  sumYD: number;
}

/** One arm, or one arm within one tier. */
export interface GroupAggregate {
  variantKey: string;
  /** The tier, when grouped by tier; null in the arm's overall row (and for users exposed without a tier, see `segmented`). */
  tier: string | null;
  /** True for the per-tier rows. */
  segmented: boolean;
  /** Every exposed user of the group, whatever the metrics' windows. */
  exposed: number;
  /** Exposed users of the group also seen in another variant of the phase (they stay in this group). */
  multipleVariantUsers: number;
  /** Each metric's statistics, by metric key. */
  metrics: Record<string, SufficientStatistics>;
}

export interface AggregationRequest {
  experimentKey: string;
  phase: number;
  /** When the phase started: from then on, an SDK still on an older phase shows the user another randomisation's variant. */
  phaseStartedAt: Date | null;
  metrics: MetricDefinition[];
  /** The current UTC day, YYYY-MM-DD: days before it have passed. */
  today: string;
  byTier: boolean;
}

/** How many days after exposure the retention curve reaches (D0 to D30). */
export const TIMELINE_DAYS = 30;

/** The users of one arm first exposed on one UTC day, and how many of them were active on each day after. */
export interface ExposureDay {
  variantKey: string;
  /** YYYY-MM-DD, UTC. */
  exposureDay: string;
  users: number;
  /** Index n: users active on day n after exposure (n = 0 to TIMELINE_DAYS), whether or not day n has passed. */
  activeOnDay: number[];
}
