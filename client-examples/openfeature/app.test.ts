import { startOpenFeatureApp } from './app';
import { startTestServer, type TestServer } from '../../src/testing/harness';
import { createOpenFeatureFlags, OPENFEATURE_USERS, resolvedFlags } from '../../src/ofrep/openfeature-flags.fixture';

let server: TestServer;
let app: Awaited<ReturnType<typeof startOpenFeatureApp>>;
let sdkKey: string;

beforeAll(async () => {
  server = await startTestServer();
  await createOpenFeatureFlags(server);
  sdkKey = await server.createKey('SDK', 'openfeature-app');
  app = await startOpenFeatureApp({ upliftUrl: server.url, sdkKey });
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

const checkout = async (query: string) => (await (await fetch(`${app.url}/checkout?${query}`)).json()) as Record<string, unknown>;
const queryOf = (user: (typeof OPENFEATURE_USERS)[number]) =>
  new URLSearchParams({ userId: user.id, ...(user.tier ? { tier: user.tier } : {}), country: String(user.attributes.country), appVersion: (user.attributes.app as { version: string }).version }).toString();

describe('client-examples/openfeature', () => {
  it('shows each user the flags resolve gives them, and the experiment behind the layout', async () => {
    const experiments = new Set<unknown>();
    for (const user of OPENFEATURE_USERS) {
      const expected = await resolvedFlags(server, sdkKey, user);
      const answer = await checkout(queryOf(user));
      expect(answer).toEqual({
        newCheckout: expected['new-checkout'].value,
        banner: expected.banner.value,
        maxItems: expected['max-items'].value,
        layout: expected.layout.value,
        experiment: expected.layout.reason === 'SPLIT' ? 'checkout-test' : null,
      });
      experiments.add(answer.experiment);
    }
    expect(experiments).toEqual(new Set(['checkout-test']));
  });

  it('tracks a purchase through OpenFeature, stored as an event with its value', async () => {
    const answer = await (await fetch(`${app.url}/purchase?userId=buyer-7&amount=12.5`, { method: 'POST' })).json();
    expect(answer).toEqual({ tracked: 1 });
    const rows = await server.uplift.dataSource.query(`SELECT type, value, properties FROM events WHERE user_id = 'buyer-7'`);
    expect(rows).toEqual([{ type: 'purchase', value: 12.5, properties: { currency: 'SGD' } }]);
  });

  it('serves a change made in Uplift within a second, without a restart', async () => {
    const { data } = await server.gql('{ flag(key: "banner") { version } }');
    const updated = await server.gql(`mutation { updateFlag(key: "banner", version: ${data.flag.version}, input: { defaultValue: "autumn", rules: [] }) { version } }`);
    expect(updated.errors).toBeUndefined();
    const started = Date.now();
    while ((await checkout('userId=anyone')).banner !== 'autumn' && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await checkout('userId=anyone')).banner).toBe('autumn');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
