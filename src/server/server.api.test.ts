import { getIntrospectionQuery } from 'graphql';
import { errorCode, startTestServer, type TestServer } from '../testing/harness';
import { MAX_BODY_BYTES } from './http';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}`, ...headers },
    body,
  });
}

describe('request limits', () => {
  it('refuses a body over the size limit with 413 before parsing it', async () => {
    const padding = 'x'.repeat(MAX_BODY_BYTES + 1);
    const response = await post(JSON.stringify({ query: '{ __typename }', variables: { padding } }));
    expect(response.status).toBe(413);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await post('{ not json');
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.reason).toBe('INVALID_JSON');
  });

  it('refuses batched operations', async () => {
    const response = await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(response.status).toBe(400);
  });

  it('refuses too many aliases and too many tokens', async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: experiments { pageInfo { hasNextPage } }`).join(' ');
    const aliased = await server.gql(`{ ${aliases} }`);
    expect(errorCode(aliased)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(aliased.errors![0].message).toMatch(/Aliases limit/);
    const tokens = Array.from({ length: 6000 }, () => '__typename').join(' ');
    const tokenBomb = await server.gql(`{ ${tokens} }`);
    expect(tokenBomb.status).toBe(400);
    expect(errorCode(tokenBomb)).toBe('GRAPHQL_PARSE_FAILED');
    expect(tokenBomb.errors![0].message).toMatch(/more that 5000 tokens/);
  });

  it('refuses a query nested past the depth limit, yet serves GraphiQL’s full introspection query', async () => {
    const nested = (depth: number): string => (depth === 0 ? 'name' : `name ofType { ${nested(depth - 1)} }`);
    const bomb = await server.gql(`{ __schema { types { fields { type { ${nested(30)} } } } } }`);
    expect(errorCode(bomb)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(bomb.errors![0].message).toMatch(/depth/i);
    const full = await server.gql(getIntrospectionQuery());
    expect(full.errors).toBeUndefined();
    expect(full.data.__schema.types.length).toBeGreaterThan(10);
  });

  it('refuses a GET operation without a CSRF-safe header', async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
  });
});

describe('errors', () => {
  it('answers a syntax error with its code and no stack trace', async () => {
    const result = await server.gql('{ experiments { ');
    expect(errorCode(result)).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(result)).not.toMatch(/stacktrace/);
  });

  it('does not suggest field names to a caller without a key, which would leak the schema', async () => {
    const result = await server.gql('{ experimentz { nodes { key } } }', undefined, null);
    expect(result.errors![0].message).toBe('Cannot query field "experimentz" on type "Query".');
  });

  it('suggests field names and enum values to callers with a valid key', async () => {
    const analystKey = await server.createKey('ANALYST', 'typo-analyst');
    const typo = await server.gql('{ experiments { nodes { key versoin } } }', undefined, analystKey);
    expect(errorCode(typo)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.errors![0].message).toBe('Cannot query field "versoin" on type "Experiment". Did you mean "version"?');
    const enumTypo = await server.gql('{ experiments(filter: { status: RUNING }) { nodes { key } } }');
    expect(enumTypo.errors![0].message).toMatch(/Did you mean the enum value "RUNNING"\?/);
    // resolve's fast path hands invalid documents to the same pipeline.
    const resolveTypo = await server.gql('{ resolve(user: { id: "u" }) { userid } }');
    expect(resolveTypo.errors![0].message).toMatch(/Did you mean "userId"\?/);
  });
});

describe('operations', () => {
  it('says it is alive on /healthz', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  // Last: it takes the schema away and puts it back.
  it('is ready on /readyz only while every migration is applied', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const { dataSource } = server.uplift;
    await dataSource.undoLastMigration();
    const pending = await fetch(`${server.url}/readyz`);
    expect(pending.status).toBe(503);
    expect(await pending.json()).toEqual({ status: 'not ready', reason: 'migrations pending' });
    await dataSource.runMigrations();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
