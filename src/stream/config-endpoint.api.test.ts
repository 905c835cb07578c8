/**
 * `GET /sdk/v1/config`: sdkConfig's answer over plain HTTP with an ETag, for polling SDKs.
 */
import { startTestServer, type TestServer } from '../testing/harness';

const ORIGIN = 'https://app.example.com';
const SDK_CONFIG = 'query ($userId: String) { sdkConfig(userId: $userId) }';

let server: TestServer;
let sdkKey: string;
let clientKey: string;

beforeAll(async () => {
  server = await startTestServer({ config: { corsOrigins: [ORIGIN] } });
  sdkKey = await server.createKey('SDK', 'polling-server');
  clientKey = await server.createKey('CLIENT', 'polling-web');
  const created = await server.ok(`mutation { createExperiment(input: { key: "onboarding", name: "Onboarding", primaryMetricKey: "d7_retention",
    variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "tour", name: "T", weight: 50 }] }) { version } }`);
  await server.ok('mutation ($v: Int!) { startExperiment(key: "onboarding", version: $v) { key } }', { v: created.createExperiment.version });
  await server.ok('mutation { setForcedAssignment(experimentKey: "onboarding", userId: "qa-alice", variantKey: "tour") { userId } }');
  await server.ok('mutation { createFlag(input: { key: "banner", name: "Banner", type: STRING, defaultValue: "plain", enabled: true }) { key } }');
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}/sdk/v1/config${path}`, { headers });
const jsonOf = async (response: Response): Promise<any> => response.json();
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('GET /sdk/v1/config', () => {
  it('answers what sdkConfig answers the same key, with an ETag, and 304 with no body while it is unchanged', async () => {
    const response = await get('', bearer(sdkKey));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('vary')).toMatch(/authorization/i);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    const body = await jsonOf(response);
    expect(body).toEqual((await server.gql(SDK_CONFIG, {}, sdkKey)).data.sdkConfig);
    expect(body.experiments[0].forcedAssignments).toEqual({ 'qa-alice': 'tour' });

    const again = await get('', { ...bearer(sdkKey), 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    // Another tag, or a list without the current one, gets the body.
    expect((await get('', { ...bearer(sdkKey), 'if-none-match': 'W/"1.0000000000000000.server"' })).status).toBe(200);
    expect((await get('', { ...bearer(sdkKey), 'if-none-match': `W/"x", ${etag}` })).status).toBe(304);
  });

  it('changes its ETag and body when the configuration changes', async () => {
    const before = await get('', bearer(sdkKey));
    const etag = before.headers.get('etag')!;
    await server.ok('mutation { updateFlag(key: "banner", version: 1, input: { defaultValue: "lion" }) { version } }');
    const after = await get('', { ...bearer(sdkKey), 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const body = await jsonOf(after);
    expect(body.version).toBe(server.uplift.snapshots.current().version);
    expect(body.flags.find((flag: { key: string }) => flag.key === 'banner').defaultValue).toBe('lion');
  });

  it('makes a client-side key name its user, as sdkConfig does, and gives it only that user’s forced assignments', async () => {
    const missing = await get('', bearer(clientKey));
    expect(missing.status).toBe(400);
    expect((await jsonOf(missing)).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'USER_REQUIRED', field: 'userId' });
    const invalid = await get(`?userId=${'x'.repeat(300)}`, bearer(clientKey));
    expect(invalid.status).toBe(400);
    expect((await jsonOf(invalid)).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_USER' });

    for (const userId of ['qa-alice', 'someone', 'ünïcode "quoted" \\ id']) {
      const response = await get(`?userId=${encodeURIComponent(userId)}`, bearer(clientKey));
      expect(response.status).toBe(200);
      const text = await response.text();
      // Byte for byte what GraphQL gives: the same key order, the same escaping.
      expect(text).toBe(JSON.stringify((await server.gql(SDK_CONFIG, { userId }, clientKey)).data.sdkConfig));
      expect(JSON.parse(text).forcedAssignmentsOf).toBe(userId);
      if (userId !== 'qa-alice') expect(text).not.toContain('qa-alice');
      const etag = response.headers.get('etag')!;
      expect(etag).not.toBe((await get('', bearer(sdkKey))).headers.get('etag'));
      expect((await get(`?userId=${encodeURIComponent(userId)}`, { ...bearer(clientKey), 'if-none-match': etag })).status).toBe(304);
    }
  });

  it('refuses as the rest of the server does: 401 without a valid key, 403 for a role that may not read it', async () => {
    const none = await get('');
    expect(none.status).toBe(401);
    expect((await jsonOf(none)).errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING_KEY' });
    const bad = await get('', bearer('upl_nope'));
    expect(bad.status).toBe(401);
    expect((await jsonOf(bad)).errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_KEY' });
    const analyst = await server.createKey('ANALYST', 'reader');
    const forbidden = await get('', bearer(analyst));
    expect(forbidden.status).toBe(403);
    expect((await jsonOf(forbidden)).errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
    // A key in the address is for the stream's EventSource only.
    expect((await get(`?key=${clientKey}&userId=u`)).status).toBe(401);
  });

  it('lets a configured browser origin read the ETag and send If-None-Match', async () => {
    const preflight = await fetch(`${server.url}/sdk/v1/config?userId=u`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, if-none-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/if-none-match/);
    const response = await get('?userId=u', { ...bearer(clientKey), origin: ORIGIN });
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/(^|,\s*)etag(\s*,|$)/i);
  });
});
