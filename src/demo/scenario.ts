/**
 * Generated users, exposures and events shaped like PRODUCT.md's demo scenario, for the results
 * simulation test and `npm run bench:results`. Deterministic for a seed.
 *
 * Users arrive (are first exposed) uniformly over `arrivalDays` days; 10% are `high_value` and go
 * to `advisor-pilot`, the others to `activity-incentives` (equal thirds). Each user is active on
 * the exposure day; on day 1 and day 7 with the arm's true D1 and D7 retention; on other days with
 * a lower, arm-specific chance; some were active in the two weeks before. Paying users (the arm's
 * 14-day conversion) pay once on one of their active days 0 to 13, so payments never add activity
 * the retention rates do not already count. Check-in users log a check-in and a reward cost on each
 * active day. One user in a hundred complains, in every arm alike.
 */

import { mulberry32 } from '../common/random';

export interface ArmTruth {
  d1: number;
  d7: number;
  conversion14d: number;
}

/** PRODUCT.md's true rates. */
export const DEMO_TRUTH: Record<string, Record<string, ArmTruth>> = {
  'activity-incentives': {
    control: { d1: 0.3, d7: 0.1, conversion14d: 0.021 },
    'check-in': { d1: 0.38, d7: 0.12, conversion14d: 0.019 },
    'task-system': { d1: 0.45, d7: 0.34, conversion14d: 0.026 },
  },
  'advisor-pilot': {
    control: { d1: 0.4, d7: 0.2, conversion14d: 0.05 },
    advisor: { d1: 0.46, d7: 0.27, conversion14d: 0.08 },
  },
};

export interface DemoEvent {
  type: string;
  value: number | null;
  occurredAt: Date;
}

export interface DemoUser {
  userId: string;
  tier: string;
  experimentKey: string;
  variantKey: string;
  exposedAt: Date;
  events: DemoEvent[];
}

export interface DemoOptions {
  users: number;
  seed: number;
  /** Midnight UTC of the day the data is read: no event happens on or after it. */
  today: Date;
  /** The first arrival is this many days before `today`, the last `lastArrivalDaysAgo` days before. */
  firstArrivalDaysAgo: number;
  lastArrivalDaysAgo: number;
  /** User ids are this followed by a number (default `u`). */
  userPrefix?: string;
}

const DAY_MS = 86_400_000;

export function* demoUsers(options: DemoOptions): Generator<DemoUser> {
  const random = mulberry32(options.seed);
  const todayMs = options.today.getTime();
  const span = options.firstArrivalDaysAgo - options.lastArrivalDaysAgo + 1;
  for (let i = 0; i < options.users; i++) {
    const highValue = random() < 0.1;
    const experimentKey = highValue ? 'advisor-pilot' : 'activity-incentives';
    const arms = Object.keys(DEMO_TRUTH[experimentKey]);
    const variantKey = arms[Math.floor(random() * arms.length)];
    const truth = DEMO_TRUTH[experimentKey][variantKey];
    const daysAgo = options.lastArrivalDaysAgo + Math.floor(random() * span);
    const dayZero = todayMs - daysAgo * DAY_MS;
    // Exposure somewhere in the first 20 hours of its day, so that day-0 events can follow it.
    const exposedAt = new Date(dayZero + Math.floor(random() * 20 * 3_600_000));
    const events = demoActivity(random, variantKey, truth, exposedAt, todayMs);
    yield { userId: `${options.userPrefix ?? 'u'}${i}`, tier: highValue ? 'high_value' : random() < 0.4 ? 'new' : 'regular', experimentKey, variantKey, exposedAt, events };
  }
}

/**
 * One exposed user's events in the arm `variantKey` with true rates `truth`: some activity in the
 * two weeks before exposure, the exposure day, then each day before `todayMs` with the arm's
 * chances. Shared by the generated data sets and the demo, which takes its arms from Uplift itself.
 */
export function demoActivity(random: () => number, variantKey: string, truth: ArmTruth, exposedAt: Date, todayMs: number): DemoEvent[] {
  const dayZero = Math.floor(exposedAt.getTime() / DAY_MS) * DAY_MS;
  const activeDays: number[] = [];
  if (random() < 0.3) {
    for (let d = -14; d <= -1; d++) if (random() < 0.15) activeDays.push(d);
  }
  activeDays.push(0);
  for (let d = 1; dayZero + d * DAY_MS < todayMs && d < 35; d++) {
    const chance = d === 1 ? truth.d1 : d === 7 ? truth.d7 : d < 7 ? truth.d7 * 1.5 : truth.d7 * 0.8;
    if (random() < chance) activeDays.push(d);
  }
  const events: DemoEvent[] = [];
  const at = (day: number) =>
    new Date(day === 0 ? exposedAt.getTime() + Math.floor(random() * (dayZero + DAY_MS - exposedAt.getTime())) : dayZero + day * DAY_MS + Math.floor(random() * DAY_MS));
  for (const day of activeDays) {
    const opens = 1 + Math.floor(random() * 3);
    for (let k = 0; k < opens; k++) events.push({ type: 'app_open', value: null, occurredAt: at(day) });
    if (day >= 0 && variantKey === 'check-in') {
      const when = at(day);
      events.push({ type: 'check_in', value: null, occurredAt: when }, { type: 'reward_cost', value: 1, occurredAt: when });
    }
    if (day >= 0 && variantKey === 'task-system' && random() < 0.5) events.push({ type: 'task_complete', value: null, occurredAt: at(day) });
  }
  // Complaints are per user, the same in every arm: a guardrail that should stay quiet.
  if (random() < 0.01) {
    const days = activeDays.filter((d) => d >= 0 && d <= 13);
    events.push({ type: 'complaint', value: null, occurredAt: at(days[Math.floor(random() * days.length)]) });
  }
  if (random() < truth.conversion14d) {
    const payDays = activeDays.filter((d) => d >= 0 && d <= 13);
    const day = payDays[Math.floor(random() * payDays.length)];
    events.push({ type: 'payment', value: 6 + Math.floor(random() * 93), occurredAt: at(day) });
  }
  return events;
}
