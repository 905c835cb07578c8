import { CSV_COLUMNS, fetchResultsCsv } from './results-to-csv';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let analystKey: string;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  server = await startTestServer();
  analystKey = await server.createKey('ANALYST', 'analyst');
  for (const mutation of [
    `createExperiment(input: { key: "csv-demo", name: "CSV demo", primaryMetricKey: "d1_retention", guardrailMetricKeys: ["complaint_rate"], variants: [
      { key: "control", name: "Control", weight: 50, isControl: true }, { key: "task-system", name: "Tasks", weight: 50 }] }) { key }`,
    'startExperiment(key: "csv-demo", version: 1) { key }',
  ]) {
    expect((await server.gql(`mutation { ${mutation} }`)).errors).toBeUndefined();
  }
  // Ten users per arm exposed 20 days ago; 3 control and 6 task-system users active on day 1.
  const day0 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 20 * DAY_MS;
  const users = ['control', 'task-system'].flatMap((variant) => Array.from({ length: 10 }, (_, i) => ({ id: `${variant}-${i}`, variant, tier: i % 2 ? 'new' : 'regular' })));
  await server.expose(users.map((u) => ({ experimentKey: 'csv-demo', phase: 1, userId: u.id, variantKey: u.variant, tier: u.tier, exposedAt: new Date(day0 + 3_600_000) })));
  const active = [...users.filter((u) => u.variant === 'control').slice(0, 3), ...users.filter((u) => u.variant === 'task-system').slice(0, 6)];
  const events = active.map((u, i) => ({ id: `csv-${i}`, userId: u.id, type: 'app_open', occurredAt: new Date(day0 + DAY_MS + 3_600_000).toISOString() }));
  expect((await server.gql('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }', { events })).data.trackEvents.accepted).toBe(9);
});
afterAll(() => server?.close());

const parse = (csv: string) => csv.trim().split('\n').map((line) => line.split(','));

describe('client-examples/analyst/results-to-csv', () => {
  it('writes one row per metric and arm with an analyst key', async () => {
    const [header, ...rows] = parse(await fetchResultsCsv(server.url, analystKey, 'csv-demo'));
    expect(header).toEqual(CSV_COLUMNS);
    const column = (row: string[], name: string) => row[CSV_COLUMNS.indexOf(name)];
    expect(rows.map((r) => [column(r, 'metric'), column(r, 'role'), column(r, 'variant'), column(r, 'users')])).toEqual([
      ['d1_retention', 'PRIMARY', 'control', '10'],
      ['d1_retention', 'PRIMARY', 'task-system', '10'],
      ['complaint_rate', 'GUARDRAIL', 'control', '10'],
      ['complaint_rate', 'GUARDRAIL', 'task-system', '10'],
    ]);
    expect(Number(column(rows[0], 'value'))).toBeCloseTo(0.3, 12);
    expect(Number(column(rows[1], 'value'))).toBeCloseTo(0.6, 12);
    expect(Number(column(rows[1], 'absolute_lift'))).toBeCloseTo(0.3, 12);
    expect(column(rows[0], 'absolute_lift')).toBe('');
  });

  it('adds per-tier rows with --by-tier, and reports a refusal plainly', async () => {
    const rows = parse(await fetchResultsCsv(server.url, analystKey, 'csv-demo', { byTier: true })).slice(1);
    expect([...new Set(rows.map((r) => r[CSV_COLUMNS.indexOf('segment')]))]).toEqual(['all', 'tier:new', 'tier:regular']);
    await expect(fetchResultsCsv(server.url, analystKey, 'no-such-experiment')).rejects.toThrow(/NOT_FOUND/);
  });
});
