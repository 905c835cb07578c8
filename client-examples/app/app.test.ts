import { startAppService } from './app';
import { UpliftClient, UpliftError } from './uplift-client';
import { pmExamples } from '../../src/graphiql/graphiql';
import { startTestServer, type TestServer } from '../../src/testing/harness';

let server: TestServer;
let app: Awaited<ReturnType<typeof startAppService>>;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  // The product manager's flow up to the ramp: activity-incentives running on all traffic.
  for (const example of pmExamples().filter((e) => /^0[1-4]-/.test(e.name))) {
    const result = await server.gql(example.query, example.variables ? JSON.parse(example.variables) : undefined);
    expect(result.errors).toBeUndefined();
  }
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

describe('UpliftClient retries', () => {
  // Retrying through a real outage (503 SERVICE_UNAVAILABLE until the database is back) is in src/server/outage.api.test.ts.
  it('throws a permanent error at once, without retrying', async () => {
    const retries: number[] = [];
    const client = new UpliftClient(server.url, 'upl_not_a_key', { baseDelayMs: 1, onRetry: (attempt) => retries.push(attempt) });
    const error = await client.resolve({ id: 'u1', tier: null, attributes: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpliftError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', retriable: false });
    expect(retries).toEqual([]);
  });

  it('retries an Uplift that does not answer, a bounded number of times', async () => {
    const closed = await startAppService({ upliftUrl: server.url, sdkKey });
    await closed.close();
    const retries: number[] = [];
    const client = new UpliftClient(closed.url, sdkKey, { attempts: 3, baseDelayMs: 1, onRetry: (attempt) => retries.push(attempt) });
    const error = await client.resolve({ id: 'u1', tier: null, attributes: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retriable: true });
    expect(retries).toEqual([1, 2]);
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
