import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../testing/harness';
import { MAX_LOG_LINE_BYTES, redactUrl, scrubKeys } from '../common/logger';

/** Every line the server writes, as written. */
const lines: string[] = [];
const capture = { write: (line: string) => void lines.push(line) };
const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, any>);

/** A configured admin key of any shape (UPLIFT_ADMIN_KEY may be anything long enough): only the exact string can find it. */
const ADMIN_KEY = `custom-admin-secret.${randomBytes(8).toString('hex')}.for-these-tests`;
const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { userId } }';

let server: TestServer;
let sdkKey: string;
beforeAll(async () => {
  server = await startTestServer({ config: { logLevel: 'info', logDestination: capture, adminKey: ADMIN_KEY } });
  sdkKey = await server.createKey('SDK');
});
afterAll(async () => {
  await server?.close();
});

describe('no log line contains a key', () => {
  it('redacts keys in URL paths, query strings and headers, and the configured admin key anywhere', async () => {
    const headers = { authorization: `Bearer ${sdkKey}` };
    // GrowthBook's SDKs put their key in the path: a CLIENT key served, secret keys refused, none logged.
    const clientKey = await server.createKey('CLIENT');
    expect((await fetch(`${server.url}/api/features/${clientKey}`)).status).toBe(200);
    for (const path of [`/api/features/${sdkKey}`, `/api/features/${encodeURIComponent(ADMIN_KEY)}`, `/api/features/${sdkKey}%E0%A4%A`, `/sub/${sdkKey}?apiKey=${sdkKey}&format=json`, `/graphql?query=%7B__typename%7D&key=${encodeURIComponent(ADMIN_KEY)}`, `/sub/${encodeURIComponent(ADMIN_KEY)}`]) {
      await fetch(`${server.url}${path}`, { headers });
    }
    await server.gql('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', { input: { name: 'another', role: 'SDK' } });
    // A module logging carelessly: a request's headers, a message quoting a key, an error carrying one.
    server.uplift.logger.info({ req: { headers: { authorization: `Bearer ${sdkKey}` } }, url: `http://h/sub/${sdkKey}` }, `retrying with ${sdkKey} and ${ADMIN_KEY}`);
    server.uplift.logger.warn({ err: new Error(`key ${ADMIN_KEY} refused`) }, 'careless');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const output = lines.join('');
    expect(output).not.toContain(sdkKey);
    expect(output).not.toContain(sdkKey.slice(4));
    expect(output).not.toContain(ADMIN_KEY);
    expect(output).not.toContain(clientKey.slice(4));
    const paths = parsed().filter((line) => line.msg === 'request').map((line) => line.path);
    expect(paths).toEqual(expect.arrayContaining(['/api/features/[redacted]', '/sub/[redacted]?apiKey&format', '/graphql?query&key', '/sub/[redacted]']));
    expect(output).toContain('retrying with [redacted] and [redacted]');
  });

  it('scrubs what keys look like, and leaves ids, hashes and names alone', () => {
    const newFormat = `upl_${randomBytes(24).toString('base64url')}_${randomBytes(3).toString('hex')}`;
    const bare = randomBytes(24).toString('base64url').replace(/^/, 'Ab1');
    expect(scrubKeys(`a ${newFormat} b`)).toBe('a [redacted] b');
    expect(scrubKeys(`uplsk_${randomBytes(24).toString('base64url')}`)).toBe('[redacted]');
    expect(scrubKeys(`"authorization":"Bearer whatever-it-is"`)).toBe('"authorization":"Bearer [redacted]"');
    expect(scrubKeys(`token=${bare}`)).toBe('token=[redacted]');
    const harmless = '6f1c1b5e-2f2a-4f7e-9d55-1a2b3c4d5e6f 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 activity-incentives uplift_bench_1a2b3c4d';
    expect(scrubKeys(harmless)).toBe(harmless);
    expect(redactUrl('/graphiql/graphiql.min.js')).toBe('/graphiql/graphiql.min.js');
  });
});

describe('no log line exceeds 16 KiB', () => {
  it('keeps database errors small (no statement parameters) and cuts long fields', async () => {
    const batch = Array.from({ length: 5_000 }, (_, i) => `user-${i}-${'x'.repeat(20)}`);
    const error = await server.uplift.dataSource.query('SELECT $1::int AS n, $2::text[] AS batch', ['y'.repeat(50_000), batch]).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    lines.length = 0;
    server.uplift.logger.warn({ err: error, waiting: batch.length }, 'could not write exposures; will retry');
    server.uplift.logger.info({ payload: 'z'.repeat(100_000), list: batch }, 'big');
    server.uplift.logger.info({ many: Object.fromEntries(batch.map((id) => [id, id])) }, 'wide');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    const [dbError, big, wide] = parsed();
    expect(dbError.err.type).toBe('QueryFailedError');
    expect(dbError.err.code).toBe('22P02'); // invalid_text_representation
    expect(dbError.err.message).toMatch(/invalid input syntax for type integer/);
    expect(dbError.err).not.toHaveProperty('parameters');
    expect(dbError.err).not.toHaveProperty('query');
    expect(JSON.stringify(dbError)).not.toContain('user-4999');
    expect(dbError.waiting).toBe(5_000);
    expect(big.truncated).toBe(true);
    expect(big.payload.length).toBeLessThan(1_100);
    expect(big.list.length).toBeLessThanOrEqual(11);
    expect(wide.msg).toBe('wide');
  });
});

// Last: it closes the server, which logs the rest of the minute.
describe('resolve requests are logged as a summary', () => {
  it('writes one line with count, errors, p50 and p99 per operation kind, not a line per request', async () => {
    lines.length = 0;
    for (let i = 0; i < 20; i++) await server.gql(RESOLVE, { user: { id: `user-${i}` } }, sdkKey);
    for (let i = 0; i < 2; i++) await server.gql(RESOLVE, { user: { id: 'nobody' } }, null);
    await server.gql('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }', { users: [{ id: 'a' }] }, sdkKey);
    expect(parsed().filter((line) => line.msg === 'request')).toEqual([]);
    const closing = server;
    server = undefined as unknown as TestServer;
    await closing.close();

    const summaries = parsed().filter((line) => line.msg === 'graphql requests');
    expect(summaries).toHaveLength(1);
    const { operations, since, seconds } = summaries[0];
    // The earlier tests' requests (management calls) are in it too, as `other`.
    expect(Object.keys(operations).sort()).toEqual(['other', 'resolve', 'resolveMany']);
    expect(operations.resolve).toMatchObject({ count: 22, errors: 2 });
    expect(operations.resolveMany).toMatchObject({ count: 1, errors: 0 });
    expect(operations.resolve.p50Ms).toBeGreaterThan(0);
    expect(operations.resolve.p99Ms).toBeGreaterThanOrEqual(operations.resolve.p50Ms);
    expect(Date.parse(since)).not.toBeNaN();
    expect(seconds).toBeGreaterThanOrEqual(0);
  });
});
