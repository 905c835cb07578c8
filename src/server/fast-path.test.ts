import { startTestServer, type TestServer } from '../testing/harness';
import { compileIfFast } from './fast-path';
import { buildUpliftSchema } from './schema';

let server: TestServer;
let sdkKey: string;
beforeAll(async () => {
  server = await startTestServer();
  await server.gql(`mutation { createExperiment(input: { key: "fast", name: "Fast", primaryMetricKey: "d7_retention", variants: [
    { key: "control", name: "C", weight: 50, isControl: true }, { key: "treatment", name: "T", weight: 50, payload: { reward: 5 } }] }) { key } }`);
  await server.gql('mutation { startExperiment(key: "fast", version: 1) { key } }');
  await server.uplift.snapshots.refresh();
  sdkKey = await server.createKey('SDK');
});
afterAll(async () => {
  await server?.close();
});

const RESOLVE = 'query Resolve($user: UserContextInput!) { resolve(user: $user) { userId experiments { experimentKey variantKey payload reason } flags { key } } }';

/** With an operationName the request goes through Express and Apollo; without one, through the compiled path. */
async function both(variables: object, key: string | null, query = RESOLVE) {
  const send = (operationName?: string) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables, operationName }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
  return { apollo: await send('Resolve'), fast: await send() };
}

describe('the compiled path for resolve', () => {
  it('takes only documents that ask for resolve or resolveMany alone, and are valid', async () => {
    const schema = await buildUpliftSchema();
    const compile = (query: string) => compileIfFast(schema, [], 5_000, query);
    expect(compile(RESOLVE)).not.toBeNull();
    expect(compile('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }')).not.toBeNull();
    expect(compile('{ experiments { nodes { key } } }')).toBeNull();
    expect(compile('query ($user: UserContextInput!) { resolve(user: $user) { userId } experiments { nodes { key } } }')).toBeNull();
    expect(compile('mutation { trackEvents(events: []) { accepted } }')).toBeNull();
    expect(compile('query { resolve(user: { id: "x" }) { userId nope } }')).toBeNull();
    expect(compile('{ resolve(user: { id: "x" }) { userId } ')).toBeNull();
    expect(compile('{ __schema { types { name } } }')).toBeNull();
  });

  it('answers exactly as Apollo does: results, role refusals, bad keys, bad variables, validation errors', async () => {
    const cases: [object, string | null][] = [
      [{ user: { id: 'same-answer', tier: 'regular' } }, sdkKey],
      [{ user: { id: 'same-answer' } }, await server.createKey('ANALYST')],
      [{ user: { id: 'same-answer' } }, 'upl_unknown'],
      [{ user: { id: 'same-answer' } }, null],
      [{ user: { tier: 'no-id' } }, sdkKey],
      [{ user: { id: '' } }, sdkKey],
      [{ user: { id: 'x', attributes: [1] } }, sdkKey],
    ];
    for (const [variables, key] of cases) {
      const { apollo, fast } = await both(variables, key);
      expect({ variables, key, ...fast }).toEqual({ variables, key, ...apollo });
    }
    const served = await both({ user: { id: 'same-answer', tier: 'regular' } }, sdkKey);
    expect(served.fast.body.data.resolve.experiments).toEqual([expect.objectContaining({ experimentKey: 'fast', reason: 'SPLIT' })]);
  });

  it('refuses every kind of variable that does not fit with Apollo\'s very answer', async () => {
    const MANY = 'query Resolve($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }';
    const cases: [object, string][] = [
      [{}, RESOLVE],
      [{ user: null }, RESOLVE],
      [{ user: 'someone' }, RESOLVE],
      [{ user: [] }, RESOLVE],
      [{ user: { id: 7 } }, RESOLVE],
      [{ user: { id: null } }, RESOLVE],
      [{ user: { id: 'x', tier: 3 } }, RESOLVE],
      [{ user: { id: 'x', plan: 'gold' } }, RESOLVE],
      [{ users: { id: 'wrapped-in-a-list' } }, MANY],
      [{ users: [{ id: 'a' }, null] }, MANY],
      [{ users: [{ id: 'a' }, { id: false }] }, MANY],
    ];
    for (const [variables, query] of cases) {
      const { apollo, fast } = await both(variables, sdkKey, query);
      expect({ variables, ...fast }).toEqual({ variables, ...apollo });
    }
  });

  it('leaves everything else to Apollo, including bodies it has already read', async () => {
    const other = await server.gql('{ experiment(key: "fast") { key status } }');
    expect(other.data.experiment).toEqual({ key: 'fast', status: 'RUNNING' });
    const tooBig = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: RESOLVE, variables: { pad: 'x'.repeat(3 * 1024 * 1024) } }),
    });
    expect(tooBig.status).toBe(413);
  });
});
