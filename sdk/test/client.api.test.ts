/**
 * The SDK against the real server: errors become defaults with codes (never exceptions),
 * retriable failures are told from permanent ones and retried, events arrive, and a
 * configuration the SDK cannot fully read serves defaults rather than wrong answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalUpliftClient, UpliftClient, type SdkConfig, type UpliftError } from '@uplift/sdk';
import { closedPort, startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'sdk-client-tests');
  const created = await server.gql(`mutation { createFlag(input: { key: "new-checkout", name: "New checkout", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: VALUE, targeting: { tiers: ["regular"] }, value: true }] }) { key } }`);
  expect(created.errors).toBeUndefined();
  const other = await server.gql(`mutation { createFlag(input: { key: "banner", name: "Banner", type: STRING, defaultValue: "plain", enabled: true,
    rules: [{ kind: VALUE, targeting: { conditions: [{ attribute: "country", operator: EQ, value: "sg" }] }, value: "lion" }] }) { key } }`);
  expect(other.errors).toBeUndefined();
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

/** A server in front of Uplift that answers 503 to the first `failures` requests, then passes them on. */
async function flakyProxy(failures: number) {
  let seen = 0;
  const proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (seen++ < failures) return res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'restarting', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }));
    const upstream = await fetch(`${server.url}${req.url}`, { method: req.method, headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body: Buffer.concat(chunks) });
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen: () => seen, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
}

describe('remote mode', () => {
  it('resolves flags with their reasons and the default for what does not exist or does not fit', async () => {
    const client = new UpliftClient({ url: server.url, key: sdkKey });
    expect(await client.flag({ id: 'u1', tier: 'regular' }, 'new-checkout', false)).toEqual({ key: 'new-checkout', value: true, variant: expect.any(String), reason: 'TARGETING_MATCH' });
    expect(await client.flag({ id: 'u1', tier: 'new' }, 'new-checkout', false)).toEqual({ key: 'new-checkout', value: false, variant: null, reason: 'DEFAULT' });
    expect(await client.flag({ id: 'u1' }, 'nope', 'x')).toMatchObject({ value: 'x', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(await client.flag({ id: 'u1', tier: 'regular' }, 'new-checkout', 'wrong type')).toMatchObject({ value: 'wrong type', errorCode: 'TYPE_MISMATCH' });
    await client.close();
  });

  it('answers a bad user with the default and the server’s message, without a round trip', async () => {
    const client = new UpliftClient({ url: await closedPort(), key: sdkKey });
    expect(await client.flag({ id: '', tier: 'regular' }, 'new-checkout', false)).toMatchObject({ value: false, errorCode: 'BAD_USER_INPUT', errorMessage: 'user.id: id must be 1 to 200 characters' });
    expect(await client.resolve({ id: 'u', tier: 'Not A Slug' })).toMatchObject({ errorCode: 'BAD_USER_INPUT', experiments: [], flags: [], entitlements: null });
    const server400 = new UpliftClient({ url: server.url, key: sdkKey });
    // The same words as the server's own refusal.
    const direct = await server.gql('query ($u: UserContextInput!) { resolve(user: $u) { userId } }', { u: { id: 'u', tier: 'Not A Slug' } }, sdkKey);
    expect(direct.errors?.[0].message).toBe('tier must be a slug');
    await Promise.all([client.close(), server400.close()]);
  });

  it('tells a bad key (permanent) from an unreachable server (retriable), and throws neither', async () => {
    const badKey = new UpliftClient({ url: server.url, key: 'upl_not_a_key' });
    const answer = await badKey.resolve({ id: 'u1' });
    expect(answer).toMatchObject({ errorCode: 'UNAUTHENTICATED', flags: [] });
    const unreachable = new UpliftClient({ url: await closedPort(), key: sdkKey, timeoutMs: 2_000 });
    expect(await unreachable.flag({ id: 'u1' }, 'new-checkout', false)).toMatchObject({ value: false, errorCode: 'NETWORK_ERROR' });
    const errors: UpliftError[] = [];
    const tracking = new UpliftClient({ url: server.url, key: 'upl_not_a_key', onError: (e) => errors.push(e), batch: { maxAttempts: 5, baseBackoffMs: 1 } });
    tracking.track({ userId: 'u1', type: 'app_open' });
    await tracking.close();
    expect(errors.map((e) => [e.code, e.retriable])).toEqual([['UNAUTHENTICATED', false]]);
    expect(tracking.stats().events).toMatchObject({ failed: 1, sent: 0 });
    await Promise.all([badKey.close(), unreachable.close()]);
  });

  it('retries events through 503s with backoff and stores each once; flushes on close', async () => {
    const proxy = await flakyProxy(2);
    const client = new UpliftClient({ url: proxy.url, key: sdkKey, batch: { baseBackoffMs: 5, maxBackoffMs: 20, flushIntervalMs: 60_000 } });
    client.track([{ userId: 'retry-user', type: 'app_open' }, { userId: 'retry-user', type: 'payment', value: 9.5 }]);
    expect(client.stats().events.queued).toBe(2);
    await client.close();
    expect(proxy.seen()).toBe(3);
    expect(client.stats().events).toMatchObject({ queued: 0, sent: 2, failed: 0 });
    const rows = await server.uplift.dataSource.query('SELECT type, value FROM events WHERE user_id = $1 ORDER BY type', ['retry-user']);
    expect(rows).toEqual([{ type: 'app_open', value: null }, { type: 'payment', value: 9.5 }]);
    await proxy.close();
  });

  it('counts events the server refuses one by one, and stores their neighbours', async () => {
    const client = new UpliftClient({ url: server.url, key: sdkKey });
    client.track([{ userId: 'mixed-user', type: 'Bad Type' }, { userId: 'mixed-user', type: 'post' }]);
    await client.close();
    expect(client.stats().events).toMatchObject({ sent: 1, rejected: 1 });
  });
});

describe('local mode', () => {
  it('is not ready without a configuration, serves defaults meanwhile, and starts from a bootstrap', async () => {
    const url = await closedPort();
    const cold = new LocalUpliftClient({ url, key: sdkKey, refreshIntervalMs: 0, timeoutMs: 500 });
    expect(await cold.ready(1_000)).toBe(false);
    expect(cold.flag({ id: 'u1', tier: 'regular' }, 'new-checkout', false)).toMatchObject({ value: false, errorCode: 'NOT_READY' });
    const warm = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    expect(await warm.ready()).toBe(true);
    const kept = warm.configuration()!;
    // A restart during an outage: the configuration the app kept still serves.
    const restarted = new LocalUpliftClient({ url, key: sdkKey, refreshIntervalMs: 0, timeoutMs: 500, bootstrap: kept });
    expect(await restarted.ready(10)).toBe(true);
    expect(restarted.flag({ id: 'u1', tier: 'regular' }, 'new-checkout', false)).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    await Promise.all([cold.close(), warm.close(), restarted.close()]);
  });

  it('serves the default for a flag using an operator it does not know, and nothing of a newer schema', async () => {
    const warm = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    await warm.ready();
    const config = warm.configuration()!;
    const future: SdkConfig = JSON.parse(JSON.stringify(config));
    const banner = future.flags.find((flag) => flag.key === 'banner')!;
    (banner.rules[0].targeting.conditions[0] as { operator: string }).operator = 'REGEX_MATCH';
    const offline = await closedPort();
    const client = new LocalUpliftClient({ url: offline, key: sdkKey, refreshIntervalMs: 0, timeoutMs: 200, bootstrap: future });
    const sgUser = { id: 'u1', tier: 'regular', attributes: { country: 'sg' } };
    // Without the unknown operator, the server says "lion" for this user; the SDK must not guess.
    expect(warm.flag(sgUser, 'banner', 'plain')).toMatchObject({ value: 'lion' });
    expect(client.flag(sgUser, 'banner', 'plain')).toMatchObject({ value: 'plain', reason: 'ERROR', errorCode: 'UNSUPPORTED_CONFIGURATION' });
    expect(client.flag(sgUser, 'new-checkout', false)).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    expect(client.resolve(sgUser).unavailable).toContainEqual(expect.objectContaining({ kind: 'flag', key: 'banner', errorCode: 'UNSUPPORTED_CONFIGURATION' }));

    const newer = new LocalUpliftClient({ url: offline, key: sdkKey, refreshIntervalMs: 0, timeoutMs: 200, bootstrap: { ...config, schemaVersion: 99 } });
    expect(newer.flag(sgUser, 'new-checkout', false)).toMatchObject({ value: false, errorCode: 'UNSUPPORTED_CONFIGURATION' });
    await Promise.all([warm.close(), client.close(), newer.close()]);
  });

  it('answers a bad user with the default, never an exception', async () => {
    const client = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    await client.ready();
    expect(client.flag({ id: 'x'.repeat(201) }, 'new-checkout', false)).toMatchObject({ value: false, errorCode: 'BAD_USER_INPUT' });
    expect(client.experiment({ id: 'u', attributes: [] as never }, 'anything')).toMatchObject({ variantKey: null, errorCode: 'BAD_USER_INPUT' });
    expect(client.flag(undefined as never, 'new-checkout', false)).toMatchObject({ value: false, errorCode: 'BAD_USER_INPUT' });
    await client.close();
  });
});
