import { errorCode, startTestServer, type TestServer } from '../testing/harness';

let server: TestServer;
let analystKey: string;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  analystKey = await server.createKey('ANALYST');
  sdkKey = await server.createKey('SDK');
});
afterAll(() => server?.close());

const FIELDS = 'key name kind eventTypes windowDays retentionDay numeratorSource denominatorEventTypes denominatorSource capValue capPercentile higherIsBetter alertBelow alertAbove alertDropBelowControl version';
const CREATE = `mutation ($input: CreateMetricInput!) { createMetric(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($key: String!, $version: Int!, $input: UpdateMetricInput!) { updateMetric(key: $key, version: $version, input: $input) { ${FIELDS} } }`;
const DELETE = 'mutation ($key: String!, $version: Int!) { deleteMetric(key: $key, version: $version) }';

describe('metric definitions', () => {
  it('seeds the built-in metrics, readable by analysts', async () => {
    const res = await server.gql(`{ metrics { ${FIELDS} } }`, undefined, analystKey);
    expect(res.errors).toBeUndefined();
    const byKey = Object.fromEntries(res.data.metrics.map((m: any) => [m.key, m]));
    expect(Object.keys(byKey).sort()).toEqual(
      ['complaint_rate', 'd1_retention', 'd30_retention', 'd7_retention', 'genuine_activity_rate', 'hollow_activity_rate', 'nps', 'paid_conversion_14d', 'revenue_per_user_14d', 'reward_cost', 'support_response_seconds'],
    );
    expect(byKey.d1_retention).toMatchObject({ kind: 'RETENTION', retentionDay: 1, eventTypes: [], alertBelow: 0.18 });
    expect(byKey.d7_retention).toMatchObject({ kind: 'RETENTION', retentionDay: 7 });
    expect(byKey.d30_retention).toMatchObject({ kind: 'RETENTION', retentionDay: 30 });
    expect(byKey.paid_conversion_14d).toMatchObject({ kind: 'CONVERSION', eventTypes: ['payment'], windowDays: 14 });
    expect(byKey.revenue_per_user_14d).toMatchObject({ kind: 'MEAN', eventTypes: ['payment'], windowDays: 14 });
    expect(byKey.complaint_rate).toMatchObject({ kind: 'CONVERSION', eventTypes: ['complaint'], higherIsBetter: false, alertAbove: 0.03 });
    expect(byKey.reward_cost).toMatchObject({ kind: 'MEAN', eventTypes: ['reward_cost'], higherIsBetter: false });
    // Issue 12, item 9: activity quality over 30 days, and the teams' NPS and support-time alerts.
    expect(byKey.genuine_activity_rate).toMatchObject({ kind: 'GENUINE_ACTIVITY', eventTypes: [], windowDays: 30, higherIsBetter: true });
    expect(byKey.hollow_activity_rate).toMatchObject({ kind: 'HOLLOW_ACTIVITY', eventTypes: [], windowDays: 30, higherIsBetter: false });
    expect(byKey.nps).toMatchObject({ kind: 'RATIO', eventTypes: ['nps_response'], denominatorEventTypes: ['nps_response'], windowDays: 30, alertDropBelowControl: 5 });
    expect(byKey.support_response_seconds).toMatchObject({ kind: 'RATIO', eventTypes: ['support_response'], windowDays: 30, higherIsBetter: false, alertAbove: 90 });
  });

  it('creates, updates and deletes a metric with an audit entry for each change', async () => {
    const created = await server.gql(CREATE, {
      input: { key: 'posts_per_payment', name: 'Posts per payment', kind: 'RATIO', eventTypes: ['post'], numeratorSource: 'EVENT_COUNT', denominatorEventTypes: ['payment'], denominatorSource: 'EVENT_COUNT', windowDays: 7 },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data.createMetric).toMatchObject({ key: 'posts_per_payment', kind: 'RATIO', windowDays: 7, version: 1, higherIsBetter: true });
    const updated = await server.gql(UPDATE, { key: 'posts_per_payment', version: 1, input: { windowDays: 14, name: 'Posts per payment (14d)' } });
    expect(updated.data.updateMetric).toMatchObject({ windowDays: 14, name: 'Posts per payment (14d)', version: 2 });
    const stale = await server.gql(UPDATE, { key: 'posts_per_payment', version: 1, input: { windowDays: 3 } });
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(await server.gql(DELETE, { key: 'posts_per_payment', version: 2 })).toMatchObject({ data: { deleteMetric: true } });
    const gone = await server.gql('{ metric(key: "posts_per_payment") { key } }', undefined, analystKey);
    expect(errorCode(gone)).toBe('NOT_FOUND');
    const audit = await server.gql(`{ metric(key: "d1_retention") { auditLog { nodes { action } } } }`);
    expect(audit.data.metric.auditLog.nodes).toEqual([]);
    const rows = await server.uplift.dataSource.query(`SELECT action, before IS NULL AS created, after IS NULL AS deleted FROM audit_log WHERE entity_type = 'METRIC' AND entity_key = 'posts_per_payment' ORDER BY id`);
    expect(rows).toEqual([
      { action: 'CREATE', created: true, deleted: false },
      { action: 'UPDATE', created: false, deleted: false },
      { action: 'DELETE', created: false, deleted: true },
    ]);
  });

  it('refuses definitions that do not fit their kind', async () => {
    const cases: [object, string][] = [
      [{ key: 'a', name: 'A', kind: 'CONVERSION', eventTypes: ['payment'] }, 'windowDays'],
      [{ key: 'b', name: 'B', kind: 'CONVERSION', eventTypes: [], windowDays: 7 }, 'eventTypes'],
      [{ key: 'c', name: 'C', kind: 'RETENTION', retentionDay: 7, windowDays: 7 }, 'windowDays'],
      [{ key: 'd', name: 'D', kind: 'MEAN', eventTypes: ['payment'], windowDays: 7, capValue: 100, capPercentile: 0.99 }, 'capPercentile'],
      [{ key: 'e', name: 'E', kind: 'MEAN', eventTypes: ['payment'], windowDays: 7, capPercentile: 1.5 }, 'capPercentile'],
      [{ key: 'f', name: 'F', kind: 'RATIO', eventTypes: ['post'], windowDays: 7, numeratorSource: 'EVENT_COUNT' }, 'denominatorSource'],
      [{ key: 'g', name: 'G', kind: 'COUNT', eventTypes: ['Not A Type'], windowDays: 7 }, 'eventTypes.0'],
      [{ key: 'h', name: 'H', kind: 'RETENTION', retentionDay: 0 }, 'retentionDay'],
      [{ key: 'i', name: 'I', kind: 'CONVERSION', eventTypes: ['payment'], windowDays: 400 }, 'windowDays'],
    ];
    for (const [input, field] of cases) {
      const res = await server.gql(CREATE, { input });
      expect([errorCode(res), res.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', field]);
    }
    expect(errorCode(await server.gql(CREATE, { input: { key: 'd1_retention', name: 'again', kind: 'RETENTION', retentionDay: 1 } }))).toBe('CONFLICT');
  });

  it('lets analysts read but not write, and SDK keys neither', async () => {
    const input = { key: 'x_count', name: 'X', kind: 'COUNT', eventTypes: ['x'], windowDays: 3 };
    expect(errorCode(await server.gql(CREATE, { input }, analystKey))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ metrics { key } }', undefined, sdkKey))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ metric(key: "d1_retention") { key } }', undefined, sdkKey))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(DELETE, { key: 'reward_cost', version: 1 }, analystKey))).toBe('FORBIDDEN');
  });

  it('makes experiments name existing metrics, and keeps a metric in use from being deleted', async () => {
    const create = `mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key secondaryMetricKeys guardrailMetricKeys autoPauseOnGuardrail } }`;
    const variants = [{ key: 'control', name: 'Control', weight: 50, isControl: true }, { key: 'b', name: 'B', weight: 50 }];
    const unknown = await server.gql(create, { input: { key: 'exp-unknown', name: 'X', variants, primaryMetricKey: 'd7_retention', guardrailMetricKeys: ['complaint_rate', 'nps_drop'] } });
    expect([errorCode(unknown), unknown.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'guardrailMetricKeys.1']);
    const ok = await server.gql(create, {
      input: { key: 'exp-metrics', name: 'X', variants, primaryMetricKey: 'd7_retention', secondaryMetricKeys: ['d1_retention'], guardrailMetricKeys: ['complaint_rate'], autoPauseOnGuardrail: true },
    });
    expect(ok.data.createExperiment).toEqual({ key: 'exp-metrics', secondaryMetricKeys: ['d1_retention'], guardrailMetricKeys: ['complaint_rate'], autoPauseOnGuardrail: true });
    const update = await server.gql('mutation { updateExperiment(key: "exp-metrics", version: 1, input: { primaryMetricKey: "d9_retention" }) { key } }');
    expect([errorCode(update), update.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'primaryMetricKey']);
    const inUse = await server.gql(DELETE, { key: 'complaint_rate', version: 1 });
    expect([errorCode(inUse), inUse.errors?.[0].extensions?.reason]).toEqual(['CONFLICT', 'METRIC_IN_USE']);
  });
});
