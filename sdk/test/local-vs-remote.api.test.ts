/**
 * Local mode against the real server: on random configurations and random users, the SDK's
 * in-process answers (the server's engine, bundled into the package) equal `resolve`'s.
 */
import { LocalUpliftClient, UpliftClient, type Resolution } from '@uplift/sdk';
import { startTestServer, type TestServer } from '../../src/testing/harness';
import { addRandomConfiguration, mulberry32, randomUser } from './random-config.fixture';

let server: TestServer;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'sdk-tests');
  const holdout = await server.gql('mutation { setHoldout(input: { percentage: 7 }) { percentage } }');
  expect(holdout.errors).toBeUndefined();
});
afterAll(async () => {
  await server?.close();
});

/** Experiments and flags: what both modes must agree on (entitlements are compared where local mode gives them). */
const comparable = ({ userId, inHoldout, experiments, flags }: Resolution) => ({ userId, inHoldout, experiments, flags });

describe('local mode gives the answers resolve gives', () => {
  it.each([1, 2, 3])('on random configuration %i and 150 random users', async (seed) => {
    const random = mulberry32(seed * 7919);
    const forcedUsers = await addRandomConfiguration(server, random, `r${seed}`);
    await server.uplift.snapshots.refresh();
    const remote = new UpliftClient({ url: server.url, key: sdkKey });
    const local = new LocalUpliftClient({ url: server.url, key: sdkKey, refreshIntervalMs: 0 });
    expect(await local.ready()).toBe(true);
    const users = [...Array.from({ length: 150 }, (_, i) => randomUser(random, i)), ...forcedUsers.map((id) => ({ id, tier: 'regular' }))];
    const remoteAnswers = await remote.resolveMany(users);
    let inSomeExperiment = 0;
    users.forEach((user, i) => {
      const answer = local.resolve(user);
      expect(answer.errorCode).toBeUndefined();
      expect(answer.unavailable.filter((item) => item.errorCode === 'UNSUPPORTED_CONFIGURATION')).toEqual([]);
      expect(comparable(answer)).toEqual(comparable(remoteAnswers[i]));
      if (answer.experiments.length > 0) inSomeExperiment++;
    });
    // The comparison is not vacuous: users land in experiments, flags vary, some are forced.
    expect(inSomeExperiment).toBeGreaterThan(20);
    expect(new Set(remoteAnswers.flatMap((r) => r.flags.map((f) => f.reason))).size).toBeGreaterThanOrEqual(3);
    expect(remoteAnswers.some((r) => r.experiments.some((e) => e.reason === 'TARGETING_MATCH'))).toBe(true);
    expect(remoteAnswers.some((r) => r.inHoldout)).toBe(true);
    await Promise.all([remote.close(), local.close()]);
  });
});
