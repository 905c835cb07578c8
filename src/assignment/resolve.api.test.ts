import { Client } from 'pg';
import { errorCode, postGraphQL, startSecondInstance, startTestServer, type TestServer } from '../testing/harness';
import { evaluate } from './evaluate';
import type { ConfigSnapshot } from './snapshot';

let server: TestServer;
let sdkKey: string;

const RESOLVE = `query ($user: UserContextInput!) { resolve(user: $user) {
  userId inHoldout experiments { experimentKey variantKey payload phase reason } flags { key value variant reason errorCode } entitlements { key } } }`;

async function setUp(gql: TestServer['gql']) {
  const variants = [
    { key: 'control', name: 'Control', weight: 34, isControl: true },
    { key: 'check-in', name: 'Check-in', weight: 33, payload: { rewardAmount: 1 } },
    { key: 'task-system', name: 'Tasks', weight: 33, payload: { tasks: ['post'] } },
  ];
  const create = 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }';
  await gql(create, { input: { key: 'activity-incentives', name: 'A', primaryMetricKey: 'd7_retention', variants } });
  await gql(create, {
    input: {
      key: 'advisor-pilot', name: 'Advisor', primaryMetricKey: 'd7_retention', targeting: { tiers: ['high_value'] },
      variants: [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'advisor', name: 'Advisor', weight: 50, payload: { advisor: true } }],
    },
  });
  await gql('mutation { startExperiment(key: "activity-incentives", version: 1) { key } }');
  await gql('mutation { startExperiment(key: "advisor-pilot", version: 1) { key } }');
  await gql('mutation { setForcedAssignment(experimentKey: "activity-incentives", userId: "qa-1", variantKey: "task-system") { userId } }');
  await gql(`mutation { createFlag(input: { key: "task-centre", name: "Task centre", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "activity-incentives", variantValues: [{ variantKey: "task-system", value: true }] }] }) { key } }`);
}

beforeAll(async () => {
  server = await startTestServer();
  await setUp(server.gql);
  sdkKey = await server.createKey('SDK', 'mobile-app');
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

const resolveAs = (user: object, key = sdkKey) => server.gql(RESOLVE, { user }, key);

/** Waits up to `ms` for `check` to hold, for changes that travel asynchronously. */
async function eventually(check: () => Promise<boolean>, ms = 1_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('resolve', () => {
  it('gives an SDK key a user’s variants, flag values and (empty) entitlements in one call', async () => {
    const result = await resolveAs({ id: 'user-42', tier: 'regular' });
    expect(result.errors).toBeUndefined();
    const resolution = result.data.resolve;
    expect(resolution).toMatchObject({ userId: 'user-42', inHoldout: false, entitlements: [] });
    expect(resolution.experiments.map((e: any) => e.experimentKey)).toEqual(['activity-incentives']);
    expect(resolution.experiments[0]).toMatchObject({ phase: 1, reason: 'SPLIT' });
    expect(resolution.flags).toHaveLength(1);
    const inTasks = resolution.experiments[0].variantKey === 'task-system';
    expect(resolution.flags[0]).toMatchObject({ key: 'task-centre', value: inTasks, reason: inTasks ? 'SPLIT' : 'DEFAULT' });
  });

  it('answers exactly as the pure module does on sdkConfig, in process', async () => {
    const config: ConfigSnapshot = (await server.gql('{ sdkConfig }', undefined, sdkKey)).data.sdkConfig;
    const users = Array.from({ length: 50 }, (_, i) => ({ id: `u-${i}`, tier: i % 3 === 0 ? 'high_value' : 'regular', attributes: {} }));
    const many = await server.gql('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId inHoldout experiments { experimentKey variantKey payload phase reason } flags { key value variant reason } } }', { users }, sdkKey);
    const local = users.map((user) => evaluate(config, user));
    expect(many.data.resolveMany).toEqual(local.map(({ flags, ...rest }) => ({ ...rest, flags: flags.map(({ errorCode: _e, ...f }) => f) })));
    const inAdvisorPilot = users.filter((_, i) => local[i].experiments.some((e) => e.experimentKey === 'advisor-pilot'));
    expect(inAdvisorPilot.length).toBeGreaterThan(0);
    expect(inAdvisorPilot.every((user) => user.tier === 'high_value')).toBe(true);
  });

  it('serves forced assignments with reason TARGETING_MATCH and records no exposure for them', async () => {
    const result = (await resolveAs({ id: 'qa-1' })).data.resolve;
    expect(result.experiments[0]).toMatchObject({ experimentKey: 'activity-incentives', variantKey: 'task-system', reason: 'TARGETING_MATCH' });
    expect(result.flags[0]).toMatchObject({ value: true, variant: 'task-system', reason: 'TARGETING_MATCH' });
    await server.uplift.exposures.flush();
    expect(await server.uplift.dataSource.query(`SELECT 1 FROM exposures WHERE user_id = 'qa-1'`)).toEqual([]);
  });

  it('records each user’s exposure exactly once, with its variant, phase and tier', async () => {
    for (let i = 0; i < 3; i++) await resolveAs({ id: 'exposed-once', tier: 'high_value' });
    await server.uplift.exposures.flush();
    const rows = await server.uplift.dataSource.query(`SELECT experiment_key, phase, variant_key, tier FROM exposures WHERE user_id = 'exposed-once' ORDER BY experiment_key`);
    const resolved = (await resolveAs({ id: 'exposed-once', tier: 'high_value' })).data.resolve.experiments;
    expect(rows).toEqual(resolved.map((e: any) => ({ experiment_key: e.experimentKey, phase: 1, variant_key: e.variantKey, tier: 'high_value' })));
  });

  it('refuses analysts, over-long batches and attributes that are not an object', async () => {
    const analyst = await server.createKey('ANALYST');
    expect(errorCode(await resolveAs({ id: 'x' }, analyst))).toBe('FORBIDDEN');
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: `u${i}` }));
    const refused = await server.gql('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }', { users: tooMany }, sdkKey);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'users' });
    const badAttributes = await resolveAs({ id: 'x', attributes: [1, 2] });
    expect(badAttributes.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'user.attributes' });
    const emptyId = await resolveAs({ id: '' });
    expect(emptyId.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_USER', field: 'user.id' });
    const badTier = await server.gql('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }', { users: [{ id: 'a' }, { id: 'b', tier: 'High Value' }] }, sdkKey);
    expect(badTier.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'users.1.tier' });
  });

  it('sees a change on this instance at once: a paused experiment assigns nobody', async () => {
    const before = (await resolveAs({ id: 'change-watcher' })).data.resolve.experiments.length;
    expect(before).toBe(1);
    await server.gql('mutation { pauseExperiment(key: "activity-incentives", version: 2) { status } }');
    await eventually(async () => (await resolveAs({ id: 'change-watcher' })).data.resolve.experiments.length === 0);
    await server.gql('mutation { resumeExperiment(key: "activity-incentives", version: 3) { status } }');
    await eventually(async () => (await resolveAs({ id: 'change-watcher' })).data.resolve.experiments.length === 1);
  });
});

// LISTEN/NOTIFY needs a PostgreSQL server: PGlite's socket server does not deliver notifications.
(process.env.DATABASE_URL ? describe : describe.skip)('two instances on one PostgreSQL', () => {
  if (!process.env.DATABASE_URL) {
    // eslint-disable-next-line no-console
    console.warn('SKIPPED: the two-instance NOTIFY tests need DATABASE_URL (a PostgreSQL server).');
  }

  it('give identical answers, and the second sees a change made on the first within a second', async () => {
    const second = await startSecondInstance(server);
    try {
      const users = Array.from({ length: 20 }, (_, i) => ({ id: `pair-${i}`, tier: 'high_value' }));
      const query = 'query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId experiments { experimentKey variantKey } flags { key value } } }';
      const onFirst = await server.gql(query, { users }, sdkKey);
      const onSecond = await postGraphQL(second.url, query, { users }, sdkKey);
      expect(onSecond.data).toEqual(onFirst.data);

      const version = (await server.gql('{ experiment(key: "advisor-pilot") { version } }')).data.experiment.version;
      await server.gql(`mutation { pauseExperiment(key: "advisor-pilot", version: ${version}) { status } }`);
      const started = Date.now();
      await eventually(async () => {
        const result = await postGraphQL(second.url, RESOLVE, { user: { id: 'pair-0', tier: 'high_value' } }, sdkKey);
        return !result.data.resolve.experiments.some((e: any) => e.experimentKey === 'advisor-pilot');
      }, 1_000);
      expect(Date.now() - started).toBeLessThan(1_000);

      // A key revoked on the first instance stops at once on the second too.
      const doomed = await server.gql('mutation { createApiKey(input: { name: "doomed", role: SDK }) { secret apiKey { id } } }');
      const { secret, apiKey } = doomed.data.createApiKey;
      expect((await postGraphQL(second.url, RESOLVE, { user: { id: 'x' } }, secret)).errors).toBeUndefined();
      await server.gql(`mutation { revokeApiKey(id: "${apiKey.id}") { id } }`);
      await eventually(async () => errorCode(await postGraphQL(second.url, RESOLVE, { user: { id: 'x' } }, secret)) === 'UNAUTHENTICATED');
    } finally {
      await second.close();
    }
  });

  it('keeps resolving from the last snapshot while the database is away', async () => {
    const before = (await resolveAs({ id: 'outage-user', tier: 'regular' })).data.resolve;
    const name = new URL(server.databaseUrl!).pathname.slice(1);
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      expect((await server.gql('{ experiments { nodes { key } } }')).errors).toBeDefined();
      const during = await resolveAs({ id: 'outage-user', tier: 'regular' });
      expect(during.errors).toBeUndefined();
      expect(during.data.resolve).toEqual(before);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await eventually(async () => !(await server.gql('{ experiments { nodes { key } } }')).errors, 5_000);
  });
});
