/**
 * OFREP against the official provider (@openfeature/ofrep-provider on @openfeature/server-sdk):
 * boolean, string, number and object flags, targeting, rollout, disabled and unknown flags, every
 * answer equal to resolve's; plus the bulk endpoint's ETag and 304, and OFREP's error codes.
 */
import { OpenFeature, type Client } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { startTestServer, type TestServer } from '../testing/harness';

let server: TestServer;
let sdkKey: string;
let client: Client;

async function ok(query: string) {
  const result = await server.gql(query);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'ofrep');
  const created = await ok(`mutation { createExperiment(input: { key: "checkout-test", name: "Checkout", primaryMetricKey: "d7_retention",
    variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "treatment", name: "T", weight: 50 }] }) { version } }`);
  await ok(`mutation { startExperiment(key: "checkout-test", version: ${created.createExperiment.version}) { key } }`);
  await ok(`mutation { createFlag(input: { key: "new-checkout", name: "New checkout", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: VALUE, targeting: { tiers: ["regular"] }, value: true }] }) { key } }`);
  await ok(`mutation { createFlag(input: { key: "banner", name: "Banner", type: STRING, defaultValue: "plain", enabled: true,
    rules: [{ kind: VALUE, targeting: { conditions: [{ attribute: "country", operator: IN, value: ["sg", "my"] }] }, value: "lion" },
            { kind: ROLLOUT, percentage: 50, value: "stripes" }] }) { key } }`);
  await ok(`mutation { createFlag(input: { key: "max-items", name: "Max items", type: NUMBER, defaultValue: 10, enabled: true,
    rules: [{ kind: VALUE, targeting: { conditions: [{ attribute: "app.version", operator: SEMVER_GTE, value: "5.2.0" }] }, value: 25 }] }) { key } }`);
  await ok(`mutation { createFlag(input: { key: "layout", name: "Layout", type: JSON, defaultValue: { columns: 1 }, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "checkout-test", variantValues: [{ variantKey: "treatment", value: { columns: 2 } }, { variantKey: "control", value: { columns: 1 } }] }] }) { key } }`);
  await ok(`mutation { createFlag(input: { key: "retired", name: "Retired", type: BOOLEAN, defaultValue: false, enabled: false,
    rules: [{ kind: VALUE, value: true }] }) { key } }`);
  await server.uplift.snapshots.refresh();
  await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${sdkKey}`]] }));
  client = OpenFeature.getClient();
});
afterAll(async () => {
  await OpenFeature.close();
  await server?.close();
});

interface Resolved {
  flags: { key: string; value: unknown; variant: string | null; reason: string }[];
}
async function resolveFlags(user: { id: string; tier?: string; attributes?: Record<string, unknown> }): Promise<Resolved['flags']> {
  const { data } = await server.gql('query ($u: UserContextInput!) { resolve(user: $u) { flags { key value variant reason } } }', { u: user }, sdkKey);
  return data.resolve.flags;
}

const USERS = Array.from({ length: 40 }, (_, i) => ({
  id: `of-user-${i}`,
  tier: ['regular', 'new', undefined][i % 3],
  attributes: { country: ['sg', 'th', 'id', 'my'][i % 4], app: { version: ['5.1.0', '5.2.0', '6.0.0'][i % 3] } },
}));
const contextOf = (user: (typeof USERS)[number]) => ({ targetingKey: user.id, ...(user.tier ? { tier: user.tier } : {}), ...user.attributes });

describe('OFREP with the official OpenFeature provider', () => {
  it('gives every flag type the value, variant and reason resolve gives, for 40 users', async () => {
    const reasons = new Set<string>();
    for (const user of USERS) {
      const expected = Object.fromEntries((await resolveFlags(user)).map((flag) => [flag.key, flag]));
      const context = contextOf(user);
      const details = [
        await client.getBooleanDetails('new-checkout', false, context),
        await client.getStringDetails('banner', 'none', context),
        await client.getNumberDetails('max-items', -1, context),
        await client.getObjectDetails('layout', { columns: 0 }, context),
        await client.getBooleanDetails('retired', true, context),
      ];
      for (const detail of details) {
        const flag = expected[detail.flagKey];
        expect({ key: detail.flagKey, value: detail.value, variant: detail.variant ?? null, reason: detail.reason, errorCode: detail.errorCode }).toEqual({
          key: flag.key, value: flag.value, variant: flag.variant, reason: flag.reason, errorCode: undefined,
        });
        // The same metadata as the SDK's provider: the configuration, and the experiment that served the value.
        const servedBy = detail.flagKey === 'layout' ? { experimentKey: 'checkout-test', experimentPhase: 1 } : {};
        expect(detail.flagMetadata).toEqual({ configVersion: server.uplift.snapshots.current().version, ...servedBy });
        reasons.add(detail.reason!);
      }
    }
    // Targeting, rollout, experiment, default and disabled all occurred.
    expect([...reasons].sort()).toEqual(['DEFAULT', 'DISABLED', 'SPLIT', 'TARGETING_MATCH']);
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
    expect(answer.flags.map((f: { key: string }) => f.key).sort()).toEqual(['banner', 'layout', 'max-items', 'new-checkout', 'retired']);
    expect(answer.flags.find((f: { key: string }) => f.key === 'new-checkout')).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const again = await post('', body, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const otherUser = await post('', JSON.stringify({ context: { targetingKey: 'etag-user', tier: 'new' } }), { 'if-none-match': etag });
    expect(otherUser.status).toBe(200);
    expect(otherUser.headers.get('etag')).not.toBe(etag);
  });

  it('answers bulk evaluation with every flag as resolve gives it, for 40 users', async () => {
    for (const user of USERS) {
      const answer = await post('', JSON.stringify({ context: contextOf(user) }));
      expect(answer.status).toBe(200);
      const { flags } = (await answer.json()) as { flags: { key: string; value: unknown; variant?: string; reason: string }[] };
      expect(flags.map((flag) => ({ key: flag.key, value: flag.value, variant: flag.variant ?? null, reason: flag.reason }))).toEqual(await resolveFlags(user));
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
