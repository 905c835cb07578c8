import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../testing/harness';
import { configFromEnv } from '../common/config';
import { createLogger } from '../common/logger';
import { UpliftMetrics } from './metrics';

const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { userId flags { key value } } }';
const RESOLVE_MANY = 'query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }';
const TRACK = 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }';

let server: TestServer;
let sdkKey: string;
let analystKey: string;
beforeAll(async () => {
  server = await startTestServer({ config: { metricsPort: 0 } });
  sdkKey = await server.createKey('SDK');
  analystKey = await server.createKey('ANALYST');
});
afterAll(async () => {
  await server?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one series, e.g. `uplift_auth_failures_total{reason="INVALID_KEY"}`. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no series ${series}`);
  return Number(line.slice(series.length + 1));
}

const requests = (kind: string, outcome: string) => `uplift_graphql_request_duration_seconds_count{operation="${kind}",outcome="${outcome}"}`;
/** Every uplift_ series (name and labels), comments left out. */
const upliftSeries = (text: string) => text.split('\n').filter((line) => line.startsWith('uplift_')).map((line) => line.slice(0, line.lastIndexOf(' ')));

describe('who may read /metrics', () => {
  it('on the main port, only ADMIN and ANALYST keys', async () => {
    const get = (key?: string) => fetch(`${server.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const none = await get();
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING_KEY' });
    const unknown = await get(`upl_${randomBytes(24).toString('base64url')}`);
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const sdk = await get(sdkKey);
    expect(sdk.status).toBe(403);
    expect(((await sdk.json()) as any).errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
    for (const key of [analystKey, server.adminKey]) {
      const allowed = await get(key);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await allowed.text()).toMatch(/^# HELP uplift_graphql_request_duration_seconds /m);
    }
  });

  it('on UPLIFT_METRICS_PORT, without a key, on the same host, and nothing else there', async () => {
    const metricsUrl = server.uplift.metricsUrl!;
    expect(new URL(metricsUrl).hostname).toBe(new URL(server.url).hostname);
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    const open = await fetch(metricsUrl);
    expect(open.status).toBe(200);
    expect(await open.text()).toMatch(/^uplift_exposures_waiting /m);
    const graphql = await fetch(metricsUrl.replace('/metrics', '/graphql'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(graphql.status).toBe(404);
    expect(configFromEnv({ UPLIFT_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(configFromEnv({}).metricsPort).toBeUndefined();
    expect(() => configFromEnv({ UPLIFT_METRICS_PORT: 'x' })).toThrow(/UPLIFT_METRICS_PORT/);
  });
});

describe('what /metrics counts', () => {
  it('counts requests by operation kind and outcome, and authentication failures by reason', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await server.gql(RESOLVE, { user: { id: `u${i}` } }, sdkKey)).errors).toBeUndefined();
    expect((await server.gql(RESOLVE_MANY, { users: [{ id: 'a' }, { id: 'b' }] }, sdkKey)).errors).toBeUndefined();
    expect((await server.gql(TRACK, { events: [{ id: 'e-1', userId: 'a', type: 'signup', occurredAt: new Date().toISOString() }] }, sdkKey)).errors).toBeUndefined();
    expect((await server.gql('{ flags { nodes { key } } }')).errors).toBeUndefined();
    // Refusals: no key (the resolver's), a key nobody issued (the fast path's), an SDK key on a management call.
    expect((await server.gql(RESOLVE, { user: { id: 'x' } }, null)).errors?.[0].extensions?.reason).toBe('MISSING_KEY');
    expect((await server.gql(RESOLVE, { user: { id: 'x' } }, `upl_${randomBytes(24).toString('base64url')}`)).status).toBe(401);
    expect((await server.gql(TRACK, { events: [] }, `upl_${randomBytes(24).toString('base64url')}`)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await server.gql('{ experiments { nodes { key } } }', undefined, sdkKey)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const after = await scrape();
    const delta = (series: string) => value(after, series) - value(before, series);

    expect(delta(requests('resolve', 'ok'))).toBe(3);
    expect(delta(requests('resolveMany', 'ok'))).toBe(1);
    expect(delta(requests('trackEvents', 'ok'))).toBe(1);
    expect(delta(requests('other', 'ok'))).toBeGreaterThanOrEqual(1);
    expect(delta(requests('resolve', 'error'))).toBe(2);
    expect(delta(requests('other', 'error'))).toBe(1);
    expect(delta('uplift_graphql_request_duration_seconds_sum{operation="resolve",outcome="ok"}')).toBeGreaterThan(0);
    expect(delta('uplift_auth_failures_total{reason="MISSING_KEY"}')).toBe(1);
    expect(delta('uplift_auth_failures_total{reason="INVALID_KEY"}')).toBe(2);
    expect(delta('uplift_auth_failures_total{reason="ROLE_NOT_ALLOWED"}')).toBe(1);
  });

  it('shows the exposure backlog, fold lag, snapshot age, the pool and Node’s own metrics', async () => {
    const text = await scrape();
    expect(value(text, 'uplift_exposures_waiting')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'uplift_exposures_dropped_total')).toBe(0);
    // Folding runs every 5 s and the snapshot is re-read at least every 30 s: both are recent, not the epoch.
    expect(value(text, 'uplift_metric_fold_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'uplift_metric_fold_lag_seconds')).toBeLessThan(60);
    expect(value(text, 'uplift_config_snapshot_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'uplift_config_snapshot_age_seconds')).toBeLessThan(60);
    expect(value(text, 'uplift_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'uplift_db_pool_idle_connections')).toBeLessThanOrEqual(value(text, 'uplift_db_pool_connections'));
    expect(value(text, 'uplift_db_pool_waiting_requests')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });

  it('resets snapshot age when the configuration is re-read, and fold lag when the log is folded', async () => {
    const ageBefore = value(await scrape(), 'uplift_config_snapshot_age_seconds');
    const lagFirst = value(await scrape(), 'uplift_metric_fold_lag_seconds');
    const flag = await server.gql('mutation { createFlag(input: { key: "age-probe", name: "age probe", type: BOOLEAN, defaultValue: false }) { key } }');
    expect(flag.errors).toBeUndefined();
    /** Polls until `series` reads below `than`, up to `ms`; the lowest value read. */
    const dropsBelow = async (series: string, than: number, ms: number) => {
      let lowest = Infinity;
      for (const deadline = Date.now() + ms; Date.now() < deadline && lowest >= than; ) {
        lowest = Math.min(lowest, value(await scrape(), series));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return lowest;
    };
    // The change is announced at once; the fold runs every 5 s, so within 7 s the lag falls back.
    const [age, lag] = await Promise.all([dropsBelow('uplift_config_snapshot_age_seconds', ageBefore, 5_000), dropsBelow('uplift_metric_fold_lag_seconds', Math.max(lagFirst, 0.5), 7_000)]);
    expect(age).toBeLessThan(ageBefore);
    expect(lag).toBeLessThan(Math.max(lagFirst, 0.5));
  });

  it('keeps the same series whatever operation names, keys and users clients send', async () => {
    const before = await scrape();
    const nonce = () => randomBytes(6).toString('hex');
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const [name, alias, user, type] = [`Op${nonce()}`, `a${nonce()}`, `user-${nonce()}`, `event_${nonce()}`];
      sent.push(name, alias, user, type);
      // A named document (the fast path), the same with operationName (Apollo), an alias, a random key, a random event type.
      await server.gql(`query ${name}($user: UserContextInput!) { ${alias}: resolve(user: $user) { userId } }`, { user: { id: user } }, sdkKey);
      await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sdkKey}` },
        body: JSON.stringify({ query: `query ${name}($user: UserContextInput!) { resolve(user: $user) { userId } }`, operationName: name, variables: { user: { id: user } } }),
      });
      await server.gql(RESOLVE, { user: { id: user } }, `upl_${randomBytes(24).toString('base64url')}`);
      await server.gql(RESOLVE, { user: { id: user } }, `${name}-not-a-key`);
      await server.gql(TRACK, { events: [{ id: `e-${nonce()}`, userId: user, type, occurredAt: new Date().toISOString() }] }, sdkKey);
      await server.gql(`{ ${name} }`, undefined, sdkKey);
    }
    const after = await scrape();
    expect(upliftSeries(after)).toEqual(upliftSeries(before));
    for (const chosen of sent) expect(after).not.toContain(chosen);
    // The requests were counted, under the fixed kinds.
    expect(value(after, requests('resolve', 'ok')) - value(before, requests('resolve', 'ok'))).toBe(80);
    expect(value(after, requests('trackEvents', 'ok')) - value(before, requests('trackEvents', 'ok'))).toBe(40);
  });
});

describe('the disk spool’s metrics', () => {
  it('follow the exposure writer’s backlog, spool and drops at each scrape', async () => {
    const backlog = { waiting: 3, dropped: 2, spoolBytes: 4096 };
    const metrics = new UpliftMetrics({ exposures: backlog, lastFoldAt: () => Date.now(), snapshotLoadedAt: () => Date.now(), pool: () => undefined }, createLogger('silent'));
    const text = (await metrics.exposition()).body;
    expect(value(text, 'uplift_exposures_waiting')).toBe(3);
    expect(value(text, 'uplift_exposures_dropped_total')).toBe(2);
    expect(value(text, 'uplift_exposure_spool_bytes')).toBe(4096);
    expect(text).not.toContain('uplift_exposure_spool_dropped_total');
    Object.assign(backlog, { dropped: 9, spoolBytes: 0 });
    const later = (await metrics.exposition()).body;
    expect(value(later, 'uplift_exposures_dropped_total')).toBe(9);
    expect(value(later, 'uplift_exposure_spool_bytes')).toBe(0);
    metrics.stop();
  });
});
