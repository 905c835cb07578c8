import { DEFAULT_DAILY_POSTS, startAppService } from './app';
import { createAppKey } from './create-app-key';
import { LocalUpliftClient, UpliftClient } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let app: Awaited<ReturnType<typeof startAppService>>;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  // activity-incentives running on all traffic: control, a daily check-in reward and a task system.
  const created = await server.gql(`mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { version } }`, {
    input: {
      key: 'activity-incentives',
      name: 'Activity incentives: check-in versus task system',
      strategy: 'task-system',
      trafficAllocation: 100,
      primaryMetricKey: 'd7_retention',
      variants: [
        { key: 'control', name: 'Control', weight: 33.34, isControl: true },
        { key: 'check-in', name: 'Daily check-in reward', weight: 33.33, payload: { strategy: 'check-in', rewardType: 'red_packet', rewardAmount: 1, currency: 'CNY' } },
        { key: 'task-system', name: 'Task centre with badges', weight: 33.33, payload: { strategy: 'task-system', tasks: [{ key: 'first_post', badge: 'storyteller' }] } },
      ],
      targeting: { tiers: ['new', 'regular', 'high_value'], match: 'ALL', conditions: [{ attribute: 'appVersion', operator: 'SEMVER_GTE', value: '5.2.0' }] },
    },
  });
  expect(created.errors).toBeUndefined();
  const started = await server.gql(`mutation { startExperiment(key: "activity-incentives", version: ${created.data.createExperiment.version}) { status } }`);
  expect(started.errors).toBeUndefined();
  await server.gql(`mutation { createFlag(input: { key: "task-centre", name: "Task centre", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "activity-incentives", variantValues: [{ variantKey: "task-system", value: true }] }] }) { key } }`);
  // High-value users get dark mode and 20 posts a day; nobody else has either.
  for (const mutation of [
    'createEntitlement(input: { key: "dark-mode", name: "Dark mode", kind: FEATURE }) { key }',
    'createEntitlement(input: { key: "daily-posts", name: "Daily posts", kind: QUOTA, period: DAY, defaultValue: 5 }) { key }',
    `createEntitlementRule(input: { key: "vip-perks", name: "VIP perks", effect: GRANT, enabled: true, targeting: { tiers: ["high_value"] },
      entitlements: [{ key: "dark-mode" }, { key: "daily-posts", value: 20 }] }) { key }`,
  ]) {
    expect((await server.gql(`mutation { ${mutation} }`)).errors).toBeUndefined();
  }
  sdkKey = await createAppKey(server.url, server.adminKey, 'example-app', 'SDK');
  await server.uplift.snapshots.refresh();
  app = await startAppService({ upliftUrl: server.url, sdkKey });
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('client-examples/app', () => {
  it('shows each user the incentive of their variant, consistently, with the task centre only for the task-system arm', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const home = (await (await fetch(`${app.url}/home?userId=user-${i}&tier=regular&appVersion=5.3.0`)).json()) as any;
      seen.set(home.variant, (seen.get(home.variant) ?? 0) + 1);
      expect(home.taskCentre).toBe(home.variant === 'task-system');
      const again = (await (await fetch(`${app.url}/home?userId=user-${i}&tier=regular&appVersion=5.3.0`)).json()) as any;
      expect(again).toEqual(home);
    }
    expect([...seen.keys()].sort()).toEqual(['check-in', 'control', 'task-system']);
  });

  it('serves each user their entitlements from the same answer', async () => {
    const home = async (tier: string) => (await (await fetch(`${app.url}/home?userId=entitled-${tier}&tier=${tier}&appVersion=5.3.0`)).json()) as any;
    expect(await home('high_value')).toMatchObject({ darkMode: true, dailyPosts: 20, errorCode: null });
    expect(await home('regular')).toMatchObject({ darkMode: false, dailyPosts: DEFAULT_DAILY_POSTS, errorCode: null });
  });

  it('runs on a key created through the API with an admin key, and on nothing weaker to create one', async () => {
    const keys = (await server.gql('query { apiKeys { name role } }')).data.apiKeys;
    expect(keys).toContainEqual({ name: 'example-app', role: 'SDK' });
    await expect(createAppKey(server.url, sdkKey, 'not-allowed', 'SDK')).rejects.toThrow(/FORBIDDEN/);
  });

  it('tracks a check-in and its reward cost, as events Uplift stores', async () => {
    const user = await findUserIn('check-in');
    const response = (await (await fetch(`${app.url}/check-in?userId=${user}&tier=regular&appVersion=5.3.0`, { method: 'POST' })).json()) as any;
    expect(response).toEqual({ reward: 1, tracked: 2 });
    expect(app.uplift.stats().events).toMatchObject({ sent: 2, rejected: 0, failed: 0 });
    const rows = await server.uplift.dataSource.query('SELECT type, value FROM events WHERE user_id = $1 ORDER BY type', [user]);
    expect(rows).toEqual([{ type: 'check_in', value: null }, { type: 'reward_cost', value: 1 }]);
  });

  it('evaluates in-process (the SDK’s local mode) exactly as the server resolves', async () => {
    const remote = new UpliftClient({ url: server.url, key: sdkKey });
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    expect(await local.ready()).toBe(true);
    for (let i = 0; i < 30; i++) {
      const user = { id: `local-${i}`, tier: 'regular', attributes: { appVersion: '5.3.0' } };
      const { userId, inHoldout, experiments, flags } = local.resolve(user);
      const answer = await remote.resolve(user);
      expect({ userId, inHoldout, experiments, flags }).toEqual({ userId: answer.userId, inHoldout: answer.inHoldout, experiments: answer.experiments, flags: answer.flags });
    }
    await Promise.all([remote.close(), local.close()]);
  });
});

async function findUserIn(variant: string): Promise<string> {
  const client = new UpliftClient({ url: server.url, key: sdkKey });
  for (let i = 0; i < 200; i++) {
    const resolution = await client.resolve({ id: `checker-${i}`, tier: 'regular', attributes: { appVersion: '5.3.0' } });
    if (resolution.experiments.some((e) => e.variantKey === variant)) return `checker-${i}`;
  }
  throw new Error(`no user in ${variant} among 200`);
}
