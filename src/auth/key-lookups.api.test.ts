import { randomBytes } from 'node:crypto';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { errorCode, postGraphQL, startTestServer, type TestServer } from '../testing/harness';
import { ensureBootstrapAdminKey, hashKey } from './api-key.service';
import { generateKey } from './key-format';
import { UNKNOWN_KEY_LOOKUPS_PER_SECOND } from './authenticator';
import { configFromEnv } from '../common/config';
import { startUplift } from '../app';
import { migrations } from '../../migrations';

let server: TestServer;
/** Statements that read api_keys, counted where TypeORM sends them to PostgreSQL. */
let keyQueries = 0;

beforeAll(async () => {
  server = await startTestServer();
  const logger = server.uplift.dataSource.logger as TypeOrmLogger;
  const logQuery = logger.logQuery.bind(logger);
  logger.logQuery = (query, parameters, runner) => {
    if (/from "api_keys"/i.test(query)) keyQueries++;
    return logQuery(query, parameters, runner);
  };
});
afterAll(async () => {
  await server?.close();
});

const LIST = '{ experiments { nodes { key } } }';
const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { userId } }';

async function queriesDuring(action: () => Promise<unknown>): Promise<number> {
  const before = keyQueries;
  await action();
  return keyQueries - before;
}

function withChangedCharacter(key: string, at: number): string {
  return key.slice(0, at) + (key[at] === 'a' ? 'b' : 'a') + key.slice(at + 1);
}

describe('API keys with a checksum', () => {
  it('refuses a key with a bad checksum and random junk with 401, no query and no cache entry, on both paths', async () => {
    const before = server.uplift.authenticator.cacheSizes();
    const junk = [withChangedCharacter(generateKey(), 8), `upl_${'x'.repeat(20)}`, randomBytes(40).toString('hex'), 'upl_'];
    for (const key of junk) {
      for (const [query, variables] of [[LIST, undefined], [RESOLVE, { user: { id: 'u1' } }]] as const) {
        let result: Awaited<ReturnType<typeof postGraphQL>> | undefined;
        expect(await queriesDuring(async () => (result = await postGraphQL(server.url, query, variables, key)))).toBe(0);
        expect(result!.status).toBe(401);
        expect(errorCode(result!)).toBe('UNAUTHENTICATED');
      }
    }
    expect(server.uplift.authenticator.cacheSizes()).toEqual(before);
  });

  it('keeps keys issued before the checksum working', async () => {
    const legacy = `upl_${randomBytes(24).toString('base64url')}`;
    await server.uplift.dataSource.query(
      `INSERT INTO api_keys (name, role, key_hash, key_prefix, created_by) VALUES ('legacy', 'ANALYST', $1, $2, 'test')`,
      [hashKey(legacy), legacy.slice(0, 12)],
    );
    const result = await server.gql(LIST, undefined, legacy);
    expect(result.errors).toBeUndefined();
  });

  it('answers 401 for a revoked key and for no key on resolve and on introspection, never 500', async () => {
    const created = await server.gql('mutation { createApiKey(input: { name: "soon-revoked", role: SDK }) { secret apiKey { id } } }');
    const { secret, apiKey } = created.data.createApiKey;
    expect((await server.gql(RESOLVE, { user: { id: 'u1' } }, secret)).status).toBe(200);
    await server.gql(`mutation { revokeApiKey(id: "${apiKey.id}") { id } }`);
    for (const [query, variables, key] of [
      [RESOLVE, { user: { id: 'u1' } }, secret],
      [LIST, undefined, secret],
      [RESOLVE, { user: { id: 'u1' } }, null],
      [LIST, undefined, null],
      ['{ __schema { queryType { name } } }', undefined, null],
      ['query IntrospectionQuery { __schema { types { name } } }', undefined, null],
    ] as const) {
      const result = await postGraphQL(server.url, query, variables, key);
      expect([query, result.status, errorCode(result)]).toEqual([query, 401, 'UNAUTHENTICATED']);
    }
  });
});

describe('a flood of unknown keys', () => {
  it('neither evicts known keys nor reaches the database more than 20 times a second', async () => {
    const sdk = await server.createKey('SDK', 'flooded-app');
    expect((await server.gql(RESOLVE, { user: { id: 'u1' } }, sdk)).status).toBe(200);

    const started = Date.now();
    let lookups = 0;
    const answers = await (async () => {
      const results: Awaited<ReturnType<typeof postGraphQL>>[] = [];
      lookups = await queriesDuring(async () => {
        for (let round = 0; round < 4; round++) {
          results.push(...(await Promise.all(Array.from({ length: 100 }, () => postGraphQL(server.url, RESOLVE, { user: { id: 'u1' } }, generateKey())))));
        }
      });
      return results;
    })();
    const seconds = (Date.now() - started) / 1000;
    // A bucket of 20 that refills at 20 a second: at most 20 at once and 20 a second after.
    expect(lookups).toBeLessThanOrEqual(UNKNOWN_KEY_LOOKUPS_PER_SECOND * (1 + seconds));
    expect(lookups).toBeGreaterThan(0);
    const codes = new Set(answers.map((answer) => `${answer.status} ${errorCode(answer)}`));
    expect([...codes].sort()).toEqual(['401 UNAUTHENTICATED', '429 RATE_LIMITED']);

    // The known key is still cached: no query, synchronous answer.
    let status = 0;
    expect(await queriesDuring(async () => (status = (await server.gql(RESOLVE, { user: { id: 'u2' } }, sdk)).status))).toBe(0);
    expect(status).toBe(200);
    // An unknown key seen once is remembered apart: asking again costs no query.
    const unknown = generateKey();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await server.gql(LIST, undefined, unknown);
    expect(await queriesDuring(() => server.gql(LIST, undefined, unknown))).toBe(0);
  });

  it('tells a client that was refused for the flood when to retry', async () => {
    const responses = await Promise.all(
      Array.from({ length: 60 }, () =>
        fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${generateKey()}` },
          body: JSON.stringify({ query: LIST }),
        }),
      ),
    );
    const limited = responses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((response) => response.headers.get('retry-after') === '1')).toBe(true);
  });
});

describe('short admin keys', () => {
  it('refuses an UPLIFT_ADMIN_KEY shorter than 32 characters at start, with a clear message', async () => {
    expect(() => configFromEnv({ UPLIFT_ADMIN_KEY: 'abc' })).toThrow(/UPLIFT_ADMIN_KEY must be at least 32 characters/);
    expect(configFromEnv({ UPLIFT_ADMIN_KEY: 'x'.repeat(32) }).adminKey).toBe('x'.repeat(32));
    await expect(startUplift({ databaseUrl: server.databaseUrl, dataDir: null, port: 0, host: '127.0.0.1', adminKey: 'short', logLevel: 'silent' })).rejects.toThrow(/at least 32/);
  });

  it('shows at most 8 characters of an operator’s own admin key, and shortens the prefixes stored before', async () => {
    const { dataSource } = server.uplift;
    // An operator's own key (any shape), set as UPLIFT_ADMIN_KEY on another instance: accepted here too.
    const own = 'my-own-operator-admin-key-of-40-chars!!';
    await ensureBootstrapAdminKey(dataSource, own);
    server.adminKey = own;
    const keys = await server.gql('{ apiKeys { name keyPrefix revokedAt } }');
    expect(keys.data.apiKeys.find((key: { name: string; revokedAt: string | null }) => key.name === 'bootstrap-admin' && !key.revokedAt).keyPrefix).toBe('my-own-o');
    // Prefixes as the previous version stored them (the first 12 characters of the secret).
    const legacy = `upl_${randomBytes(24).toString('base64url')}`;
    // Back to the schema before ShortKeyPrefixes: it and every migration after it undone.
    const shortening = migrations.findIndex((migration) => migration.name.startsWith('ShortKeyPrefixes'));
    expect(shortening).toBeGreaterThanOrEqual(0);
    for (let undone = migrations.length; undone > shortening; undone--) await dataSource.undoLastMigration();
    await dataSource.query(
      `INSERT INTO api_keys (name, role, key_hash, key_prefix, created_by) VALUES
        ('old-short', 'ADMIN', $1, 'abc', 'bootstrap'), ('old-long', 'ADMIN', $2, 'my-own-opera', 'bootstrap'), ('old-upl', 'SDK', $3, $4, 'x')`,
      [hashKey('abc'), hashKey(`${own}x`), hashKey(legacy), legacy.slice(0, 12)],
    );
    await dataSource.runMigrations();
    const rows: { name: string; key_prefix: string }[] = await dataSource.query(`SELECT name, key_prefix FROM api_keys WHERE name LIKE 'old-%' ORDER BY name`);
    expect(rows).toEqual([
      { name: 'old-long', key_prefix: 'my-own-o' },
      { name: 'old-short', key_prefix: '' },
      { name: 'old-upl', key_prefix: legacy.slice(0, 12) },
    ]);
  });
});
