/**
 * The SDK's OpenFeature provider (`@uplift/sdk/openfeature`) under the official
 * `@openfeature/server-sdk`, against the real server: every flag type with targeting, rollout, an
 * experiment, disabled, static and unknown flags, each answer equal to resolve's; OpenFeature's
 * error codes; exposures when a value is read; tracking into trackEvents; and the provider's
 * events: Ready, ConfigurationChanged after a mutation (over the live stream), Stale while the
 * server cannot be reached and Ready once it can, Error when no configuration came.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenFeature, ProviderEvents, type Client, type EventDetails } from '@openfeature/server-sdk';
import { UpliftProvider } from '@uplift/sdk/openfeature';
import { startTestServer, type TestServer } from '../../src/testing/harness';
import { contextOf, createOpenFeatureFlags, expectEveryFlagAsResolve, ok, OPENFEATURE_USERS } from '../../src/ofrep/openfeature-flags.fixture';

let server: TestServer;
let sdkKey: string;
let provider: UpliftProvider;
let client: Client;
const changes: EventDetails[] = [];

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'openfeature');
  await createOpenFeatureFlags(server);
  provider = new UpliftProvider({ url: server.url, key: sdkKey, stream: true, refreshIntervalMs: 0, batch: { flushIntervalMs: 50 } });
  await OpenFeature.setProviderAndWait(provider);
  client = OpenFeature.getClient();
  client.addHandler(ProviderEvents.ConfigurationChanged, (details) => void changes.push(details!));
});
afterAll(async () => {
  await OpenFeature.close();
  await server?.close();
});

describe('the OpenFeature provider', () => {
  it('is ready at once and names itself', () => {
    expect(client.providerStatus).toBe('READY');
    expect(OpenFeature.getProviderMetadata().name).toBe('uplift');
  });

  it('gives every flag type the value, variant and reason resolve gives, for 40 users, with the configuration and experiment as metadata', async () => {
    expect(provider.client.configuration()!.version).toBe(server.uplift.snapshots.current().version);
    const reasons = await expectEveryFlagAsResolve(server, sdkKey, client);
    // Targeting, rollout, experiment, default, disabled and static all occurred.
    expect([...reasons].sort()).toEqual(['DEFAULT', 'DISABLED', 'SPLIT', 'STATIC', 'TARGETING_MATCH']);
  });

  it('answers the code default with OpenFeature’s error codes', async () => {
    expect(await client.getBooleanDetails('no-such-flag', true, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(await client.getNumberDetails('banner', 7, { targetingKey: 'u1' })).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(await client.getObjectDetails('new-checkout', { on: false }, { targetingKey: 'u1' })).toMatchObject({ value: { on: false }, errorCode: 'TYPE_MISMATCH' });
    expect(await client.getBooleanDetails('new-checkout', false, { tier: 'regular' })).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'u1', tier: 'Not A Slug' })).toMatchObject({
      value: false,
      errorCode: 'INVALID_CONTEXT',
      errorMessage: 'context.tier: tier must be a slug',
    });
  });

  it('reads dates in the context as the server would read them over OFREP: ISO 8601 strings', async () => {
    await ok(server, `mutation { createFlag(input: { key: "late-joiner", name: "Late joiner", type: BOOLEAN, defaultValue: false, enabled: true,
      rules: [{ kind: VALUE, targeting: { conditions: [{ attribute: "signedUpAt", operator: DATE_AFTER, value: "2026-06-01T00:00:00Z" }] }, value: true }] }) { key } }`);
    await waitFor(() => provider.client.configuration()!.flags.some((flag) => flag.key === 'late-joiner'));
    expect(await client.getBooleanValue('late-joiner', false, { targetingKey: 'd1', signedUpAt: new Date('2026-07-01T00:00:00Z') })).toBe(true);
    expect(await client.getBooleanValue('late-joiner', false, { targetingKey: 'd2', signedUpAt: new Date('2026-05-01T00:00:00Z') })).toBe(false);
  });

  it('logs the exposure of the experiment behind a flag when its value is read, once', async () => {
    const reader = OPENFEATURE_USERS.find((user) => user.id === 'of-user-5')!;
    await client.getObjectValue('layout', { columns: 0 }, contextOf(reader));
    await client.getObjectValue('layout', { columns: 0 }, contextOf(reader));
    await client.getBooleanValue('new-checkout', false, { targetingKey: 'not-an-experiment-reader', tier: 'regular' });
    await provider.client.flush();
    const rows = await server.uplift.dataSource.query(`SELECT user_id, experiment_key FROM exposures WHERE user_id IN ('of-user-5', 'not-an-experiment-reader')`);
    expect(rows).toEqual([{ user_id: 'of-user-5', experiment_key: 'checkout-test' }]);
  });

  it('sends OpenFeature’s tracking events to trackEvents: the value, the other details as properties', async () => {
    client.track('purchase', { targetingKey: 'buyer-1' }, { value: 9.5, currency: 'SGD', items: 2, at: new Date('2026-11-01T10:00:00Z') });
    client.track('app_open', { targetingKey: 'buyer-1' });
    client.track('Not A Type', { targetingKey: 'buyer-1' }); // refused by the server's rules, alone
    const before = provider.client.stats().events;
    await provider.client.flush();
    expect(provider.client.stats().events).toMatchObject({ sent: before.sent + 2, rejected: before.rejected + 1, failed: 0 });
    const rows = await server.uplift.dataSource.query(`SELECT type, value, properties FROM events WHERE user_id = 'buyer-1' ORDER BY type`);
    expect(rows).toEqual([
      { type: 'app_open', value: null, properties: null },
      { type: 'purchase', value: 9.5, properties: { currency: 'SGD', items: 2, at: '2026-11-01T10:00:00.000Z' } },
    ]);
  });

  it('says ConfigurationChanged, naming the flags changed, when a mutation reaches it over the live stream', async () => {
    changes.length = 0;
    const flag = await ok(server, '{ flag(key: "new-checkout") { version } }');
    await ok(server, `mutation { updateFlag(key: "new-checkout", version: ${flag.flag.version}, input: { defaultValue: true }) { version } }`);
    await waitFor(() => changes.length > 0, 3_000);
    expect(changes[0]).toMatchObject({ flagsChanged: ['new-checkout'], metadata: { configVersion: server.uplift.snapshots.current().version } });
    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'someone-new', tier: 'new' })).toBe(true);
  });
});

/** A switchable way in to the real server: while down it answers 503, as a load balancer without a backend does. */
async function gateway(target: string) {
  let up = true;
  const proxy = http.createServer((req, res) => {
    if (!up) return void res.writeHead(503).end();
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    set up(value: boolean) {
      up = value;
    },
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition()).toBe(true);
}

describe('the provider’s events when the server is away', () => {
  it('says Stale when the server has not answered for staleAfterMs, serving the last configuration, and Ready when it answers again', async () => {
    const way = await gateway(server.url);
    const seen: string[] = [];
    const stale = new UpliftProvider({ url: way.url, key: sdkKey, refreshIntervalMs: 100, staleAfterMs: 400 });
    await OpenFeature.setProviderAndWait('stale-test', stale);
    const domain = OpenFeature.getClient('stale-test');
    domain.addHandler(ProviderEvents.Stale, () => void seen.push('stale'));
    domain.addHandler(ProviderEvents.Ready, () => void seen.push('ready'));
    seen.length = 0; // Ready handlers run at once for a provider already ready
    way.up = false;
    await waitFor(() => seen.includes('stale'), 3_000);
    expect(domain.providerStatus).toBe('STALE');
    // The last configuration still serves.
    expect(await domain.getBooleanDetails('new-checkout', false, { targetingKey: 'u', tier: 'regular' })).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    way.up = true;
    await waitFor(() => seen.at(-1) === 'ready', 3_000);
    expect(seen).toEqual(['stale', 'ready']);
    expect(domain.providerStatus).toBe('READY');
    await OpenFeature.clearProviders();
    await way.close();
  });

  it('says Error when no configuration arrives within initTimeoutMs, and Ready when one does', async () => {
    const way = await gateway(server.url);
    way.up = false;
    const late = new UpliftProvider({ url: way.url, key: sdkKey, refreshIntervalMs: 100, initTimeoutMs: 300 });
    const errors: EventDetails[] = [];
    const domain = OpenFeature.getClient('late-test');
    domain.addHandler(ProviderEvents.Error, (details) => void errors.push(details!));
    await expect(OpenFeature.setProviderAndWait('late-test', late)).rejects.toThrow(/No configuration from Uplift within 300 ms/);
    expect(errors).toHaveLength(1);
    expect(domain.providerStatus).toBe('ERROR');
    expect(await domain.getBooleanDetails('new-checkout', false, { targetingKey: 'u', tier: 'regular' })).toMatchObject({ value: false, errorCode: 'PROVIDER_NOT_READY' });
    let ready = false;
    domain.addHandler(ProviderEvents.Ready, () => void (ready = true));
    way.up = true;
    await waitFor(() => ready, 3_000);
    expect(domain.providerStatus).toBe('READY');
    expect(await domain.getBooleanValue('new-checkout', false, { targetingKey: 'u', tier: 'regular' })).toBe(true);
    await OpenFeature.clearProviders();
    await way.close();
  });
});
