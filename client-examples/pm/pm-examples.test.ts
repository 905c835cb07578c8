import { pmExamples } from '../../src/graphiql/graphiql';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('client-examples/pm', () => {
  it('runs in file order against a fresh server: create, start, ramp, stop, read the audit log, grant a coupon and explain it', async () => {
    const examples = pmExamples();
    expect(examples.map((e) => e.name)).toEqual([
      '01-list-experiments', '02-create-activity-incentives', '03-start', '04-ramp', '05-stop', '06-audit-log',
      '07-create-coupon', '08-grant-coupon', '09-explain-entitlements',
    ]);
    const results: Record<string, any> = {};
    for (const example of examples) {
      const result = await server.gql(example.query, example.variables ? JSON.parse(example.variables) : undefined);
      expect({ example: example.name, errors: result.errors }).toEqual({ example: example.name, errors: undefined });
      results[example.name] = result.data;
    }
    expect(results['02-create-activity-incentives'].createExperiment.variants.map((v: { key: string }) => v.key)).toEqual([
      'control', 'check-in', 'task-system',
    ]);
    expect(results['04-ramp'].updateExperiment.trafficAllocation).toBe(100);
    expect(results['05-stop'].stopExperiment).toMatchObject({ status: 'STOPPED', shippedVariantKey: 'task-system' });
    expect(results['06-audit-log'].auditLog.nodes.map((n: { action: string }) => n.action)).toEqual(['STOP', 'UPDATE', 'START', 'CREATE']);
    const grantId = results['08-grant-coupon'].grantEntitlement.id;
    expect(results['09-explain-entitlements'].explainEntitlements).toEqual({
      daysSinceLastActive: null,
      entitlements: [{ key: 'goodwill-coupon', value: { amount: 10, currency: 'CNY', minSpend: 50 }, source: grantId, sourceType: 'USER_GRANT', expiresAt: null }],
      rules: [],
      userGrants: [{ status: 'APPLIED', grant: { entitlementKey: 'goodwill-coupon', reason: 'Payment failed twice on 2026-11-20' } }],
    });
  });
});
