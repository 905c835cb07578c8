/**
 * The demo: the demo scenario (docs/concepts.md) played through Uplift on a simulated clock. Users arrive over
 * four weeks; the app resolves them through the API (Uplift assigns their arms and records their
 * exposures at the simulated time); their activity, shaped by their arm's true rates, comes in day
 * by day through the analytics store's event insert (what trackEvents runs, in batches of 20,000
 * rather than 5,000 per GraphQL call); then four more weeks pass, so that the 30-day metrics
 * (genuine and hollow activity, NPS, support time) have users to count. Then the analyst's view:
 * experiment results and the strategies side by side. Only the server's clock is simulated.
 */
import { startUplift, type RunningUplift } from '../app';
import { generateSecret } from '../auth/api-key.service';
import { postGraphQL } from '../testing/harness';
import { AnalyticsStore } from '../analytics/analytics.store';
import type { EventRow } from '../analytics/analytics.model';
import { DEMO_ENGAGEMENT, DEMO_TRUTH, demoActivity } from './scenario';
import { mulberry32 } from '../common/random';
import { seedRules } from '../../client-examples/rules/product-rules';

const DAY_MS = 86_400_000;
/** Users arrive over the first four weeks... */
const ARRIVAL_DAYS = 28;
/** ...and the demo goes on until the last of them has had 30 days (the activity-quality window), ending yesterday. */
const SIMULATED_DAYS = ARRIVAL_DAYS + 30;
const BATCH = 1_000;
/** Events per insert: one statement each, as trackEvents runs them; larger than a GraphQL call's 5,000, since round trips were the cost. */
const EVENTS_PER_INSERT = 20_000;

export interface DemoOptions {
  users: number;
  seed: number;
  port: number;
  host: string;
  /** Null: an in-memory embedded database. */
  dataDir: string | null;
  databaseUrl?: string;
  logLevel: string;
  /** Called after each simulated day (e.g. to draw a progress bar). */
  onDay?: (progress: DemoProgress) => void;
}

export interface DemoProgress {
  day: number;
  days: number;
  users: number;
  events: number;
}

/** Seconds of the demo's parts, for the run-time report: wall clock, and this process's CPU (the embedded database's included). */
export interface DemoTimings {
  setup: number;
  resolve: number;
  events: number;
  results: number;
  cpu: { setup: number; resolve: number; events: number; results: number };
}

export interface DemoRun {
  uplift: RunningUplift;
  adminKey: string;
  /** Each demo experiment's results, as refreshExperimentResults answered (and stored) them. */
  results: Record<string, any>;
  /** compareStrategies on D7 retention. */
  strategies: any[];
  events: number;
  timings: DemoTimings;
}

const METRICS = {
  primaryMetricKey: 'd7_retention',
  secondaryMetricKeys: ['d1_retention', 'paid_conversion_14d', 'revenue_per_user_14d', 'reward_cost', 'genuine_activity_rate', 'hollow_activity_rate'],
  guardrailMetricKeys: ['complaint_rate', 'nps', 'support_response_seconds'],
};

/** The two experiments of the demo scenario (docs/concepts.md), with their incentive payloads. */
const EXPERIMENTS = [
  {
    key: 'activity-incentives',
    name: 'Activity incentives',
    hypothesis: 'Tasks and badges retain users better than a daily check-in reward.',
    strategy: 'activity',
    targeting: { tiers: ['new', 'regular'] },
    ...METRICS,
    variants: [
      { key: 'control', name: 'Control', weight: 33.34, isControl: true },
      { key: 'check-in', name: 'Daily check-in reward', weight: 33.33, payload: { rewardAmount: 1, currency: 'CNY' } },
      { key: 'task-system', name: 'Task centre', weight: 33.33, payload: { tasks: ['post', 'comment', 'invite'], badges: ['first-post', 'streak-7'] } },
    ],
  },
  {
    key: 'advisor-pilot',
    name: 'Advisor pilot',
    hypothesis: 'A dedicated advisor brings silent high-value users back.',
    strategy: 'advisor',
    targeting: { tiers: ['high_value'] },
    ...METRICS,
    variants: [
      { key: 'control', name: 'Control', weight: 50, isControl: true },
      { key: 'advisor', name: 'Dedicated advisor', weight: 50, payload: { advisor: true, eventInvitation: true } },
    ],
  },
];

const RESULTS = `query ($key: String!) { experimentResults(key: $key) {
  experimentKey exposures { variantKey users } sampleRatio { pValue mismatch } guardrailStatus
  metrics { metricKey role arms { variantKey users value interval { lower upper } } comparisons { variantKey absoluteLift relativeLift adjustedPValue significant chanceToBeatControl } }
  recommendation { action variantKey estimatedDaysToPower reason } } }`;
const REFRESH = RESULTS.replace(/^query/, 'mutation').replace('experimentResults(', 'refreshExperimentResults(');

const STRATEGIES = `query ($experiments: [String!]!) { compareStrategies(metricKey: "d7_retention", experimentKeys: $experiments) {
  rank experimentKey variantKey users controlValue value absoluteLift absoluteLiftInterval { lower upper } costPerIncrementalUser } }`;

export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const firstDay = today - SIMULATED_DAYS * DAY_MS;
  let simulated: number | null = firstDay;
  const timings: DemoTimings = { setup: 0, resolve: 0, events: 0, results: 0, cpu: { setup: 0, resolve: 0, events: 0, results: 0 } };
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  let clock = Date.now();
  let cpuClock = cpuSeconds();
  // The machine may be shared: CPU time says what the demo itself costs, whatever else runs.
  const lap = (part: keyof DemoTimings['cpu']) => {
    const now = Date.now();
    const cpu = cpuSeconds();
    timings[part] += (now - clock) / 1000;
    timings.cpu[part] += cpu - cpuClock;
    clock = now;
    cpuClock = cpu;
  };
  // On the embedded database with a folder, Uplift generates the admin key and keeps it there, for a restart on the same data.
  const keepsKey = options.dataDir !== null && !options.databaseUrl;
  const uplift = await startUplift({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    port: options.port,
    host: options.host,
    adminKey: keepsKey ? undefined : generateSecret(),
    logLevel: options.logLevel,
    now: () => (simulated === null ? new Date() : new Date(simulated)),
  });
  const adminKey = uplift.adminKey!;
  try {
    const gql = async (query: string, variables?: Record<string, unknown>, key = adminKey) => {
      const result = await postGraphQL(uplift.url, query, variables, key);
      if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
      return result.data;
    };
    for (const input of EXPERIMENTS) {
      await gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', { input });
      await gql('mutation ($key: String!) { startExperiment(key: $key, version: 1) { key } }', { key: input.key });
    }
    await seedRules(uplift.url, adminKey);
    const sdkKey = (await gql('mutation { createApiKey(input: { name: "demo app", role: SDK }) { secret } }')).createApiKey.secret as string;
    lap('setup');

    const random = mulberry32(options.seed);
    const engagement = mulberry32(options.seed + 1_000_003);
    const store = new AnalyticsStore(uplift.dataSource.manager);
    // Each event waits in the bucket of the simulated day it happens on, until that day is over.
    const byDay: EventRow[][] = Array.from({ length: SIMULATED_DAYS }, () => []);
    let sent = 0;
    const send = async (events: EventRow[]) => {
      for (let from = 0; from < events.length; from += EVENTS_PER_INSERT) sent += await store.insertEvents(events.slice(from, from + EVENTS_PER_INSERT));
    };

    let next = 0;
    for (let day = 0; day < SIMULATED_DAYS; day++) {
      // The day's new users open the app at noon: the app resolves them, Uplift assigns and records the exposure.
      simulated = firstDay + day * DAY_MS + 12 * 3_600_000;
      const arriving = day < ARRIVAL_DAYS ? Math.floor((options.users * (day + 1)) / ARRIVAL_DAYS) - next : 0;
      const users = Array.from({ length: arriving }, () => {
        const tierDraw = random();
        return { id: `demo-${next++}`, tier: tierDraw < 0.1 ? 'high_value' : tierDraw < 0.46 ? 'new' : 'regular' };
      });
      for (let from = 0; from < users.length; from += BATCH) {
        const resolved = (await gql('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId experiments { experimentKey variantKey } } }', { users: users.slice(from, from + BATCH) }, sdkKey))
          .resolveMany as { userId: string; experiments: { experimentKey: string; variantKey: string }[] }[];
        for (const { userId, experiments } of resolved) {
          const assigned = experiments.find((e) => DEMO_TRUTH[e.experimentKey]?.[e.variantKey]);
          if (!assigned) continue;
          const { experimentKey, variantKey } = assigned;
          const activity = demoActivity(random, variantKey, DEMO_TRUTH[experimentKey][variantKey], new Date(simulated), today, { random: engagement, arm: DEMO_ENGAGEMENT[experimentKey][variantKey] });
          activity.forEach((event, i) => {
            // Activity before today's arrival (the pre-period) comes in with today's events.
            const bucket = Math.max(day, Math.floor((event.occurredAt.getTime() - firstDay) / DAY_MS));
            byDay[bucket].push({ id: `${userId}-${i}`, userId, type: event.type, value: event.value, properties: null, occurredAt: event.occurredAt });
          });
        }
      }
      lap('resolve');
      // At midnight the day's events have all come in.
      simulated = firstDay + (day + 1) * DAY_MS;
      await send(byDay[day]);
      byDay[day] = [];
      lap('events');
      options.onDay?.({ day: day + 1, days: SIMULATED_DAYS, users: next, events: sent });
    }
    simulated = null;
    await uplift.exposures.flush();

    const results: Record<string, any> = {};
    // Stored as the results job would on its schedule, so that the results pages show them at once.
    for (const { key } of EXPERIMENTS) results[key] = (await gql(REFRESH, { key })).refreshExperimentResults;
    const strategies = (await gql(STRATEGIES, { experiments: EXPERIMENTS.map((e) => e.key) })).compareStrategies as any[];
    lap('results');
    return { uplift, adminKey, results, strategies, events: sent, timings };
  } catch (error) {
    await uplift.close();
    throw error;
  }
}

/** Each demo experiment's key, for the results pages' addresses. */
export const DEMO_EXPERIMENT_KEYS = EXPERIMENTS.map((e) => e.key);

const percent = (value: number | null | undefined) => (value == null ? '-' : `${(value * 100).toFixed(1)}%`);
const points = (value: number | null | undefined) => (value == null ? '-' : `${(value * 100).toFixed(1)} pts`);

/** The demo's results as the analyst would read them first: rates per arm, lifts, the recommendation. */
export function demoReport(run: DemoRun): string {
  const lines: string[] = [];
  for (const result of Object.values(run.results)) {
    lines.push('', `${result.experimentKey}: ${result.exposures.map((e: any) => `${e.variantKey} ${e.users}`).join(', ')} exposed; sample ratio p = ${result.sampleRatio?.pValue.toFixed(3) ?? '-'}; guardrails ${result.guardrailStatus}`);
    for (const metric of result.metrics) {
      if (!['d1_retention', 'd7_retention', 'paid_conversion_14d', 'genuine_activity_rate', 'hollow_activity_rate'].includes(metric.metricKey)) continue;
      const arms = metric.arms.map((arm: any) => {
        const comparison = metric.comparisons.find((c: any) => c.variantKey === arm.variantKey);
        const lift = comparison ? ` (${comparison.absoluteLift >= 0 ? '+' : ''}${points(comparison.absoluteLift)}, adj. p ${comparison.adjustedPValue?.toFixed(3) ?? '-'})` : '';
        return `${arm.variantKey} ${percent(arm.value)} [${percent(arm.interval?.lower)}, ${percent(arm.interval?.upper)}]${lift}`;
      });
      lines.push(`  ${metric.metricKey.padEnd(20)} ${arms.join('; ')}`);
    }
    const { action, variantKey, reason } = result.recommendation;
    lines.push(`  recommendation: ${action}${variantKey ? ` ${variantKey}` : ''}: ${reason}`);
  }
  lines.push('', 'Strategies on D7 retention, each against its own control:');
  for (const arm of run.strategies) {
    const cost = arm.costPerIncrementalUser == null ? '' : `, reward cost ${arm.costPerIncrementalUser.toFixed(2)} per extra retained user`;
    lines.push(`  ${arm.rank ?? '-'}. ${arm.experimentKey}/${arm.variantKey}: ${percent(arm.controlValue)} -> ${percent(arm.value)} (${arm.absoluteLift >= 0 ? '+' : ''}${points(arm.absoluteLift)})${cost}`);
  }
  return lines.join('\n');
}
