import { freshDatabase, postGraphQL } from '../testing/harness';
import { demoReport, runDemo, type DemoRun } from './demo';

/**
 * `npm run demo` at a smaller size: the whole scenario through the API on the simulated clock. What
 * the numbers should recover is checked at scale in src/results/demo-scenario.api.test.ts; here,
 * that the demo plays out over four simulated weeks and ends with results worth reading.
 */
const DAY_MS = 86_400_000;
let run: DemoRun;
let database: Awaited<ReturnType<typeof freshDatabase>>;
const days: number[] = [];

beforeAll(async () => {
  database = await freshDatabase(false);
  run = await runDemo({ users: 600, seed: 5, port: 0, host: '127.0.0.1', dataDir: null, databaseUrl: database.databaseUrl, logLevel: 'silent', onDay: ({ day }) => days.push(day) });
}, 180_000);
afterAll(async () => {
  await run?.uplift.close();
  await database?.drop();
});

describe('the demo', () => {
  it('assigns and exposes every arriving user through resolve, on the simulated days', async () => {
    const exposures = await run.uplift.dataSource.query(
      `SELECT experiment_key AS "experiment", count(*)::int AS "users", count(DISTINCT (exposed_at AT TIME ZONE 'UTC')::date)::int AS "days",
              max(exposed_at) - min(exposed_at) AS "span"
       FROM exposures GROUP BY 1 ORDER BY 1`,
    );
    expect(exposures.map((row: any) => row.experiment)).toEqual(['activity-incentives', 'advisor-pilot']);
    expect(exposures.reduce((sum: number, row: any) => sum + row.users, 0)).toBe(600);
    // Users arrive on each of 28 days, and are exposed when they do, not when the demo ran; then 30 more days pass
    // (issue 12, item 10: the 30-day metrics need them), so the experiments started 58 days before today.
    expect(exposures[0]).toMatchObject({ days: 28, span: { days: 27 } });
    const [{ started }] = await run.uplift.dataSource.query(`SELECT min(started_at) AS started FROM experiments`);
    expect(Math.floor(Date.now() / DAY_MS) * DAY_MS - started.getTime()).toBe(58 * DAY_MS);
    expect(run.events).toBeGreaterThan(600);
    // One progress report per simulated day.
    expect(days).toEqual(Array.from({ length: 58 }, (_, i) => i + 1));
  });

  it('ends with results: task-system ahead on D7 retention but, at this size, short of its horizon (peeking-safe: no SHIP yet), and strategies ranked', () => {
    const activity = run.results['activity-incentives'];
    expect(activity.sampleRatio.mismatch).toBe(false);
    // 600 users cannot reach the default plan's horizon, and the always-valid test is not yet convinced (issue 12 item 5).
    expect(activity.recommendation).toMatchObject({ action: 'KEEP_RUNNING', variantKey: null });
    const exposed = activity.exposures.reduce((sum: number, arm: any) => sum + arm.users, 0);
    // Every user's 30 days have passed by the end (issue 12, item 10): all count, on D7 as on the 30-day metrics.
    for (const metricKey of ['d7_retention', 'genuine_activity_rate', 'hollow_activity_rate']) {
      const metric = activity.metrics.find((m: any) => m.metricKey === metricKey);
      expect(metric.arms.reduce((sum: number, arm: any) => sum + arm.users, 0)).toBe(exposed);
    }
    expect(run.strategies[0]).toMatchObject({ rank: 1, experimentKey: 'activity-incentives', variantKey: 'task-system' });
    expect(demoReport(run)).toContain('recommendation: KEEP_RUNNING');
  });

  it('gives every strategy its cost, and the activity-quality and survey metrics their events', async () => {
    const costs = await run.uplift.dataSource.query(
      `SELECT x.variant_key AS "variant", sum(e.value)::float8 AS "cost" FROM events e JOIN exposures x ON x.user_id = e.user_id
       WHERE e.type = 'reward_cost' GROUP BY 1 ORDER BY 1`,
    );
    // Check-in rewards, task-system points and badges, advisor hours; control costs nothing.
    expect(costs.map((row: any) => row.variant)).toEqual(['advisor', 'check-in', 'task-system']);
    expect(costs.every((row: any) => row.cost > 0)).toBe(true);
    const types = (await run.uplift.dataSource.query(`SELECT DISTINCT type FROM events ORDER BY 1`)).map((row: any) => row.type);
    expect(types).toEqual(expect.arrayContaining(['payment', 'post', 'comment', 'like', 'nps_response', 'support_response', 'reward_cost']));
    const activity = run.results['activity-incentives'];
    for (const metricKey of ['genuine_activity_rate', 'hollow_activity_rate', 'nps', 'support_response_seconds']) {
      const metric = activity.metrics.find((m: any) => m.metricKey === metricKey);
      expect(metric.arms.every((arm: any) => arm.value !== null)).toBe(true);
    }
  });

  it('loads the teams’ rules, so that entitlements can be explained for a demo user', async () => {
    const query = `query { explainEntitlements(user: { id: "demo-42", tier: "regular" }) { daysSinceLastActive rules { ruleKey } } }`;
    const { data, errors } = await postGraphQL(run.uplift.url, query, undefined, run.adminKey);
    expect(errors).toBeUndefined();
    expect(data.explainEntitlements.rules.length).toBeGreaterThan(3);
    expect(data.explainEntitlements.daysSinceLastActive).not.toBeNull();
  });
});
