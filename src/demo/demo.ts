/**
 * The demo: PRODUCT.md's scenario played through Uplift's public API on a simulated clock. Users
 * arrive over four weeks; the app resolves them (Uplift assigns their arms and records their
 * exposures at the simulated time), and their activity, shaped by their arm's true rates, is sent
 * with trackEvents day by day. Then the analyst's view: experiment results and the strategies side
 * by side. The server's clock is the only thing simulated: every write goes through GraphQL.
 */
import { startUplift, type RunningUplift } from '../app';
import { generateSecret } from '../auth/api-key.service';
import { postGraphQL } from '../testing/harness';
import { DEMO_TRUTH, demoActivity, type DemoEvent } from './scenario';
import { mulberry32 } from '../common/random';
import { seedRules } from '../../client-examples/rules/product-rules';

const DAY_MS = 86_400_000;
/** Users arrive over these many days, the last of them yesterday. */
const ARRIVAL_DAYS = 28;
const BATCH = 1_000;
const EVENTS_PER_CALL = 5_000;

export interface DemoOptions {
  users: number;
  seed: number;
  port: number;
  host: string;
  /** Null: an in-memory embedded database. */
  dataDir: string | null;
  databaseUrl?: string;
  logLevel: string;
}

export interface DemoRun {
  uplift: RunningUplift;
  adminKey: string;
  /** experimentResults of each demo experiment, as the API answered. */
  results: Record<string, any>;
  /** compareStrategies on D7 retention. */
  strategies: any[];
  events: number;
}

const METRICS = {
  primaryMetricKey: 'd7_retention',
  secondaryMetricKeys: ['d1_retention', 'paid_conversion_14d', 'revenue_per_user_14d', 'reward_cost'],
  guardrailMetricKeys: ['complaint_rate'],
};

/** The two experiments of PRODUCT.md, with their incentive payloads. */
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

const STRATEGIES = `query ($experiments: [String!]!) { compareStrategies(metricKey: "d7_retention", experimentKeys: $experiments) {
  rank experimentKey variantKey users controlValue value absoluteLift absoluteLiftInterval { lower upper } costPerIncrementalUser } }`;

export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const firstDay = today - ARRIVAL_DAYS * DAY_MS;
  let simulated: number | null = firstDay;
  const adminKey = generateSecret();
  const uplift = await startUplift({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    port: options.port,
    host: options.host,
    adminKey,
    logLevel: options.logLevel,
    now: () => (simulated === null ? new Date() : new Date(simulated)),
  });
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

    const random = mulberry32(options.seed);
    let pending: (DemoEvent & { id: string; userId: string })[] = [];
    let sent = 0;
    const send = async (before: number) => {
      const due = pending.filter((event) => event.occurredAt.getTime() < before);
      pending = pending.filter((event) => event.occurredAt.getTime() >= before);
      for (let from = 0; from < due.length; from += EVENTS_PER_CALL) {
        const events = due.slice(from, from + EVENTS_PER_CALL).map((e) => ({ id: e.id, userId: e.userId, type: e.type, value: e.value, occurredAt: e.occurredAt.toISOString() }));
        await gql('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }', { events }, sdkKey);
        sent += events.length;
      }
    };

    let next = 0;
    for (let day = 0; day < ARRIVAL_DAYS; day++) {
      // The day's new users open the app at noon: the app resolves them, Uplift assigns and records the exposure.
      simulated = firstDay + day * DAY_MS + 12 * 3_600_000;
      const arriving = Math.floor((options.users * (day + 1)) / ARRIVAL_DAYS) - next;
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
          const activity = demoActivity(random, assigned.variantKey, DEMO_TRUTH[assigned.experimentKey][assigned.variantKey], new Date(simulated), today);
          pending.push(...activity.map((event, i) => ({ ...event, id: `${userId}-${i}`, userId })));
        }
      }
      // At midnight the day's events (and the new users' earlier activity) have all come in.
      simulated = firstDay + (day + 1) * DAY_MS;
      await send(simulated);
    }
    await send(today);
    simulated = null;
    await uplift.exposures.flush();

    const results: Record<string, any> = {};
    for (const { key } of EXPERIMENTS) results[key] = (await gql(RESULTS, { key })).experimentResults;
    const strategies = (await gql(STRATEGIES, { experiments: EXPERIMENTS.map((e) => e.key) })).compareStrategies as any[];
    return { uplift, adminKey, results, strategies, events: sent };
  } catch (error) {
    await uplift.close();
    throw error;
  }
}

const percent = (value: number | null | undefined) => (value == null ? '-' : `${(value * 100).toFixed(1)}%`);
const points = (value: number | null | undefined) => (value == null ? '-' : `${(value * 100).toFixed(1)} pts`);

/** The demo's results as the analyst would read them first: rates per arm, lifts, the recommendation. */
export function demoReport(run: DemoRun): string {
  const lines: string[] = [];
  for (const result of Object.values(run.results)) {
    lines.push('', `${result.experimentKey}: ${result.exposures.map((e: any) => `${e.variantKey} ${e.users}`).join(', ')} exposed; sample ratio p = ${result.sampleRatio?.pValue.toFixed(3) ?? '-'}; guardrails ${result.guardrailStatus}`);
    for (const metric of result.metrics) {
      if (!['d1_retention', 'd7_retention', 'paid_conversion_14d'].includes(metric.metricKey)) continue;
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
    lines.push(`  ${arm.rank}. ${arm.experimentKey}/${arm.variantKey}: ${percent(arm.controlValue)} -> ${percent(arm.value)} (${arm.absoluteLift >= 0 ? '+' : ''}${points(arm.absoluteLift)})${cost}`);
  }
  return lines.join('\n');
}
