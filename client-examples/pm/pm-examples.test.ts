import { pmExamples } from '../../src/graphiql/graphiql';
import { freshDatabase, postGraphQL, startTestServer, type GraphQLResponse, type TestServer } from '../../src/testing/harness';
import { runDemo, type DemoRun } from '../../src/demo/demo';

/**
 * GraphiQL's tabs (client-examples/pm) are a script a product manager, an analyst and an app
 * developer run in order; they must work on a fresh server and on the demo's (`npm run demo`),
 * whose experiments, rules and users they must not collide with.
 */
const TAB_NAMES = [
  '01-list-experiments', '02-tiers', '03-validate-welcome-tasks', '04-create-welcome-tasks', '05-read-version', '06-start', '07-ramp',
  '08-app-resolve', '09-analyst-results', '10-analyst-compare-strategies', '11-stop', '12-audit-log', '13-create-coupon', '14-grant-coupon',
  '15-app-explain-entitlements',
];

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

/** Runs every tab in file order, as GraphiQL sends it; each must answer without an error. */
async function runTabs(gql: Gql): Promise<{ results: Record<string, any>; variables: Record<string, any> }> {
  const results: Record<string, any> = {};
  const variables: Record<string, any> = {};
  for (const example of pmExamples()) {
    variables[example.name] = example.variables ? JSON.parse(example.variables) : undefined;
    const result = await gql(example.query, variables[example.name]);
    expect({ tab: example.name, errors: result.errors }).toEqual({ tab: example.name, errors: undefined });
    results[example.name] = result.data;
  }
  return { results, variables };
}

/** What must hold on any server: versions passed along as read, no problems, the user in the experiment, the coupon explained. */
function expectTheFlowHeld(results: Record<string, any>, variables: Record<string, any>) {
  expect(results['02-tiers'].tiers.map((t: { key: string }) => t.key)).toEqual(expect.arrayContaining(['new', 'regular', 'high_value', 'suspect']));
  expect(results['03-validate-welcome-tasks'].validateExperiment).toEqual([]);
  expect(results['04-create-welcome-tasks'].createExperiment).toMatchObject({ key: 'welcome-tasks', status: 'DRAFT', version: 1, problems: [] });
  // Each change passes the version the tab before it read or returned.
  expect(variables['06-start'].version).toBe(results['05-read-version'].experiment.version);
  expect(variables['07-ramp'].version).toBe(results['06-start'].startExperiment.version);
  expect(variables['11-stop'].version).toBe(results['07-ramp'].updateExperiment.version);
  expect(results['07-ramp'].updateExperiment.trafficAllocation).toBe(100);
  const assignment = results['08-app-resolve'].resolve.experiments.find((e: { experimentKey: string }) => e.experimentKey === 'welcome-tasks');
  expect(assignment).toMatchObject({ phase: 1, reason: 'SPLIT' });
  expect(results['08-app-resolve'].resolve.warnings).toEqual([]);
  expect(results['09-analyst-results'].experimentResults).toMatchObject({ experimentKey: 'welcome-tasks', phase: 1 });
  expect(results['09-analyst-results'].experimentResults.metrics.map((m: { metricKey: string }) => m.metricKey)).toContain('d7_retention');
  expect(Array.isArray(results['10-analyst-compare-strategies'].compareStrategies)).toBe(true);
  expect(results['11-stop'].stopExperiment).toMatchObject({ status: 'STOPPED', shippedVariantKey: 'welcome-tasks' });
  expect(results['12-audit-log'].auditLog.nodes.map((n: { action: string }) => n.action)).toEqual(['STOP', 'UPDATE', 'START', 'CREATE']);
  const grantId = results['14-grant-coupon'].grantEntitlement.id;
  const explanation = results['15-app-explain-entitlements'].explainEntitlements;
  expect(explanation.entitlements).toContainEqual({
    key: 'goodwill-coupon', value: { amount: 10, currency: 'CNY', minSpend: 50 }, source: grantId, sourceType: 'USER_GRANT', expiresAt: null,
  });
  expect(explanation.userGrants).toEqual([{ status: 'APPLIED', grant: { entitlementKey: 'goodwill-coupon', reason: 'Payment failed twice on 2026-11-20' } }]);
}

describe('client-examples/pm, the GraphiQL tabs', () => {
  it('are the PM’s flow with the analyst’s and the app developer’s tabs, in file order', () => {
    expect(pmExamples().map((e) => e.name)).toEqual(TAB_NAMES);
  });

  describe('on a fresh server', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('run in order without an error, the user in the experiment and the coupon explained', async () => {
      const { results, variables } = await runTabs((query, vars) => server.gql(query, vars));
      expectTheFlowHeld(results, variables);
      expect(results['01-list-experiments'].experiments.nodes).toEqual([]);
      expect(results['02-tiers'].tiers.map((t: { key: string }) => t.key)).toEqual(['high_value', 'new', 'regular', 'suspect']);
      expect(results['08-app-resolve'].resolve.experiments.map((e: { experimentKey: string }) => e.experimentKey)).toEqual(['welcome-tasks']);
      expect(results['15-app-explain-entitlements'].explainEntitlements).toMatchObject({ daysSinceLastActive: null, rules: [] });
    });
  });

  describe('on the demo’s server (npm run demo, with few users)', () => {
    let run: DemoRun;
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    beforeAll(async () => {
      database = await freshDatabase(false);
      run = await runDemo({ users: 300, seed: 5, port: 0, host: '127.0.0.1', dataDir: null, databaseUrl: database.databaseUrl, logLevel: 'silent' });
    }, 120_000);
    afterAll(async () => {
      await run?.uplift.close();
      await database?.drop();
    });

    it('run in order without an error beside the demo’s experiments, rules and users', async () => {
      const { results, variables } = await runTabs((query, vars) => postGraphQL(run.uplift.url, query, vars, run.adminKey));
      expectTheFlowHeld(results, variables);
      expect(results['01-list-experiments'].experiments.nodes.map((n: { key: string }) => n.key).sort()).toEqual(['activity-incentives', 'advisor-pilot']);
      // The demo's activity-incentives takes new users too: the app sees both.
      expect(results['08-app-resolve'].resolve.experiments.map((e: { experimentKey: string }) => e.experimentKey).sort()).toEqual(['activity-incentives', 'welcome-tasks']);
      // The demo's rules are considered for the user, beside the coupon.
      expect(results['15-app-explain-entitlements'].explainEntitlements.rules.length).toBeGreaterThan(3);
    });
  });
});
