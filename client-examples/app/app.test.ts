import { startAppService } from './app';
import { UpliftClient } from './uplift-client';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let app: Awaited<ReturnType<typeof startAppService>>;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  // activity-incentives running on all traffic, as the product manager set it up.
  const created = await server.gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
    input: {
      key: 'activity-incentives',
      name: 'Activity incentives: check-in versus task system',
      primaryMetricKey: 'd7_retention',
      variants: [
        { key: 'control', name: 'Control', weight: 33.34, isControl: true },
        { key: 'check-in', name: 'Daily check-in reward', weight: 33.33, payload: { strategy: 'check-in', rewardAmount: 1, currency: 'CNY' } },
        { key: 'task-system', name: 'Task centre with badges', weight: 33.33, payload: { strategy: 'task-system', tasks: [{ key: 'first_post', badge: 'storyteller' }] } },
      ],
      targeting: { tiers: ['new', 'regular', 'high_value'], match: 'ALL', conditions: [{ attribute: 'appVersion', operator: 'SEMVER_GTE', value: '5.2.0' }] },
    },
  });
  expect(created.errors).toBeUndefined();
  expect((await server.gql('mutation { startExperiment(key: "activity-incentives", version: 1) { key } }')).errors).toBeUndefined();
  await server.gql(`mutation { createFlag(input: { key: "task-centre", name: "Task centre", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "activity-incentives", variantValues: [{ variantKey: "task-system", value: true }] }] }) { key } }`);
  sdkKey = await server.createKey('SDK', 'example-app');
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

  it('tracks a check-in and its reward cost, as events Uplift stores', async () => {
    const user = await findUserIn('check-in');
    const response = (await (await fetch(`${app.url}/check-in?userId=${user}&tier=regular&appVersion=5.3.0`, { method: 'POST' })).json()) as any;
    expect(response).toEqual({ reward: 1, accepted: 2, duplicates: 0, rejected: [] });
    const rows = await server.uplift.dataSource.query('SELECT type, value FROM events WHERE user_id = $1 ORDER BY type', [user]);
    expect(rows).toEqual([{ type: 'check_in', value: null }, { type: 'reward_cost', value: 1 }]);
  });

  it('evaluates in-process on sdkConfig exactly as the server resolves', async () => {
    const client = new UpliftClient(server.url, sdkKey);
    await client.refreshConfig();
    for (let i = 0; i < 30; i++) {
      const user = { id: `local-${i}`, tier: 'regular', attributes: { appVersion: '5.3.0' } };
      // GraphQL spells an absent errorCode as null.
      const local = client.evaluateLocally(user);
      expect({ ...local, flags: local.flags.map((flag) => ({ errorCode: null, ...flag })) }).toEqual(await client.resolve(user));
    }
  });
});

async function findUserIn(variant: string): Promise<string> {
  const client = new UpliftClient(server.url, sdkKey);
  for (let i = 0; i < 200; i++) {
    const resolution = await client.resolve({ id: `checker-${i}`, tier: 'regular', attributes: { appVersion: '5.3.0' } });
    if (resolution.experiments.some((e) => e.variantKey === variant)) return `checker-${i}`;
  }
  throw new Error(`no user in ${variant} among 200`);
}
