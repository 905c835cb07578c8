/**
 * GrowthBook's own JavaScript SDK pointed at Uplift (`apiHost` = the server, `clientKey` = a
 * CLIENT key): on random configurations and a hand-made one, every flag and experiment it serves
 * equals `resolve`, and what Uplift leaves out of the payload it serves as the app's default.
 */
import { GrowthBook, type Experiment, type Result } from '@growthbook/growthbook';
import { UpliftClient, type Resolution, type User } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../testing/harness';
import { evaluate } from '../engine/evaluate';
import { addRandomConfiguration, mulberry32, randomUser } from '../../sdk/test/random-config.fixture';
import { experimentFeatureKey, type GrowthBookPayload } from './growthbook.rules';

let server: TestServer;
let clientKey: string;
let sdkKey: string;
/** Uplift's own answers: `resolve` through the SDK's remote mode. */
let remote: UpliftClient;

async function ok(query: string, variables?: Record<string, unknown>) {
  const result = await server.gql(query, variables);
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function startExperiment(input: Record<string, unknown>): Promise<void> {
  const created = await ok('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { version } }', { input: { primaryMetricKey: 'd7_retention', name: input.key, ...input } });
  await ok('mutation ($key: String!, $version: Int!) { startExperiment(key: $key, version: $version) { key } }', { key: input.key, version: created.createExperiment.version });
}
const createFlag = (input: Record<string, unknown>) => ok('mutation ($input: CreateFlagInput!) { createFlag(input: $input) { key } }', { input: { name: input.key, ...input } });
const variants = (...weights: number[]) => weights.map((weight, i) => ({ key: i === 0 ? 'control' : `v${i}`, name: `V${i}`, weight, isControl: i === 0, payload: { arm: i } }));
const condition = (attribute: string, operator: string, value: unknown) => ({ attribute, operator, value });

/** The attributes an app hands GrowthBook's SDK for an Uplift user (docs/app-developer.md). */
const attributesOf = (user: User) => ({ ...user.attributes, id: user.id, tier: user.tier ?? null });

/** A GrowthBook SDK that fetched Uplift's payload just now. */
async function growthBook(options: { trackingCallback?: (experiment: Experiment<unknown>, result: Result<unknown>) => void } = {}): Promise<GrowthBook> {
  const gb = new GrowthBook({ apiHost: server.url, clientKey, ...options });
  const init = await gb.init({ timeout: 5_000, skipCache: true });
  expect(init).toMatchObject({ success: true, source: 'network' });
  return gb;
}

async function payload(): Promise<GrowthBookPayload> {
  const response = await fetch(`${server.url}/api/features/${clientKey}`);
  expect(response.status).toBe(200);
  return (await response.json()) as GrowthBookPayload;
}

const LEFT_OUT = 'left out';

/** What resolve answered, item by item, with what Uplift's payload leaves out marked as such. */
function resolveAnswers(resolution: Resolution, config: GrowthBookPayload, experimentKeys: string[]): Record<string, unknown> {
  const leftOut = new Set(config.uplift.leftOut.map((item) => `${item.kind}:${item.key}`));
  const answers: Record<string, unknown> = {};
  for (const key of experimentKeys) {
    const assignment = resolution.experiments.find((e) => e.experimentKey === key);
    answers[experimentFeatureKey(key)] = leftOut.has(`experiment:${key}`) ? LEFT_OUT : [assignment?.variantKey ?? null, assignment?.payload ?? null];
  }
  for (const flag of resolution.flags) answers[flag.key] = leftOut.has(`flag:${flag.key}`) ? LEFT_OUT : flag.value;
  return answers;
}

/** What GrowthBook's SDK answers for the same items: an item it does not know it serves as the app's default. */
async function growthBookAnswers(gb: GrowthBook, user: User, keys: string[]): Promise<Record<string, unknown>> {
  await gb.setAttributes(attributesOf(user));
  const answers: Record<string, unknown> = {};
  for (const key of keys) {
    const result = gb.evalFeature(key);
    if (result.source === 'unknownFeature') answers[key] = LEFT_OUT;
    else if (key.startsWith('experiment:')) answers[key] = [result.source === 'experiment' ? result.experimentResult!.key : null, result.value];
    else answers[key] = result.value;
  }
  return answers;
}

const runningExperimentKeys = async (): Promise<string[]> => (await ok('{ sdkConfig }')).sdkConfig.experiments.map((e: { key: string }) => e.key);

beforeAll(async () => {
  server = await startTestServer();
  clientKey = await server.createKey('CLIENT', 'growthbook-sdk');
  sdkKey = await server.createKey('SDK', 'uplift-sdk');
  remote = new UpliftClient({ url: server.url, key: sdkKey });
  await ok('mutation { setHoldout(input: { percentage: 6 }) { percentage } }');
  await ok('mutation { createLayer(input: { key: "gb-checkout", name: "Checkout" }) { key } }');
  await startExperiment({
    key: 'gb-checkout-copy', variants: variants(20, 30, 50), trafficAllocation: 80, layerKey: 'gb-checkout', layerShare: 50,
    targeting: { tiers: ['regular', 'high_value'], match: 'ALL', conditions: [condition('country', 'IN', ['sg', 'my'])] },
  });
  await startExperiment({
    key: 'gb-onboarding', variants: variants(50, 50), layerKey: 'gb-checkout', layerShare: 30,
    targeting: { tiers: [], match: 'ANY', conditions: [condition('email', 'CONTAINS', '@example.com'), condition('plan', 'NEQ', 'free')] },
  });
  await startExperiment({ key: 'gb-signup-cohort', variants: variants(50, 50), targeting: { tiers: [], match: 'ALL', conditions: [condition('signedUpAt', 'DATE_AFTER', '2026-01-01')] } });
  await startExperiment({ key: 'gb-qa', variants: variants(50, 50) });
  await ok('mutation { setForcedAssignment(experimentKey: "gb-qa", userId: "gb-qa-tester", variantKey: "v1") { userId } }');
  await createFlag({ key: 'gb-new-checkout', type: 'BOOLEAN', defaultValue: false, enabled: true, rules: [
    { kind: 'VALUE', targeting: { tiers: ['high_value'], match: 'ALL', conditions: [] }, value: true },
    { kind: 'ROLLOUT', targeting: { tiers: [], match: 'ALL', conditions: [condition('app.version', 'SEMVER_GTE', '5.2.0'), condition('age', 'LT', 40)] }, percentage: 30, value: true },
  ] });
  await createFlag({ key: 'gb-button', type: 'STRING', defaultValue: 'blue', enabled: true, rules: [
    { kind: 'EXPERIMENT', experimentKey: 'gb-checkout-copy', variantValues: [{ variantKey: 'v1', value: 'green' }, { variantKey: 'v2', value: 'orange' }] },
    { kind: 'VALUE', targeting: { tiers: [], match: 'ALL', conditions: [condition('country', 'EQ', 'sg')] }, value: 'red' },
  ] });
  await createFlag({ key: 'gb-dated-banner', type: 'BOOLEAN', defaultValue: false, enabled: true, rules: [
    { kind: 'VALUE', targeting: { tiers: [], match: 'ALL', conditions: [condition('signedUpAt', 'DATE_AFTER', '2026-01-01')] }, value: true },
  ] });
  await createFlag({ key: 'gb-cohort-offer', type: 'NUMBER', defaultValue: 0, enabled: true, rules: [
    { kind: 'EXPERIMENT', experimentKey: 'gb-signup-cohort', variantValues: [{ variantKey: 'control', value: 0 }, { variantKey: 'v1', value: 5 }] },
  ] });
  await createFlag({ key: 'gb-switched-off', type: 'JSON', defaultValue: { layout: 'classic' }, enabled: false, rules: [{ kind: 'VALUE', value: { layout: 'grid' } }] });
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await remote?.close();
  await server?.close();
});

describe("GrowthBook's SDK pointed at Uplift", () => {
  it('gives every flag and experiment resolve’s answer on the hand-made configuration and two random ones, for random users', async () => {
    for (const seed of [0, 1, 2]) {
      const random = mulberry32(seed * 104_729 + 11);
      if (seed > 0) {
        await addRandomConfiguration(server, random, `gb${seed}`);
        await server.uplift.snapshots.refresh();
      }
      const config = await payload();
      const gb = await growthBook();
      const experimentKeys = await runningExperimentKeys();
      const users = Array.from({ length: 200 }, (_, i) => {
        const user = randomUser(random, i);
        // The hand-made configuration's attributes too, so that its targeting matches some users.
        return { ...user, attributes: { ...user.attributes, email: i % 3 === 0 ? `p${i}@example.com` : `p${i}@mail.test`, plan: random() < 0.5 ? 'free' : 'pro', signedUpAt: '2026-06-01' } };
      });
      const resolutions = await remote.resolveMany(users);
      for (const [i, user] of users.entries()) {
        const expected = resolveAnswers(resolutions[i], config, experimentKeys);
        expect({ user: user.id, answers: await growthBookAnswers(gb, user, Object.keys(expected)) }).toEqual({ user: user.id, answers: expected });
        // The payload serves exactly the items it does not list as left out.
        expect(Object.keys(expected).filter((key) => expected[key] !== LEFT_OUT).sort()).toEqual(Object.keys(config.features).sort());
      }
      // Not vacuous: most items are served, users land in experiments and flags vary.
      expect(Object.keys(config.features).length).toBeGreaterThan(config.uplift.leftOut.length);
      expect(resolutions.filter((r) => r.experiments.some((e) => e.reason === 'SPLIT')).length).toBeGreaterThan(50);
      expect(resolutions.some((r) => r.inHoldout)).toBe(true);
      expect(new Set(resolutions.flatMap((r) => r.flags.map((f) => f.reason))).size).toBeGreaterThanOrEqual(4);
      gb.destroy();
    }
  });

  it('leaves out what GrowthBook cannot express, lists it, and GrowthBook’s SDK serves the app’s default for it', async () => {
    const config = await payload();
    expect(config.uplift.leftOut).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'experiment', key: 'gb-signup-cohort', reason: 'DATE_CONDITION' }),
        expect.objectContaining({ kind: 'flag', key: 'gb-dated-banner', reason: 'DATE_CONDITION' }),
        expect.objectContaining({ kind: 'flag', key: 'gb-cohort-offer', reason: 'EXPERIMENT_LEFT_OUT' }),
      ]),
    );
    const user: User = { id: 'gb-late-signup', tier: 'regular', attributes: { signedUpAt: '2026-06-01' } };
    const [resolution] = await remote.resolveMany([user]);
    expect(resolution.flags.find((f) => f.key === 'gb-dated-banner')?.value).toBe(true);
    const gb = await growthBook();
    await gb.setAttributes(attributesOf(user));
    expect(gb.getFeatureValue('gb-dated-banner', false)).toBe(false);
    expect(gb.evalFeature('gb-dated-banner').source).toBe('unknownFeature');
    gb.destroy();
  });

  it('never names a user: forced assignments are left out, and a forced user gets the variant their id hashes to', async () => {
    const config = await payload();
    expect(JSON.stringify(config)).not.toContain('gb-qa-tester');
    expect(config.uplift.forcedAssignmentsLeftOut).toContain('gb-qa');
    const tester = { id: 'gb-qa-tester', tier: 'regular', attributes: {} };
    const [resolution] = await remote.resolveMany([tester]);
    expect(resolution.experiments.find((e) => e.experimentKey === 'gb-qa')).toMatchObject({ variantKey: 'v1', reason: 'TARGETING_MATCH' });
    const running = server.uplift.snapshots.current();
    const unforced = evaluate({ ...running, experiments: running.experiments.map((e) => ({ ...e, forcedAssignments: {} })) }, tester);
    const gb = await growthBook();
    await gb.setAttributes(attributesOf(tester));
    const result = gb.evalFeature(experimentFeatureKey('gb-qa'));
    expect(result.source === 'experiment' ? result.experimentResult!.key : null).toBe(unforced.experiments.find((e) => e.experimentKey === 'gb-qa')?.variantKey ?? null);
    gb.destroy();
  });

  it('feeds GrowthBook’s trackingCallback into trackExposures: bucketed users are stored, a forced user is refused', async () => {
    const tracked: { experimentKey: string; phase: number; variantKey: string; userId: string; tier: string | null; exposedAt: string }[] = [];
    const gb = await growthBook({
      trackingCallback: (experiment, result) => {
        tracked.push({ experimentKey: experiment.key, phase: Number(experiment.phase), variantKey: result.key, userId: String(result.hashValue), tier: (gb.getAttributes().tier as string | null) ?? null, exposedAt: new Date().toISOString() });
      },
    });
    const users: User[] = [...Array.from({ length: 40 }, (_, i) => ({ id: `gb-tracked-${i}`, tier: 'regular', attributes: { country: 'sg' } })), { id: 'gb-qa-tester', tier: 'regular', attributes: {} }];
    for (const user of users) {
      await gb.setAttributes(attributesOf(user));
      gb.getFeatureValue('gb-button', 'blue');
      gb.evalFeature(experimentFeatureKey('gb-qa'));
      gb.evalFeature(experimentFeatureKey('gb-checkout-copy'));
    }
    gb.destroy();
    const forcedIndex = tracked.findIndex((exposure) => exposure.userId === 'gb-qa-tester' && exposure.experimentKey === 'gb-qa');
    expect(forcedIndex).toBeGreaterThanOrEqual(0);
    // GrowthBook calls back once per user and experiment; the flag and the experiment's own feature share one.
    const distinct = new Set(tracked.map((exposure) => `${exposure.experimentKey}|${exposure.userId}`));
    expect(distinct.size).toBe(tracked.length);
    expect(new Set(tracked.map((exposure) => exposure.experimentKey))).toEqual(new Set(['gb-qa', 'gb-checkout-copy']));

    const mutation = 'mutation ($exposures: [ExposureInput!]!) { trackExposures(exposures: $exposures) { accepted duplicates rejected { index field message } } }';
    const sent = await server.gql(mutation, { exposures: tracked }, clientKey);
    expect(sent.errors).toBeUndefined();
    expect(sent.data.trackExposures).toMatchObject({ accepted: tracked.length - 1, duplicates: 0, rejected: [{ index: forcedIndex, field: 'userId' }] });
    const stored = await server.uplift.dataSource.query('SELECT experiment_key, phase, variant_key, user_id, tier FROM exposures WHERE user_id LIKE $1', ['gb-tracked-%']);
    expect(stored.map((row: Record<string, unknown>) => `${row.experiment_key}|${row.phase}|${row.variant_key}|${row.user_id}|${row.tier}`).sort()).toEqual(
      tracked.filter((_, i) => i !== forcedIndex).map((e) => `${e.experimentKey}|${e.phase}|${e.variantKey}|${e.userId}|${e.tier}`).sort(),
    );
    // Sent again (GrowthBook calls back again after a restart): nothing stored twice.
    const again = await server.gql(mutation, { exposures: tracked }, clientKey);
    expect(again.data.trackExposures).toMatchObject({ accepted: 0, duplicates: tracked.length - 1 });
  });
});

describe('GET /api/features/<key>', () => {
  const get = (key: string, headers: Record<string, string> = {}) => fetch(`${server.url}/api/features/${key}`, { headers });

  it('takes CLIENT keys only, and answers JSON errors', async () => {
    const adminKey = server.adminKey;
    const analystKey = await server.createKey('ANALYST', 'analyst');
    for (const [key, status, reason] of [
      ['not-a-key', 401, 'INVALID_KEY'],
      [`upl_${'A'.repeat(38)}`, 401, 'INVALID_KEY'],
      [sdkKey, 403, 'KEY_IN_ADDRESS'],
      [adminKey, 403, 'KEY_IN_ADDRESS'],
      [analystKey, 403, 'KEY_IN_ADDRESS'],
      ['%E0%A4%A', 400, undefined],
    ] as const) {
      const response = await get(key);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string; reason: string } }[] };
      expect({ key: key.slice(0, 12), status: response.status, json: response.headers.get('content-type')?.startsWith('application/json') }).toEqual({ key: key.slice(0, 12), status, json: true });
      if (reason) expect(body.errors[0].extensions.reason).toBe(reason);
      expect(JSON.stringify(body)).not.toContain(key);
    }
  });

  it('stops serving a revoked key at once', async () => {
    const created = await ok('mutation { createApiKey(input: { name: "gb-revoked", role: CLIENT }) { secret apiKey { id } } }');
    expect((await get(created.createApiKey.secret)).status).toBe(200);
    await ok('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: created.createApiKey.apiKey.id });
    const refused = await get(created.createApiKey.secret);
    expect(refused.status).toBe(401);
  });

  it('answers 304 to a client holding the current payload, and a new ETag once the configuration changes', async () => {
    const first = await get(clientKey);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    // GrowthBook's SDKs open their update stream only when this header says so: Uplift does not.
    expect(first.headers.get('x-sse-support')).toBeNull();
    expect((await get(clientKey, { 'if-none-match': etag })).status).toBe(304);
    await createFlag({ key: 'gb-late-flag', type: 'BOOLEAN', defaultValue: true, enabled: true });
    const changed = await get(clientKey, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as GrowthBookPayload).features['gb-late-flag']).toEqual({ defaultValue: true, rules: [] });
  });
});
