import { errorCode, postGraphQL, startTestServer, type TestServer } from '../testing/harness';
import { ensureBootstrapAdminKey } from './api-key.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const LIST = '{ experiments { nodes { key } } }';
const CREATE = `mutation { createExperiment(input: { key: "by-role", name: "n", variants: [
  { key: "a", name: "A", weight: 50, isControl: true }, { key: "b", name: "B", weight: 50 }] }) { key } }`;

describe('authentication', () => {
  it('refuses a request without a key with UNAUTHENTICATED', async () => {
    const result = await server.gql(LIST, undefined, null);
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });

  it('refuses an unknown key and a malformed header with UNAUTHENTICATED and HTTP 401', async () => {
    const unknown = await server.gql(LIST, undefined, 'upl_not-a-real-key');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.status).toBe(401);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: LIST }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('keeps introspection for callers with a valid key', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect(errorCode(await server.gql(query, undefined, null))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql('{ __type(name: "Experiment") { name } }', undefined, null))).toBe('UNAUTHENTICATED');
    const fragment = 'query { ...F } fragment F on Query { __schema { types { name } } }';
    expect(errorCode(await server.gql(fragment, undefined, null))).toBe('UNAUTHENTICATED');
    const analyst = await server.createKey('ANALYST', 'introspecting-analyst');
    expect((await server.gql(query, undefined, analyst)).data.__schema.queryType.name).toBe('Query');
  });
});

describe('roles', () => {
  it('lets an analyst read everything and write nothing', async () => {
    const analyst = await server.createKey('ANALYST', 'analyst-roles');
    expect((await server.gql(LIST, undefined, analyst)).errors).toBeUndefined();
    expect((await server.gql('{ auditLog(experimentKey: "x") { nodes { action } } }', undefined, analyst)).errors).toBeUndefined();
    const write = await server.gql(CREATE, undefined, analyst);
    expect(errorCode(write)).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ apiKeys { name } }', undefined, analyst))).toBe('FORBIDDEN');
  });

  it('gives an SDK key nothing of the management API', async () => {
    const sdk = await server.createKey('SDK', 'app-roles');
    for (const query of [LIST, CREATE, '{ apiKeys { name } }', '{ auditLog(experimentKey: "x") { nodes { action } } }', '{ experiment(key: "x") { key } }']) {
      expect(errorCode(await server.gql(query, undefined, sdk))).toBe('FORBIDDEN');
    }
  });

  it('lets an admin write', async () => {
    const admin = await server.createKey('ADMIN', 'second-admin');
    const result = await server.gql(CREATE, undefined, admin);
    expect(result.data.createExperiment.key).toBe('by-role');
    const audit = await server.gql('{ auditLog(experimentKey: "by-role") { nodes { actor actorKeyId } } }');
    expect(audit.data.auditLog.nodes[0].actor).toBe('api-key:second-admin');
  });
});

describe('API keys', () => {
  const KEYS = '{ apiKeys { id name role keyPrefix revokedAt createdBy } }';

  it('shows the secret once, stores only its hash, and lists keys without secrets', async () => {
    const created = await server.gql('mutation { createApiKey(input: { name: "checkout", role: SDK }) { secret apiKey { id keyPrefix role } } }');
    const { secret, apiKey } = created.data.createApiKey;
    expect(secret).toMatch(/^upl_[A-Za-z0-9]{38}$/);
    expect(apiKey.keyPrefix).toBe(secret.slice(0, 12)); // upl_ and 8 characters of the random part
    const listed = (await server.gql(KEYS)).data.apiKeys.find((k: { id: string }) => k.id === apiKey.id);
    expect(listed).toMatchObject({ name: 'checkout', role: 'SDK', revokedAt: null, createdBy: 'api-key:bootstrap-admin' });
    expect(JSON.stringify((await server.gql(KEYS)).data)).not.toContain(secret);
    const [row] = await server.uplift.dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [apiKey.id]);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await server.uplift.dataSource.query('SELECT * FROM api_keys'))).not.toContain(secret);
  });

  it('stops a revoked key at once, and audits creation and revocation', async () => {
    const created = await server.gql('mutation { createApiKey(input: { name: "leaked", role: ANALYST }) { secret apiKey { id } } }');
    const { secret, apiKey } = created.data.createApiKey;
    expect((await server.gql(LIST, undefined, secret)).errors).toBeUndefined();
    const revoked = await server.gql(`mutation { revokeApiKey(id: "${apiKey.id}") { revokedAt } }`);
    expect(revoked.data.revokeApiKey.revokedAt).not.toBeNull();
    expect(errorCode(await server.gql(LIST, undefined, secret))).toBe('UNAUTHENTICATED');
    const audit = await server.uplift.dataSource.query(`SELECT action FROM audit_log WHERE entity_type = 'API_KEY' AND entity_key = $1 ORDER BY id`, [apiKey.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['CREATE', 'REVOKE']);
  });

  it('answers NOT_FOUND for revoking an unknown key, and BAD_USER_INPUT for an empty name', async () => {
    expect(errorCode(await server.gql('mutation { revokeApiKey(id: "00000000-0000-0000-0000-000000000000") { id } }'))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql('mutation { revokeApiKey(id: "nonsense") { id } }'))).toBe('NOT_FOUND');
    const empty = await server.gql('mutation { createApiKey(input: { name: "", role: SDK }) { secret } }');
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(empty.errors![0].extensions!.field).toBe('name');
  });

  it('retires the previous bootstrap key when UPLIFT_ADMIN_KEY changes, and never revives a revoked one', async () => {
    const original = server.adminKey;
    const rotated = 'upl_rotated-bootstrap-key-for-the-test-000';
    await ensureBootstrapAdminKey(server.uplift.dataSource, rotated);
    server.adminKey = rotated;
    expect((await server.gql(LIST)).errors).toBeUndefined();
    expect(errorCode(await postGraphQL(server.url, LIST, undefined, original))).toBe('UNAUTHENTICATED');
    await expect(ensureBootstrapAdminKey(server.uplift.dataSource, original)).rejects.toThrow(/revoked/);
    expect(errorCode(await postGraphQL(server.url, LIST, undefined, original))).toBe('UNAUTHENTICATED');
  });
});
