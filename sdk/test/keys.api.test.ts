/**
 * What each key may read: server-side SDK keys get the whole configuration; public client-side
 * keys get only what one user's evaluation needs, never other users' ids or entitlement rules.
 */
import { LocalUpliftClient, UpliftClient } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let sdkKey: string;
let clientKey: string;

async function ok(query: string, variables?: Record<string, unknown>) {
  const result = await server.gql(query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'server-app');
  clientKey = await server.createKey('CLIENT', 'web-app');
  const created = await ok(`mutation { createExperiment(input: { key: "onboarding", name: "Onboarding", primaryMetricKey: "d7_retention",
    variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "tour", name: "T", weight: 50, payload: { steps: 3 } }] }) { version } }`);
  await ok('mutation ($v: Int!) { startExperiment(key: "onboarding", version: $v) { key } }', { v: created.createExperiment.version });
  await ok('mutation { setForcedAssignment(experimentKey: "onboarding", userId: "qa-alice@example.com", variantKey: "tour") { userId } }');
  await ok('mutation { setForcedAssignment(experimentKey: "onboarding", userId: "qa-bob@example.com", variantKey: "control") { userId } }');
  await ok(`mutation { createFlag(input: { key: "tour-banner", name: "Tour banner", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "onboarding", variantValues: [{ variantKey: "tour", value: true }] }] }) { key } }`);
  await ok('mutation { createEntitlement(input: { key: "dark-mode", name: "Dark mode", kind: FEATURE }) { key } }');
  await ok('mutation { createEntitlement(input: { key: "daily-posts", name: "Daily posts", kind: QUOTA, period: DAY, defaultValue: 5 }) { key } }');
  await ok(`mutation { createEntitlementRule(input: { key: "vip-dark-mode", name: "VIP dark mode", effect: GRANT, enabled: true, targeting: { tiers: ["high_value"] },
    entitlements: [{ key: "dark-mode" }] }) { key } }`);
  await ok(`mutation { createEntitlementRule(input: { key: "active-posters", name: "Active posters", effect: GRANT, enabled: true,
    behaviour: [{ fact: EVENT_COUNT, eventTypes: ["post"], windowDays: 7, operator: GTE, value: 3 }], entitlements: [{ key: "daily-posts", value: 20 }] }) { key } }`);
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

const SDK_CONFIG = 'query ($userId: String) { sdkConfig(userId: $userId) }';

describe('what a key may read', () => {
  it('gives a server-side key every forced assignment, with the schema version, and no entitlement rules', async () => {
    const { data } = await server.gql(SDK_CONFIG, {}, sdkKey);
    expect(data.sdkConfig.schemaVersion).toBe(1);
    expect(data.sdkConfig.experiments[0].forcedAssignments).toEqual({ 'qa-alice@example.com': 'tour', 'qa-bob@example.com': 'control' });
    expect(data.sdkConfig.entitlements).toBeUndefined();
    expect(JSON.stringify(data.sdkConfig)).not.toMatch(/vip-dark-mode|active-posters/);
  });

  it('makes a client-side key name its user, and gives it that user’s forced assignment only, and no entitlement rules', async () => {
    const missing = await server.gql(SDK_CONFIG, {}, clientKey);
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'USER_REQUIRED' });
    const alice = (await server.gql(SDK_CONFIG, { userId: 'qa-alice@example.com' }, clientKey)).data.sdkConfig;
    expect(alice.experiments[0].forcedAssignments).toEqual({ 'qa-alice@example.com': 'tour' });
    expect(alice.entitlements).toBeUndefined();
    expect(JSON.stringify(alice)).not.toContain('qa-bob');
    const stranger = (await server.gql(SDK_CONFIG, { userId: 'someone' }, clientKey)).data.sdkConfig;
    expect(JSON.stringify(stranger)).not.toMatch(/qa-alice|qa-bob/);
    expect(stranger.schemaVersion).toBe(1);
  });

  it('lets a client-side key resolve and track, but not resolve many users or read the admin API', async () => {
    const one = await server.gql('{ resolve(user: { id: "u1" }) { userId } }', undefined, clientKey);
    expect(one.errors).toBeUndefined();
    const many = await server.gql('{ resolveMany(users: [{ id: "u1" }]) { userId } }', undefined, clientKey);
    expect(many.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const experiments = await server.gql('{ experiments { nodes { key } } }', undefined, clientKey);
    expect(experiments.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tracked = await server.gql(
      'mutation ($e: [EventInput!]!) { trackEvents(events: $e) { accepted } }',
      { e: [{ id: 'client-ev-1', userId: 'u1', type: 'app_open', occurredAt: new Date().toISOString() }] },
      clientKey,
    );
    expect(tracked.data?.trackEvents.accepted).toBe(1);
  });

  it('answers the forced user exactly as resolve does in local mode with a client-side key, and refuses other users', async () => {
    const local = new LocalUpliftClient({ url: server.url, key: clientKey, userId: 'qa-alice@example.com', refreshIntervalMs: 0 });
    const remote = new UpliftClient({ url: server.url, key: clientKey });
    expect(await local.ready()).toBe(true);
    const alice = { id: 'qa-alice@example.com' };
    const { experiments, flags } = local.resolve(alice);
    const answer = await remote.resolve(alice);
    expect({ experiments, flags }).toEqual({ experiments: answer.experiments, flags: answer.flags });
    expect(experiments).toEqual([expect.objectContaining({ experimentKey: 'onboarding', variantKey: 'tour', reason: 'TARGETING_MATCH' })]);
    expect(local.resolve({ id: 'qa-bob@example.com' })).toMatchObject({ errorCode: 'NEEDS_SERVER', experiments: [] });
    expect(local.resolve(alice).unavailable).toContainEqual(expect.objectContaining({ kind: 'entitlements', errorCode: 'NEEDS_SERVER' }));
    await Promise.all([local.close(), remote.close()]);
  });

  it('says a server-side key’s local mode cannot answer entitlements, which come from resolve', async () => {
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    await local.ready();
    expect(local.resolve({ id: 'e', tier: 'high_value' })).toMatchObject({
      entitlements: null,
      unavailable: [expect.objectContaining({ kind: 'entitlements', key: '*', errorCode: 'NEEDS_SERVER' })],
    });
    await local.close();
  });

  it('decides entitlements locally when given the entitlement section, where no server-side fact is needed, and says which it cannot', async () => {
    // The server sends no key the rules; an app that holds them (here: the server's own) can bootstrap with them.
    const served = (await server.gql(SDK_CONFIG, {}, sdkKey)).data.sdkConfig;
    const { catalogue, rules, hasUserGrants } = server.uplift.snapshots.entitlements();
    const bootstrap = { ...served, entitlements: { catalogue, rules: rules.filter((rule) => rule.enabled), hasUserGrants } };
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0, bootstrap });
    const remote = new UpliftClient({ url: server.url, key: sdkKey });
    for (const tier of ['high_value', 'regular']) {
      const user = { id: `ent-${tier}`, tier };
      const answer = local.resolve(user);
      const fromServer = await remote.resolve(user);
      expect(answer.unavailable).toEqual([expect.objectContaining({ kind: 'entitlement', key: 'daily-posts', errorCode: 'NEEDS_SERVER' })]);
      expect(answer.entitlements).toEqual(fromServer.entitlements!.filter((entitlement) => entitlement.key !== 'daily-posts'));
    }
    expect(local.resolve({ id: 'v', tier: 'high_value' }).entitlements).toEqual([expect.objectContaining({ key: 'dark-mode', value: true, source: 'vip-dark-mode' })]);
    await Promise.all([local.close(), remote.close()]);
  });
});
