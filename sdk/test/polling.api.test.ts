/**
 * Local mode's configuration over time: polling with ETag (a 304 keeps what the client holds),
 * polling beside the update stream, the last known good configuration kept in a cache, and the
 * initialisation timeout.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { LocalUpliftClient, type ConfigCache, type FetchLike, type SdkConfig, type UpliftError } from '@uplift/sdk';
import { closedPort, startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let sdkKey: string;
let folder: string;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'polling-app');
  await server.ok(`mutation { createFlag(input: { key: "banner", name: "Banner", type: STRING, defaultValue: "plain", enabled: true,
    rules: [{ kind: VALUE, targeting: { tiers: ["regular"] }, value: "regular-banner" }] }) { key } }`);
  await server.ok(`mutation { createExperiment(input: { key: "checkout", name: "Checkout", primaryMetricKey: "d7_retention",
    variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "one-page", name: "O", weight: 50 }] }) { version } }`);
  await server.ok('mutation { startExperiment(key: "checkout", version: 1) { key } }');
  await server.uplift.snapshots.refresh();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-sdk-cache-'));
});
afterAll(async () => {
  await server?.close();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

let bannerVersion = 1;
async function setBanner(value: string): Promise<void> {
  const updated = await server.gql('mutation ($v: Int!, $d: JSON!) { updateFlag(key: "banner", version: $v, input: { defaultValue: $d }) { version } }', { v: bannerVersion, d: value });
  expect(updated.errors).toBeUndefined();
  bannerVersion = updated.data.updateFlag.version;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(what: string, condition: () => boolean, ms = 5_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await sleep(20)) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

interface Seen {
  path: string;
  status: number;
  ifNoneMatch?: string;
}

/** The global fetch, recording what the SDK asked and was answered. */
function recordingFetch(seen: Seen[]): FetchLike {
  return async (input, init) => {
    const response = await fetch(input, init);
    seen.push({ path: new URL(input).pathname, status: response.status, ifNoneMatch: init.headers['if-none-match'] });
    return response;
  };
}

const users = Array.from({ length: 20 }, (_, i) => ({ id: `user-${i}`, tier: i % 2 ? 'regular' : 'casual' }));
const answers = (client: LocalUpliftClient) => users.map((user) => [client.flag(user, 'banner', 'none'), client.experiment(user, 'checkout')]);

describe('polling with ETag', () => {
  it('keeps its configuration on 304 while nothing changed, and picks a change up', async () => {
    const seen: Seen[] = [];
    const client = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 100, fetch: recordingFetch(seen) });
    expect(await client.ready()).toBe(true);
    const first = client.configuration();
    await waitFor('three polls', () => seen.length >= 4);
    const [initial, ...polls] = seen.slice(0, 4);
    expect(initial).toEqual({ path: '/sdk/v1/config', status: 200, ifNoneMatch: undefined });
    for (const poll of polls) expect(poll).toEqual({ path: '/sdk/v1/config', status: 304, ifNoneMatch: expect.stringMatching(/^W\/"/) });
    expect(client.configuration()).toBe(first);

    await setBanner('changed-by-poll');
    await waitFor('the change', () => client.flag<string>({ id: 'u' }, 'banner', 'none').value === 'changed-by-poll');
    expect(seen.some((request, i) => i >= 4 && request.status === 200)).toBe(true);
    expect(client.configuration()!.version).toBe(server.uplift.snapshots.current().version);
    await client.close();
  });

  it('polls ten times as rarely while the stream is connected, and at its pace again once the stream breaks', async () => {
    const seen: Seen[] = [];
    const record = recordingFetch(seen);
    let streamsRefused = false;
    const open: AbortController[] = [];
    // The network between the SDK and the server: streams can be cut and refused, the rest passes.
    const network: FetchLike = async (input, init) => {
      if (!input.includes('/sdk/v1/stream')) return record(input, init);
      if (streamsRefused) return new Response('{"errors":[{"message":"down","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}', { status: 503 });
      const cut = new AbortController();
      open.push(cut);
      init.signal?.addEventListener('abort', () => cut.abort());
      return fetch(input, { ...init, signal: cut.signal });
    };
    const client = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 100, stream: true, fetch: network });
    expect(await client.ready()).toBe(true);
    await waitFor('the stream', () => open.length === 1);
    await sleep(300);
    const beforeQuiet = seen.length;
    await sleep(1_500);
    // Ten intervals of 100 ms between polls: at most two in 1.5 s.
    expect(seen.length - beforeQuiet).toBeLessThanOrEqual(2);

    streamsRefused = true;
    for (const stream of open) stream.abort();
    const afterBreak = seen.length;
    // Back at its pace (100 ms): five polls well within 3.5 s, which at the slowed pace (1 s) would
    // take five seconds; the slack is for a loaded machine, where each poll itself takes longer.
    await waitFor('five polls at the normal pace', () => seen.length - afterBreak >= 5, 3_500);
    await setBanner('changed-while-the-stream-is-down');
    await waitFor('the change through polling', () => client.flag<string>({ id: 'u' }, 'banner', 'none').value === 'changed-while-the-stream-is-down');
    await client.close();
  });
});

/** The Node cache docs/app-developer.md shows: one JSON file. */
function fileCache(file: string): ConfigCache {
  return {
    load: () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as SdkConfig) : null),
    save: (config) => fs.writeFileSync(file, JSON.stringify(config)),
  };
}

describe('the last known good configuration', () => {
  it('serves after a restart while the server is away, as it did before', async () => {
    const file = path.join(folder, 'uplift-config.json');
    const before = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0, cache: fileCache(file) });
    expect(await before.ready()).toBe(true);
    await waitFor('the save', () => fs.existsSync(file));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).version).toBe(before.configuration()!.version);

    const errors: UpliftError[] = [];
    const offline = await closedPort();
    // Its exposures cannot be sent: one try each, so that closing does not wait for retries.
    const restarted = new LocalUpliftClient({ url: offline, key: sdkKey, cache: fileCache(file), onError: (error) => errors.push(error), batch: { maxAttempts: 1 } });
    // Well within the wait: the cache answers, not the server.
    expect(await restarted.ready(200)).toBe(true);
    expect(answers(restarted)).toEqual(answers(before));
    expect(answers(restarted).flat().some((answer) => answer.errorCode)).toBe(false);
    // The server is still tried, and its absence told.
    await waitFor('the failed fetch', () => errors.length > 0);
    expect(errors[0].code).toBe('NETWORK_ERROR');

    // Kept by a server-side key: not what a client-side key for one user may serve.
    const otherUser = new LocalUpliftClient({ url: offline, key: sdkKey, userId: 'someone', refreshIntervalMs: 0, cache: fileCache(file) });
    expect(await otherUser.ready(200)).toBe(false);
    await Promise.all([before.close(), restarted.close(), otherUser.close()]);
  });

  it('goes on without a cache that fails, and tells onError', async () => {
    const errors: UpliftError[] = [];
    const broken: ConfigCache = {
      load: () => {
        throw new Error('disk unreadable');
      },
      save: async () => {
        throw new Error('disk full');
      },
    };
    const client = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0, cache: broken, onError: (error) => errors.push(error) });
    expect(await client.ready()).toBe(true);
    await waitFor('both failures', () => errors.length >= 2);
    expect(errors.map((error) => [error.code, error.message])).toEqual(
      expect.arrayContaining([
        ['CACHE_ERROR', 'Could not load the cached configuration: disk unreadable'],
        ['CACHE_ERROR', 'Could not save the configuration: disk full'],
      ]),
    );
    expect(client.flag({ id: 'u', tier: 'regular' }, 'banner', 'none').errorCode).toBeUndefined();
    await client.close();
  });
});

describe('the initialisation timeout', () => {
  it('gives false after the timeout with no server and no cache, and defaults with NOT_READY meanwhile', async () => {
    // A server that takes connections and never answers: only the timeout ends the wait.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = new LocalUpliftClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, key: sdkKey, timeoutMs: 10_000 });
    const started = Date.now();
    expect(await client.ready(300)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(client.flag({ id: 'u' }, 'banner', 'none')).toMatchObject({ value: 'none', reason: 'ERROR', errorCode: 'NOT_READY' });
    expect(client.experiment({ id: 'u' }, 'checkout')).toMatchObject({ variantKey: null, errorCode: 'NOT_READY' });
    await client.close();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('retries the first fetch while the server is unreachable, and stops waiting at once for a refused key', async () => {
    const seen: Seen[] = [];
    const offline = new LocalUpliftClient({ url: await closedPort(), key: sdkKey, fetch: async (input, init) => {
      seen.push({ path: new URL(input).pathname, status: 0 });
      return fetch(input, init);
    } });
    expect(await offline.ready(1_500)).toBe(false);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    await offline.close();

    const errors: UpliftError[] = [];
    const refused = new LocalUpliftClient({ url: server.url, key: 'upl_not-a-key', onError: (error) => errors.push(error) });
    const started = Date.now();
    expect(await refused.ready(10_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(errors.map((error) => error.code)).toEqual(['UNAUTHENTICATED']);
    await refused.close();
  });
});
