/**
 * Generated users, exposures and events shaped like the demo scenario (docs/concepts.md), for the results
 * simulation test and `npm run bench:results`. Deterministic for a seed.
 *
 * Users arrive (are first exposed) uniformly over `arrivalDays` days; 10% are `high_value` and go
 * to `advisor-pilot`, the others to `activity-incentives` (equal thirds). Each user is active on
 * the exposure day; on day 1 and day 7 with the arm's true D1 and D7 retention; on other days with
 * a lower, arm-specific chance; some were active in the two weeks before. Paying users (the arm's
 * 14-day conversion) pay once on one of their active days 0 to 13, so payments never add activity
 * the retention rates do not already count. Check-in users log a check-in and a reward cost on each
 * active day. One user in a hundred complains, in every arm alike.
 *
 * Given a second generator (`engagement`), each user also has what the activity-quality metrics and
 * the costs read, drawn from that generator alone so that the events above (and the true rates the
 * tests recover) stay as they are, and only on days the user is active anyway: posts, comments and
 * likes, further payments on days 14 to 34, an NPS survey answer, a support request's response time,
 * and each strategy's cost as reward_cost values (check-in rewards paid; task-system points per task
 * and badge budget; advisor hours). See DEMO_ENGAGEMENT.
 */

import { mulberry32 } from '../common/random';

export interface ArmTruth {
  d1: number;
  d7: number;
  conversion14d: number;
}

/** The demo scenario's true rates (docs/concepts.md). */
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

/** How each arm engages beyond coming back: what the activity-quality metrics, the NPS and support guardrails, and the costs read. */
export interface ArmEngagement {
  /** Chance of posting on an active day (then 1 or 2 posts). */
  post: number;
  /** Chance of commenting or liking on an active day (then 1 to 3 of them). */
  reactions: number;
  /** Chance that a payer pays again on one of their active days 14 to 34. */
  repeatPayment: number;
  /** Shares of NPS answers that are promoters and detractors (the rest passive), among the 15% who answer. */
  promoters: number;
  detractors: number;
  /** Seconds to a first support answer, uniformly between these, for the 5% who ask. */
  supportSeconds: [number, number];
}

export const DEMO_ENGAGEMENT: Record<string, Record<string, ArmEngagement>> = {
  'activity-incentives': {
    // Check-in users come back for the reward, not to take part: more active days, no more posts or reactions.
    control: { post: 0.12, reactions: 0.15, repeatPayment: 0.4, promoters: 0.3, detractors: 0.25, supportSeconds: [30, 120] },
    'check-in': { post: 0.08, reactions: 0.1, repeatPayment: 0.4, promoters: 0.28, detractors: 0.27, supportSeconds: [30, 120] },
    'task-system': { post: 0.3, reactions: 0.35, repeatPayment: 0.45, promoters: 0.34, detractors: 0.22, supportSeconds: [30, 120] },
  },
  'advisor-pilot': {
    control: { post: 0.15, reactions: 0.25, repeatPayment: 0.5, promoters: 0.35, detractors: 0.2, supportSeconds: [30, 120] },
    advisor: { post: 0.18, reactions: 0.35, repeatPayment: 0.65, promoters: 0.45, detractors: 0.15, supportSeconds: [15, 60] },
  },
};

/** What the strategies cost, in the payments' unit (CNY): rewards paid, points and badges, advisor time. */
export const DEMO_COSTS = {
  checkInReward: 1,
  taskPoints: 0.2,
  /** A badge at the 3rd and at the 7th completed task. */
  badges: [{ tasks: 3, cost: 2 }, { tasks: 7, cost: 5 }],
  /** An advisor's hour, the first call (day 0) and the follow-up calls on active days 1 to 13. */
  advisorHour: 80,
  firstCallHours: 0.5,
  followUpHours: 0.25,
  followUpChance: 0.3,
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
  /** Also the engagement and cost events (DEMO_ENGAGEMENT); off by default, which keeps the data sets of the results test and bench as they were. */
  engagement?: boolean;
}

const DAY_MS = 86_400_000;

export function* demoUsers(options: DemoOptions): Generator<DemoUser> {
  const random = mulberry32(options.seed);
  const engagement = mulberry32(options.seed + 1_000_003);
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
    const events = demoActivity(random, variantKey, truth, exposedAt, todayMs, options.engagement ? { random: engagement, arm: DEMO_ENGAGEMENT[experimentKey][variantKey] } : undefined);
    yield { userId: `${options.userPrefix ?? 'u'}${i}`, tier: highValue ? 'high_value' : random() < 0.4 ? 'new' : 'regular', experimentKey, variantKey, exposedAt, events };
  }
}

/**
 * One exposed user's events in the arm `variantKey` with true rates `truth`: some activity in the
 * two weeks before exposure, the exposure day, then each day before `todayMs` with the arm's
 * chances. Shared by the generated data sets and the demo, which takes its arms from Uplift itself.
 */
export function demoActivity(
  random: () => number,
  variantKey: string,
  truth: ArmTruth,
  exposedAt: Date,
  todayMs: number,
  engagement?: { random: () => number; arm: ArmEngagement },
): DemoEvent[] {
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
      events.push({ type: 'check_in', value: null, occurredAt: when }, { type: 'reward_cost', value: DEMO_COSTS.checkInReward, occurredAt: when });
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
  if (engagement) events.push(...engagementEvents(engagement.random, engagement.arm, variantKey, events, activeDays, dayZero, exposedAt));
  return events;
}

/** The engagement and cost events of one user (see the file's comment), on their active days only, from `random` alone. */
function engagementEvents(random: () => number, arm: ArmEngagement, variantKey: string, events: DemoEvent[], activeDays: number[], dayZero: number, exposedAt: Date): DemoEvent[] {
  const out: DemoEvent[] = [];
  const at = (day: number) =>
    new Date(day === 0 ? exposedAt.getTime() + Math.floor(random() * (dayZero + DAY_MS - exposedAt.getTime())) : dayZero + day * DAY_MS + Math.floor(random() * DAY_MS));
  const after = activeDays.filter((d) => d >= 0);
  const pick = (days: number[]) => days[Math.floor(random() * days.length)];
  for (const day of after) {
    if (random() < arm.post) for (let k = random() < 0.3 ? 2 : 1; k > 0; k--) out.push({ type: 'post', value: null, occurredAt: at(day) });
    if (random() < arm.reactions) for (let k = 1 + Math.floor(random() * 3); k > 0; k--) out.push({ type: random() < 0.4 ? 'comment' : 'like', value: null, occurredAt: at(day) });
  }
  const later = after.filter((d) => d >= 14);
  if (events.some((e) => e.type === 'payment') && later.length > 0 && random() < arm.repeatPayment) {
    out.push({ type: 'payment', value: 6 + Math.floor(random() * 93), occurredAt: at(pick(later)) });
  }
  const firstMonth = after.filter((d) => d <= 29);
  if (random() < 0.15) {
    const answer = random();
    // Each answer's NPS contribution: a promoter (9-10) 100, a passive (7-8) 0, a detractor (0-6) -100.
    out.push({ type: 'nps_response', value: answer < arm.promoters ? 100 : answer < arm.promoters + arm.detractors ? -100 : 0, occurredAt: at(pick(firstMonth)) });
  }
  if (random() < 0.05) {
    const [low, high] = arm.supportSeconds;
    out.push({ type: 'support_response', value: Math.round(low + random() * (high - low)), occurredAt: at(pick(firstMonth)) });
  }
  if (variantKey === 'task-system') {
    const tasks = events.filter((e) => e.type === 'task_complete').sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    tasks.forEach((task, i) => {
      out.push({ type: 'reward_cost', value: DEMO_COSTS.taskPoints, occurredAt: task.occurredAt });
      const badge = DEMO_COSTS.badges.find((b) => b.tasks === i + 1);
      if (badge) out.push({ type: 'reward_cost', value: badge.cost, occurredAt: task.occurredAt });
    });
  }
  if (variantKey === 'advisor') {
    out.push({ type: 'reward_cost', value: DEMO_COSTS.advisorHour * DEMO_COSTS.firstCallHours, occurredAt: at(0) });
    for (const day of after.filter((d) => d >= 1 && d <= 13)) {
      if (random() < DEMO_COSTS.followUpChance) out.push({ type: 'reward_cost', value: DEMO_COSTS.advisorHour * DEMO_COSTS.followUpHours, occurredAt: at(day) });
    }
  }
  return out;
}
