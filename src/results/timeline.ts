import type { ExposureDay } from '../analytics/analytics.model';
import { normalQuantile } from '../stats/distributions';
import { wilsonInterval } from '../stats/proportions';

/** One point of an arm's retention curve: the share of its users active on day n after exposure. */
export interface RetentionPoint {
  variantKey: string;
  day: number;
  /** Users whose day n has passed: only they count. */
  users: number;
  activeUsers: number;
  /** Null while no user's day n has passed. */
  rate: number | null;
  /** Wilson score interval, 95%. */
  interval: { lower: number; upper: number } | null;
}

export interface DailyExposures {
  variantKey: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  users: number;
}

export interface Timeline {
  retention: RetentionPoint[];
  exposuresPerDay: DailyExposures[];
}

const DAY_MS = 86_400_000;
const Z_95 = normalQuantile(0.975);

/** Whole UTC days from `from` to `to`, both YYYY-MM-DD. */
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The retention curve (D0 to Dmax per arm, counting only users whose day n has passed by `today`,
 * as retention metrics do) and the exposures per day, from the per-day counts the analytics store reads.
 */
export function buildTimeline(rows: ExposureDay[], variantKeys: string[], today: string): Timeline {
  const maxDay = rows[0]?.activeOnDay.length ?? 0;
  const retention = variantKeys.flatMap((variantKey) => {
    const ofArm = rows.filter((row) => row.variantKey === variantKey);
    return Array.from({ length: maxDay }, (_, day) => {
      const passed = ofArm.filter((row) => daysBetween(row.exposureDay, today) > day);
      const users = passed.reduce((sum, row) => sum + row.users, 0);
      const activeUsers = passed.reduce((sum, row) => sum + row.activeOnDay[day], 0);
      return {
        variantKey,
        day,
        users,
        activeUsers,
        rate: users > 0 ? activeUsers / users : null,
        interval: users > 0 ? wilsonInterval(activeUsers, users, Z_95) : null,
      };
    });
  });
  const exposuresPerDay = rows.map((row) => ({ variantKey: row.variantKey, day: row.exposureDay, users: row.users }));
  return { retention, exposuresPerDay };
}
