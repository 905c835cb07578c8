import { generateKey } from '../auth/key-format';
import { startTestServer, type TestServer } from '../testing/harness';

/**
 * No page, asset, error answer or log line carries a key: every secret in play is looked for,
 * whole and as its hidden part (what follows the 12 characters keyPrefix shows).
 */
let server: TestServer;
const logLines: string[] = [];
const secrets: Record<string, string> = {};
const seen: { what: string; text: string }[] = [];

beforeAll(async () => {
  server = await startTestServer({ config: { logLevel: 'trace', logDestination: { write: (line: string) => logLines.push(line) } } });
  secrets.admin = server.adminKey;
  secrets.sdk = await server.createKey('SDK', 'app');
  secrets.analyst = await server.createKey('ANALYST', 'analyst');
  const revoked = await server.gql('mutation { createApiKey(input: { name: "revoked", role: SDK }) { secret apiKey { id } } }');
  secrets.revoked = revoked.data.createApiKey.secret;
  await server.gql(`mutation { revokeApiKey(id: "${revoked.data.createApiKey.apiKey.id}") { id } }`);
});
afterAll(async () => {
  await server?.close();
});

async function record(what: string, url: string, init?: RequestInit): Promise<string> {
  const response = await fetch(url, init);
  const text = await response.text();
  seen.push({ what: `${what} (${response.status})`, text: `${JSON.stringify([...response.headers])}\n${text}` });
  return text;
}

const RESOLVE = JSON.stringify({ query: 'query ($user: UserContextInput!) { resolve(user: $user) { userId } }', variables: { user: { id: 'u1' } } });
const LIST = JSON.stringify({ query: '{ experiments { nodes { key } } apiKeys { name keyPrefix } }' });

function post(body: string, authorization?: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body };
}

function changedLast(key: string): string {
  return key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
}

describe('no page, error or log line contains a key', () => {
  it('holds for GraphiQL and every asset it loads, whoever asks', async () => {
    for (const [who, authorization] of [['nobody', undefined], ['admin', `Bearer ${secrets.admin}`], ['sdk', `Bearer ${secrets.sdk}`], ['bad key', 'Bearer nonsense']] as const) {
      const html = await record(`GraphiQL for ${who}`, `${server.url}/graphql`, { headers: { accept: 'text/html', ...(authorization ? { authorization } : {}) } });
      expect(html).toContain('Uplift GraphiQL');
      const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]);
      expect(assets).toEqual(expect.arrayContaining(['/graphiql/init.js', '/graphiql/graphiql.js']));
      for (const asset of [...assets, '/assets/sign-in.js']) {
        await record(`asset ${asset}`, `${server.url}${asset}`);
      }
    }
  });

  it('holds for the answers to bad, unknown, revoked and forbidden keys, on both paths', async () => {
    const headers = [
      `Bearer ${changedLast(secrets.admin)}`,
      `Bearer ${changedLast(secrets.sdk)}`,
      `Bearer ${secrets.sdk.slice(0, -3)}`,
      `Bearer ${secrets.revoked}`,
      `Bearer ${generateKey()}`,
      `Basic ${secrets.admin}`,
      `Bearer ${secrets.admin} ${secrets.sdk}`,
      `${secrets.admin}`,
      `Bearer ${secrets.sdk}`, // forbidden for management, fine for resolve
      `Bearer ${secrets.analyst}`,
    ];
    for (const authorization of headers) {
      const what = authorization.replace(/upl_\w+/g, (key) => `${key.slice(0, 12)}…`);
      await record(`resolve as ${what}`, `${server.url}/graphql`, post(RESOLVE, authorization));
      await record(`management as ${what}`, `${server.url}/graphql`, post(LIST, authorization));
      await record(`introspection as ${what}`, `${server.url}/graphql`, post(JSON.stringify({ query: '{ __schema { queryType { name } } }' }), authorization));
    }
    // A flood, until it is refused for its rate: 200 keys, so that even a loaded machine (the
    // budget refills 20 a second while the flood lasts) sees more than the budget allows.
    await Promise.all(Array.from({ length: 200 }, () => record('flood', `${server.url}/graphql`, post(RESOLVE, `Bearer ${generateKey()}`))));
    expect(seen.some((page) => page.what.startsWith('flood (429)'))).toBe(true);
    expect(seen.some((page) => page.what.includes('(401)'))).toBe(true);
    expect(seen.some((page) => page.what.includes('(200)'))).toBe(true);
  });

  it('finds none of the secrets anywhere, nor in the log lines (at level trace)', () => {
    expect(logLines.length).toBeGreaterThan(20);
    const everything = [...seen, { what: 'log', text: logLines.join('\n') }];
    const leaks = everything.flatMap(({ what, text }) =>
      Object.entries(secrets)
        .filter(([, secret]) => text.includes(secret) || text.includes(secret.slice(12, -1)))
        .map(([name]) => `${name} key in ${what}`),
    );
    expect(leaks).toEqual([]);
  });
});
