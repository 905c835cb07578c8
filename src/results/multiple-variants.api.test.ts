import { LocalUpliftClient } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../testing/harness';

/**
 * Users seen in more than one variant of an experiment phase, through the real server: how they
 * arrive (a local-mode SDK whose configuration went stale across a restart, a report naming another
 * variant than the user is bucketed into, a second variant logged for the same user), what results
 * count, and that the analysis keeps each user in the arm their exposure holds.
 */
let server: TestServer;
let sdkKey: string;
let analystKey: string;

const DAY_MS = 86_400_000;
const TWO_ARMS = [
  { key: 'control', name: 'Control', weight: 50, isControl: true },
  { key: 'treatment', name: 'Treatment', weight: 50 },
];
const other = (variant: string) => (variant === 'control' ? 'treatment' : 'control');
const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

const RESULTS = `query ($key: String!) { experimentResults(key: $key) {
  phase
  exposures { variantKey users }
  multipleVariantUsers { users share warningShare status arms { variantKey users share } }
  metrics { metricKey arms { variantKey users value } }
} }`;
const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { experiments { experimentKey variantKey phase } } }';
const TRACK_EXPOSURES = 'mutation ($x: [ExposureInput!]!) { trackExposures(exposures: $x) { accepted duplicates rejected { index field message } } }';

async function ok<T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T> {
  const result = await server.gql(query, variables, key);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

const results = async (key: string) => (await ok(RESULTS, { key }, analystKey)).experimentResults;

/** Creates and starts a two-arm experiment; returns its version. */
async function startExperiment(key: string): Promise<number> {
  await ok('mutation ($key: String!, $v: [VariantInput!]!) { createExperiment(input: { key: $key, name: $key, primaryMetricKey: "purchase_3d", variants: $v }) { key } }', { key, v: TWO_ARMS });
  const started = await ok('mutation ($key: String!) { startExperiment(key: $key, version: 1) { version } }', { key });
  await server.uplift.snapshots.refresh();
  return started.startExperiment.version;
}

/** Resolves users through the server (which logs their exposures), returning each one's variant. */
async function resolveAll(experimentKey: string, ids: string[]): Promise<Map<string, string>> {
  const variants = new Map<string, string>();
  for (const id of ids) {
    const answer = await ok(RESOLVE, { user: { id } }, sdkKey);
    variants.set(id, answer.resolve.experiments.find((e: { experimentKey: string }) => e.experimentKey === experimentKey).variantKey);
  }
  await server.uplift.exposures.flush();
  return variants;
}

/** What a local-mode SDK serves, logging nothing. */
async function bucketed(experimentKey: string, ids: string[]): Promise<Map<string, string>> {
  const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
  await local.ready();
  const variants = new Map(ids.map((id) => [id, local.resolve({ id }).experiments.find((e) => e.experimentKey === experimentKey)!.variantKey]));
  await local.close();
  return variants;
}

const count = (variants: Map<string, string>, variant: string) => [...variants.values()].filter((v) => v === variant).length;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK');
  analystKey = await server.createKey('ANALYST');
  await ok('mutation { createMetric(input: { key: "purchase_3d", name: "Purchase (3 days)", kind: CONVERSION, eventTypes: ["purchase"], windowDays: 3 }) { key } }');
});
afterAll(() => server?.close());

describe('users seen in more than one variant', () => {
  it('counts none when every exposure agrees, whether from resolve or from a local-mode SDK', async () => {
    await startExperiment('clean');
    expect((await results('clean')).multipleVariantUsers).toBeNull();
    const resolved = await resolveAll('clean', users('clean-remote', 20));
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    await local.ready();
    for (const id of users('clean-local', 20)) local.experiment({ id }, 'clean');
    // The same users again, as another instance of the app would log them.
    for (const id of resolved.keys()) local.experiment({ id }, 'clean');
    await local.close();
    expect(local.stats().exposures).toMatchObject({ sent: 40, rejected: 0 });

    const clean = await results('clean');
    expect(clean.exposures.reduce((sum: number, e: { users: number }) => sum + e.users, 0)).toBe(40);
    expect(clean.multipleVariantUsers).toEqual({
      users: 0, share: 0, warningShare: 0.01, status: 'OK',
      arms: [{ variantKey: 'control', users: 0, share: 0 }, { variantKey: 'treatment', users: 0, share: 0 }],
    });
  });

  it('counts the users a local-mode SDK still on the old phase shows another variant after a restart', async () => {
    const version = await startExperiment('restarted');
    // An app instance that took its configuration before the restart and never refreshes.
    const stale = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    await stale.ready();
    await ok('mutation ($v: Int!) { restartExperiment(key: "restarted", version: $v, reason: "new randomisation") { phase } }', { v: version });
    await server.uplift.snapshots.refresh();

    // The new phase exposes the users through the server; the stale SDK shows them phase 1's variant.
    const ids = users('restart', 30);
    const now = await resolveAll('restarted', ids);
    const before = new Map(ids.map((id) => [id, stale.experiment({ id }, 'restarted').variantKey!]));
    // Users the stale SDK alone sees are in no arm of the new phase: not counted.
    for (const id of users('stale-only', 5)) stale.experiment({ id }, 'restarted');
    await stale.close();
    expect(stale.stats().exposures).toMatchObject({ sent: 0, rejected: 35 });

    const crossed = ids.filter((id) => before.get(id) !== now.get(id));
    // Two independent 50/50 randomisations disagree for about half of the users (hashing is deterministic: 30 users give a fixed number).
    expect(crossed.length).toBeGreaterThan(5);
    expect(crossed.length).toBeLessThan(25);
    const restarted = await results('restarted');
    expect(restarted.phase).toBe(2);
    expect(restarted.multipleVariantUsers).toMatchObject({ users: crossed.length, share: crossed.length / ids.length });
    expect(restarted.multipleVariantUsers.arms).toEqual(['control', 'treatment'].map((variantKey) => {
      const inArm = crossed.filter((id) => now.get(id) === variantKey).length;
      return { variantKey, users: inArm, share: inArm / count(now, variantKey) };
    }));
    expect(restarted.multipleVariantUsers.status).toBe('WARNING');

    // A phase 1 report dated before the restart is a late phase 1 exposure, not a sighting in phase 2.
    const [late] = (await resolveAll('restarted', ['late-report'])).values();
    const report = (exposedAt: Date) => ({ experimentKey: 'restarted', phase: 1, variantKey: other(late), userId: 'late-report', exposedAt: exposedAt.toISOString() });
    const early = await ok(TRACK_EXPOSURES, { x: [report(new Date(Date.now() - 10 * 60_000))] }, sdkKey);
    expect(early.trackExposures).toEqual({
      accepted: 0, duplicates: 0,
      rejected: [{ index: 0, field: 'phase', message: 'is not the experiment’s current phase (2): the SDK’s configuration is stale (kept as a sighting for the results’ multiple-variant check)' }],
    });
    expect((await results('restarted')).multipleVariantUsers.users).toBe(crossed.length);
    await ok(TRACK_EXPOSURES, { x: [report(new Date())] }, sdkKey);
    expect((await results('restarted')).multipleVariantUsers.users).toBe(crossed.length + 1);
  });

  it('keeps a report of another variant than the user is bucketed into, and a second variant logged for a user, without moving anyone', async () => {
    await startExperiment('mismatch');
    // Ten users exposed five days ago in their own variants (the fixture backdates them), with purchases on day 1.
    const ids = users('mismatch', 10);
    const variants = await bucketed('mismatch', ids);
    const fiveDaysAgo = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 5 * DAY_MS + 3_600_000);
    await server.expose(ids.map((id) => ({ experimentKey: 'mismatch', phase: 1, userId: id, variantKey: variants.get(id)!, tier: null, exposedAt: fiveDaysAgo })));
    const buyers = ids.filter((_, i) => i % 2 === 0);
    const tracked = await ok('mutation ($e: [EventInput!]!) { trackEvents(events: $e) { accepted } }', {
      e: buyers.map((id) => ({ id: `buy-${id}`, userId: id, type: 'purchase', value: 10, occurredAt: new Date(fiveDaysAgo.getTime() + DAY_MS).toISOString() })),
    });
    expect(tracked.trackEvents.accepted).toBe(buyers.length);
    const clean = await results('mismatch');
    expect(clean.multipleVariantUsers.users).toBe(0);

    // A local-mode SDK reports three of them in the other variant: refused as exposures, kept as sightings.
    const reported = ids.slice(0, 3);
    const answer = await ok(TRACK_EXPOSURES, {
      x: reported.map((id) => ({ experimentKey: 'mismatch', phase: 1, variantKey: other(variants.get(id)!), userId: id, exposedAt: new Date().toISOString() })),
    }, sdkKey);
    expect(answer.trackExposures.accepted).toBe(0);
    expect(answer.trackExposures.rejected).toEqual(reported.map((id, index) => ({
      index, field: 'variantKey', message: `is not the variant this user is bucketed into (${variants.get(id)}) (kept as a sighting for the results’ multiple-variant check)`,
    })));
    const afterReports = await results('mismatch');
    expect(afterReports.multipleVariantUsers).toMatchObject({ users: 3, share: 0.3, status: 'WARNING' });
    // Intention to treat: every user stays in the arm their exposure holds, their purchases with them.
    expect(afterReports.exposures).toEqual(clean.exposures);
    expect(afterReports.metrics).toEqual(clean.metrics);
    expect(afterReports.metrics[0].arms.map((a: { users: number }) => a.users)).toEqual([count(variants, 'control'), count(variants, 'treatment')]);

    // A second variant logged for an exposed user (the exposures' key keeps one per user), and two variants in one batch: the first stays, the other is kept beside it.
    const fourth = ids[3];
    await server.expose([{ experimentKey: 'mismatch', phase: 1, userId: fourth, variantKey: other(variants.get(fourth)!), tier: null, exposedAt: new Date() }]);
    await server.expose(['control', 'treatment'].map((variantKey) => ({ experimentKey: 'mismatch', phase: 1, userId: 'two-at-once', variantKey, tier: null, exposedAt: new Date() })));
    const stored = await server.uplift.dataSource.query(
      `SELECT user_id, variant_key FROM exposures WHERE experiment_key = 'mismatch' AND user_id IN ($1, 'two-at-once') ORDER BY user_id`, [fourth]);
    expect(stored).toEqual([{ user_id: fourth, variant_key: variants.get(fourth) }, { user_id: 'two-at-once', variant_key: 'control' }]);
    const last = await results('mismatch');
    expect(last.multipleVariantUsers).toMatchObject({ users: 5, share: 5 / 11 });
    expect(last.exposures.find((e: { variantKey: string }) => e.variantKey === 'control').users).toBe(count(variants, 'control') + 1);
  });

  it('stores the check with each snapshot; snapshots from before it read null', async () => {
    const refreshed = await ok('mutation { refreshExperimentResults(key: "mismatch") { multipleVariantUsers { users status } } }', undefined, analystKey);
    const history = async () => (await ok('{ experimentResultHistory(key: "mismatch", first: 1) { multipleVariantUsers { users status } } }', undefined, analystKey)).experimentResultHistory[0];
    expect(await history()).toEqual(refreshed.refreshExperimentResults);
    expect(refreshed.refreshExperimentResults.multipleVariantUsers.users).toBe(5);
    await server.uplift.dataSource.query(`UPDATE experiment_result_snapshots SET results = results - 'multipleVariantUsers' WHERE experiment_key = 'mismatch'`);
    expect(await history()).toEqual({ multipleVariantUsers: null });
  });
});
