/**
 * Exposures of local-mode SDKs: logged when the app reads a value (never by a bulk resolve), sent
 * in batches to trackExposures, which checks each one as trackEvents checks events.
 */
import { LocalUpliftClient } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let sdkKey: string;
let clientKey: string;

async function ok(query: string, variables?: Record<string, unknown>) {
  const result = await server.gql(query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

const exposuresOf = (userId: string) => server.uplift.dataSource.query('SELECT experiment_key, phase, variant_key, tier FROM exposures WHERE user_id = $1 ORDER BY experiment_key', [userId]);

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'server-app');
  clientKey = await server.createKey('CLIENT', 'web-app');
  for (const key of ['checkout', 'search']) {
    const created = await ok(`mutation ($key: String!) { createExperiment(input: { key: $key, name: $key, primaryMetricKey: "d7_retention",
      variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "treatment", name: "T", weight: 50 }] }) { version } }`, { key });
    await ok('mutation ($key: String!, $v: Int!) { startExperiment(key: $key, version: $v) { key } }', { key, v: created.createExperiment.version });
  }
  await ok('mutation { setForcedAssignment(experimentKey: "checkout", userId: "qa-user", variantKey: "treatment") { userId } }');
  await ok(`mutation { createFlag(input: { key: "one-page-checkout", name: "One-page checkout", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "checkout", variantValues: [{ variantKey: "treatment", value: true }, { variantKey: "control", value: false }] }] }) { key } }`);
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

describe('local mode logs exposures when the app reads a value', () => {
  it('logs none for resolve, one for a flag served by an experiment, once however often it is read', async () => {
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0, batch: { flushIntervalMs: 60_000 } });
    await local.ready();
    local.resolve({ id: 'reader-1', tier: 'regular' });
    await local.flush();
    expect(await exposuresOf('reader-1')).toEqual([]);
    const first = local.flag({ id: 'reader-1', tier: 'regular' }, 'one-page-checkout', false);
    local.flag({ id: 'reader-1', tier: 'regular' }, 'one-page-checkout', false);
    expect(local.stats().exposures.queued).toBe(1);
    await local.flush();
    const rows = await exposuresOf('reader-1');
    expect(rows).toEqual([{ experiment_key: 'checkout', phase: 1, variant_key: first.value ? 'treatment' : 'control', tier: 'regular' }]);
    // Reading one experiment logs that one only.
    local.experiment({ id: 'reader-1', tier: 'regular' }, 'search');
    await local.close();
    expect((await exposuresOf('reader-1')).map((r: { experiment_key: string }) => r.experiment_key)).toEqual(['checkout', 'search']);
    expect(local.stats().exposures).toMatchObject({ sent: 2, rejected: 0, failed: 0 });
  });

  it('never logs a forced assignment', async () => {
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    await local.ready();
    expect(local.flag({ id: 'qa-user' }, 'one-page-checkout', false)).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    await local.close();
    expect(await exposuresOf('qa-user')).toEqual([]);
  });
});

describe('trackExposures', () => {
  const TRACK = 'mutation ($x: [ExposureInput!]!) { trackExposures(exposures: $x) { accepted duplicates rejected { index field message } } }';
  const now = () => new Date().toISOString();

  it('stores valid exposures and refuses the others one by one, idempotently', async () => {
    const good = await bucketed('track-good', 'checkout');
    const wrong = await bucketed('track-wrong', 'checkout');
    const exposures = [
      { experimentKey: 'checkout', phase: 1, variantKey: good, userId: 'track-good', tier: 'new', exposedAt: now() },
      { experimentKey: 'checkout', phase: 1, variantKey: wrong === 'control' ? 'treatment' : 'control', userId: 'track-wrong', exposedAt: now() },
      { experimentKey: 'checkout', phase: 2, variantKey: good, userId: 'track-good', exposedAt: now() },
      { experimentKey: 'no-such', phase: 1, variantKey: 'control', userId: 'track-good', exposedAt: now() },
      { experimentKey: 'checkout', phase: 1, variantKey: 'treatment', userId: 'qa-user', exposedAt: now() },
      { experimentKey: 'checkout', phase: 1, variantKey: good, userId: 'track-good', exposedAt: new Date(Date.now() + 2 * 3600_000).toISOString() },
      { experimentKey: 'checkout', phase: 1, variantKey: good, userId: '', exposedAt: now() },
      { experimentKey: 'checkout', phase: 1, variantKey: good, userId: 'track-good', tier: 'Not A Slug', exposedAt: now() },
      { experimentKey: 'checkout', phase: 1, variantKey: good, userId: 'track-good', exposedAt: 'yesterday' },
      { experimentKey: 'checkout', phase: 1, variantKey: good, userId: 'track-good', tier: 'new', exposedAt: now() },
    ];
    const first = await server.gql(TRACK, { x: exposures }, clientKey);
    expect(first.errors).toBeUndefined();
    expect(first.data.trackExposures).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [
        { index: 1, field: 'variantKey', message: expect.stringContaining('is not the variant this user is bucketed into') },
        { index: 2, field: 'phase', message: expect.stringContaining('current phase (1)') },
        { index: 3, field: 'experimentKey', message: 'is not a running experiment' },
        { index: 4, field: 'userId', message: expect.stringContaining('forced assignment') },
        { index: 5, field: 'exposedAt', message: 'is in the future' },
        { index: 6, field: 'userId', message: 'id must be 1 to 200 characters' },
        { index: 7, field: 'tier', message: 'tier must be a slug' },
        { index: 8, field: 'exposedAt', message: 'must be an ISO 8601 date-time' },
      ],
    });
    expect(await exposuresOf('track-good')).toEqual([{ experiment_key: 'checkout', phase: 1, variant_key: good, tier: 'new' }]);
    expect(await exposuresOf('track-wrong')).toEqual([]);
    const fresh = await server.gql(TRACK, { x: [{ experimentKey: 'search', phase: 1, variantKey: await bucketed('fresh-user', 'search'), userId: 'fresh-user', exposedAt: now() }] }, sdkKey);
    expect(fresh.data.trackExposures).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const again = await server.gql(TRACK, { x: [{ experimentKey: 'search', phase: 1, variantKey: await bucketed('fresh-user', 'search'), userId: 'fresh-user', exposedAt: now() }] }, sdkKey);
    expect(again.data.trackExposures).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
  });

  it('refuses more than 5,000 per call as a whole, with a clear code', async () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({ experimentKey: 'checkout', phase: 1, variantKey: 'control', userId: `u${i}`, exposedAt: now() }));
    const result = await server.gql(TRACK, { x: many }, sdkKey);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_EXPOSURES' });
  });
});

/** The variant without logging anything: the SDK's local evaluation of the same configuration. */
async function bucketed(userId: string, experimentKey: string): Promise<string> {
  const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
  await local.ready();
  const variant = local.resolve({ id: userId }).experiments.find((e) => e.experimentKey === experimentKey)!.variantKey;
  await local.close();
  return variant;
}
