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

beforeAll(async () => {
  database = await freshDatabase(false);
  run = await runDemo({ users: 600, seed: 5, port: 0, host: '127.0.0.1', dataDir: null, databaseUrl: database.databaseUrl, logLevel: 'silent' });
}, 120_000);
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
    // Users arrive on each of the 28 days before today, and are exposed when they do, not when the demo ran.
    expect(exposures[0]).toMatchObject({ days: 28, span: { days: 27 } });
    const [{ started }] = await run.uplift.dataSource.query(`SELECT min(started_at) AS started FROM experiments`);
    expect(Math.floor(Date.now() / DAY_MS) * DAY_MS - started.getTime()).toBe(28 * DAY_MS);
    expect(run.events).toBeGreaterThan(600);
  });

  it('ends with results: task-system ahead on D7 retention but, at this size, short of its horizon (peeking-safe: no SHIP yet), and strategies ranked', () => {
    const activity = run.results['activity-incentives'];
    expect(activity.sampleRatio.mismatch).toBe(false);
    // 600 users cannot reach the default plan's horizon, and the always-valid test is not yet convinced (issue 12 item 5).
    expect(activity.recommendation).toMatchObject({ action: 'KEEP_RUNNING', variantKey: null });
    const d7 = activity.metrics.find((metric: any) => metric.metricKey === 'd7_retention');
    // Users whose day 7 has not passed (the last week's arrivals) are left out.
    const exposed = activity.exposures.reduce((sum: number, arm: any) => sum + arm.users, 0);
    const counted = d7.arms.reduce((sum: number, arm: any) => sum + arm.users, 0);
    expect(counted).toBeGreaterThan(exposed / 2);
    expect(counted).toBeLessThan(exposed);
    expect(run.strategies[0]).toMatchObject({ rank: 1, experimentKey: 'activity-incentives', variantKey: 'task-system' });
    expect(demoReport(run)).toContain('recommendation: KEEP_RUNNING');
  });

  it('loads the teams’ rules, so that entitlements can be explained for a demo user', async () => {
    const query = `query { explainEntitlements(user: { id: "demo-42", tier: "regular" }) { daysSinceLastActive rules { ruleKey } } }`;
    const { data, errors } = await postGraphQL(run.uplift.url, query, undefined, run.adminKey);
    expect(errors).toBeUndefined();
    expect(data.explainEntitlements.rules.length).toBeGreaterThan(3);
    expect(data.explainEntitlements.daysSinceLastActive).not.toBeNull();
  });
});
