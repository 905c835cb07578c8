/**
 * OFREP against the official provider (@openfeature/ofrep-provider on @openfeature/server-sdk):
 * boolean, string, number and object flags, targeting, rollout, disabled and unknown flags, every
 * answer equal to resolve's; plus the bulk endpoint's ETag and 304, and OFREP's error codes.
 */
import { OpenFeature, type Client } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { startTestServer, type TestServer } from '../testing/harness';
import { contextOf, createOpenFeatureFlags, expectEveryFlagAsResolve, OPENFEATURE_USERS, resolvedFlags } from './openfeature-flags.fixture';

let server: TestServer;
let sdkKey: string;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'ofrep');
  await createOpenFeatureFlags(server);
  await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${sdkKey}`]] }));
  client = OpenFeature.getClient();
});
afterAll(async () => {
  await OpenFeature.close();
  await server?.close();
});

describe('OFREP with the official OpenFeature provider', () => {
  it('gives every flag type the value, variant, reason and metadata resolve and the SDK’s provider give, for 40 users', async () => {
    const reasons = await expectEveryFlagAsResolve(server, sdkKey, client);
    // Targeting, rollout, experiment, default, disabled and static all occurred.
    expect([...reasons].sort()).toEqual(['DEFAULT', 'DISABLED', 'SPLIT', 'STATIC', 'TARGETING_MATCH']);
  });

  it('serves the code default with FLAG_NOT_FOUND for an unknown flag, and TYPE_MISMATCH for the wrong type', async () => {
    const unknown = await client.getBooleanDetails('no-such-flag', true, { targetingKey: 'u1' });
    expect(unknown).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    const mismatch = await client.getNumberDetails('banner', 7, { targetingKey: 'u1' });
    expect(mismatch).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    const missingKey = await client.getBooleanDetails('new-checkout', false, { tier: 'regular' });
    expect(missingKey).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('logs the exposure of the experiment behind a flag read one at a time, and none for bulk', async () => {
    const post = (path: string, context: object) =>
      fetch(`${server.url}/ofrep/v1/evaluate/flags${path}`, { method: 'POST', headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ context }) });
    expect((await post('', { targetingKey: 'bulk-reader' })).status).toBe(200);
    expect((await post('/layout', { targetingKey: 'single-reader' })).status).toBe(200);
    await server.uplift.exposures.flush();
    const rows = await server.uplift.dataSource.query(`SELECT user_id FROM exposures WHERE user_id IN ('bulk-reader', 'single-reader')`);
    expect(rows).toEqual([{ user_id: 'single-reader' }]);
  });
});

describe('OFREP over HTTP', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/ofrep/v1/evaluate/flags${path}`, { method: 'POST', headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json', ...headers }, body });

  it('answers bulk evaluation with an ETag, 304 for the same answer, and a new tag when the answer changes', async () => {
    const body = JSON.stringify({ context: { targetingKey: 'etag-user', tier: 'regular' } });
    const first = await post('', body);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    const answer = (await first.json()) as { flags: { key: string; value: unknown; reason: string }[] };
    expect(answer.flags.map((f: { key: string }) => f.key).sort()).toEqual(['banner', 'layout', 'max-items', 'new-checkout', 'page-size', 'retired']);
    expect(answer.flags.find((f: { key: string }) => f.key === 'new-checkout')).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const again = await post('', body, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const otherUser = await post('', JSON.stringify({ context: { targetingKey: 'etag-user', tier: 'new' } }), { 'if-none-match': etag });
    expect(otherUser.status).toBe(200);
    expect(otherUser.headers.get('etag')).not.toBe(etag);
  });

  it('answers bulk evaluation with every flag as resolve gives it, for 40 users', async () => {
    for (const user of OPENFEATURE_USERS) {
      const answer = await post('', JSON.stringify({ context: contextOf(user) }));
      expect(answer.status).toBe(200);
      const { flags } = (await answer.json()) as { flags: { key: string; value: unknown; variant?: string; reason: string }[] };
      const bulk = Object.fromEntries(flags.map((flag) => [flag.key, { key: flag.key, value: flag.value, variant: flag.variant ?? null, reason: flag.reason }]));
      expect(bulk).toEqual(await resolvedFlags(server, sdkKey, user));
    }
  });

  it('uses OFREP’s error codes and statuses', async () => {
    expect(await (await post('/new-checkout', '{not json')).json()).toMatchObject({ errorCode: 'PARSE_ERROR' });
    const missing = await post('/new-checkout', JSON.stringify({ context: { tier: 'regular' } }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ key: 'new-checkout', errorCode: 'TARGETING_KEY_MISSING', errorDetails: expect.any(String) });
    const badTier = await post('/new-checkout', JSON.stringify({ context: { targetingKey: 'u', tier: 'Not A Slug' } }));
    expect(await badTier.json()).toMatchObject({ errorCode: 'INVALID_CONTEXT', errorDetails: 'context.tier: tier must be a slug' });
    const unknown = await post('/nope', JSON.stringify({ context: { targetingKey: 'u' } }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ key: 'nope', errorCode: 'FLAG_NOT_FOUND' });
    const noKey = await fetch(`${server.url}/ofrep/v1/evaluate/flags/new-checkout`, { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(401);
    const analyst = await server.createKey('ANALYST', 'reader');
    expect((await post('/new-checkout', JSON.stringify({ context: { targetingKey: 'u' } }), { authorization: `Bearer ${analyst}` })).status).toBe(403);
    const badKey = await post('/new-checkout', JSON.stringify({ context: { targetingKey: 'u' } }), { authorization: 'Bearer upl_nope' });
    expect(badKey.status).toBe(401);
    const huge = await post('', JSON.stringify({ context: { targetingKey: 'u', note: 'x'.repeat(70_000) } }));
    expect(huge.status).toBe(400);
    expect(await huge.json()).toEqual({ errorCode: 'PARSE_ERROR', errorDetails: 'The body is larger than 64 KiB' });
    const badEscape = await post('/%E0%A4%A', JSON.stringify({ context: { targetingKey: 'u' } }));
    expect(badEscape.status).toBe(400);
    expect(await badEscape.json()).toMatchObject({ errorCode: 'PARSE_ERROR' });
    expect(await (await post('/new%2Dcheckout', JSON.stringify({ context: { targetingKey: 'u', tier: 'regular' } }))).json()).toMatchObject({ key: 'new-checkout', value: true });
    // Only POST evaluates: anything else is not an OFREP address.
    expect((await fetch(`${server.url}/ofrep/v1/evaluate/flags`, { headers: { authorization: `Bearer ${sdkKey}` } })).status).toBe(404);
  });
});
