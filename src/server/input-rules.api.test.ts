import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { ExposureWriter } from '../events/exposure.writer';
import { startTestServer, type GraphQLResponse, type TestServer } from '../testing/harness';

/** The input rules (src/input/input.rules.ts) against the real server: every refusal is BAD_USER_INPUT naming the field. */
let server: TestServer;
let sdkKey: string;

const NUL = 'x\u0000y';
const LONE_HIGH = 'x\uD800';
const LONE_LOW = 'x\uDC00';

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'app');
  const created = await server.gql(
    `mutation { createExperiment(input: { key: "rules-exp", name: "R", primaryMetricKey: "d7_retention",
      variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "treatment", name: "T", weight: 50 }] }) { key } }`,
  );
  expect(created.errors).toBeUndefined();
  await server.gql('mutation { startExperiment(key: "rules-exp", version: 1) { key } }');
  await server.uplift.snapshots.refresh();
});
afterAll(async () => {
  await server?.close();
});

/** A body sent as written: JSON.stringify cannot write 1e400. */
async function postRaw(body: string, key: string | null = server.adminKey): Promise<GraphQLResponse> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });
  return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse;
}

const refusal = (response: GraphQLResponse) => ({ code: response.errors?.[0]?.extensions?.code, reason: response.errors?.[0]?.extensions?.reason, field: response.errors?.[0]?.extensions?.field });
const exposuresOf = (userId: string) => server.uplift.dataSource.query('SELECT user_id FROM exposures WHERE user_id = $1', [userId]);

const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { userId experiments { experimentKey } } }';
const RESOLVE_MANY = 'query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId } }';
const TRACK = 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates rejected { index id field message } } }';
const variants = [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'treatment', name: 'T', weight: 50 }];

describe('text PostgreSQL cannot store is refused with BAD_USER_INPUT naming the field', () => {
  const cases: [string, string, Record<string, unknown>, string, 'admin' | 'sdk'][] = [
    ['createExperiment (key)', 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', { input: { key: NUL, name: 'n', variants } }, 'input.key', 'admin'],
    ['createExperiment (payload)', 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }',
      { input: { key: 'ok-key', name: 'n', variants: [variants[0], { ...variants[1], payload: { note: LONE_LOW } }] } }, 'input.variants.1.payload.note', 'admin'],
    ['createFlag', 'mutation ($input: CreateFlagInput!) { createFlag(input: $input) { key } }', { input: { key: 'flag-x', name: NUL, type: 'BOOLEAN', defaultValue: false } }, 'input.name', 'admin'],
    ['createMetric', 'mutation ($input: CreateMetricInput!) { createMetric(input: $input) { key } }', { input: { key: 'metric-x', name: 'm', kind: 'CONVERSION', eventTypes: [NUL] } }, 'input.eventTypes.0', 'admin'],
    ['experiment(key)', 'query ($key: String!) { experiment(key: $key) { key } }', { key: NUL }, 'key', 'admin'],
    ['experiments(filter.text)', 'query ($text: String) { experiments(filter: { text: $text }) { nodes { key } } }', { text: LONE_HIGH }, 'filter.text', 'admin'],
    ['userGrants', 'query ($userId: String!) { userGrants(userId: $userId) { id } }', { userId: NUL }, 'userId', 'admin'],
    ['explainEntitlements', 'query ($user: UserContextInput!) { explainEntitlements(user: $user) { userId } }', { user: { id: NUL } }, 'user.id', 'admin'],
    ['resolve (id)', RESOLVE, { user: { id: NUL } }, 'user.id', 'sdk'],
    ['resolve (lone surrogate)', RESOLVE, { user: { id: LONE_HIGH } }, 'user.id', 'sdk'],
    ['resolve (attribute key)', RESOLVE, { user: { id: 'u', attributes: { [`a${NUL}`]: 1 } } }, 'user.attributes.ax?y', 'sdk'],
    ['resolveMany', RESOLVE_MANY, { users: [{ id: 'fine' }, { id: LONE_LOW }] }, 'users.1.id', 'sdk'],
  ];
  it.each(cases)('%s', async (_name, query, variables, field, as) => {
    const response = await server.gql(query, variables, as === 'sdk' ? sdkKey : server.adminKey);
    expect(refusal(response)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_TEXT', field });
  });

  it('the same in a literal as in a variable', async () => {
    const response = await server.gql('{ experiment(key: "a\\u0000b") { key } }');
    expect(refusal(response)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_TEXT', field: 'key' });
  });

  it('writes nothing for a refused create', async () => {
    await server.gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }',
      { input: { key: 'half-written', name: 'n', variants: [variants[0], { ...variants[1], name: NUL }] } });
    expect(await server.uplift.dataSource.query(`SELECT key FROM experiments WHERE key = 'half-written'`)).toEqual([]);
  });

  it('a NUL in a user id no longer stops exposure logging, and lone surrogates no longer merge users', async () => {
    expect(refusal(await server.gql(RESOLVE, { user: { id: 'poison\u0000' } }, sdkKey)).code).toBe('BAD_USER_INPUT');
    expect(refusal(await server.gql(RESOLVE, { user: { id: 'same\uD800' } }, sdkKey)).code).toBe('BAD_USER_INPUT');
    expect(refusal(await server.gql(RESOLVE, { user: { id: 'same\uDBFF' } }, sdkKey)).code).toBe('BAD_USER_INPUT');
    const after = await server.gql(RESOLVE, { user: { id: 'after-poison' } }, sdkKey);
    expect(after.data.resolve.experiments).toEqual([{ experimentKey: 'rules-exp' }]);
    await server.uplift.exposures.flush();
    expect(server.uplift.exposures.waiting).toBe(0);
    expect(await exposuresOf('after-poison')).toEqual([{ user_id: 'after-poison' }]);
    expect(await server.uplift.dataSource.query(`SELECT user_id FROM exposures WHERE user_id LIKE 'same%' OR user_id LIKE 'poison%'`)).toEqual([]);
  });
});

const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('JSON values and numbers', () => {
  const CREATE_FLAG = (defaultValue: string) =>
    `{"query":"mutation ($input: CreateFlagInput!) { createFlag(input: $input) { key } }","variables":{"input":{"key":"json-flag","name":"J","type":"JSON","defaultValue":${defaultValue}}}}`;

  it('refuses a payload nested thousands of levels deep with BAD_USER_INPUT, not a stack overflow', async () => {
    const response = await postRaw(CREATE_FLAG(deep(3_000)));
    expect(refusal(response)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_DEEP' });
    expect(response.errors![0].extensions!.field).toMatch(/^input\.defaultValue(\.a)+$/);
  });

  it('accepts JSON nested well within the limit', async () => {
    const response = await postRaw(CREATE_FLAG(deep(20)).replace('json-flag', 'json-flag-ok'));
    expect(response.errors).toBeUndefined();
  });

  it.each(['1e400', '-1e400'])('refuses %s in a payload instead of storing null', async (number) => {
    const response = await postRaw(CREATE_FLAG(`{"x":${number}}`).replace('json-flag', 'json-inf'));
    expect(refusal(response)).toEqual({ code: 'BAD_USER_INPUT', reason: 'NOT_FINITE_NUMBER', field: 'input.defaultValue.x' });
    expect(await server.uplift.dataSource.query(`SELECT key FROM flags WHERE key = 'json-inf'`)).toEqual([]);
  });

  it('refuses a Float that is not finite, as a literal (graphql-js) or in a variable', async () => {
    const literal = await server.gql('{ sampleSize(input: { baselineRate: 0.1, effectScale: ABSOLUTE, minimumDetectableEffect: 1e400 }) { usersPerVariant } }');
    expect(refusal(literal)).toEqual({ code: 'BAD_USER_INPUT', reason: 'NOT_FINITE_NUMBER', field: 'input.minimumDetectableEffect' });
    const variable = await postRaw('{"query":"query ($e: Float!) { sampleSize(input: { baselineRate: 0.1, effectScale: ABSOLUTE, minimumDetectableEffect: $e }) { usersPerVariant } }","variables":{"e":-1e400}}');
    expect([variable.status, refusal(variable).code]).toEqual([400, 'BAD_USER_INPUT']);
  });
});

describe('trackEvents judges each event alone', () => {
  const now = new Date().toISOString();
  it('stores the good neighbours of events with unstorable text, deep or non-finite properties', async () => {
    const events = [
      { id: 'ok-1', userId: 'tracker', type: 'app_open', occurredAt: now },
      { id: 'bad-nul', userId: 'tracker\u0000', type: 'app_open', occurredAt: now },
      { id: 'bad-surrogate', userId: 'tracker', type: 'app_open', properties: { note: LONE_HIGH }, occurredAt: now },
      { id: 'ok-2', userId: 'tracker', type: 'payment', value: 3, properties: { currency: 'SGD' }, occurredAt: now },
      { id: `bad-id${NUL}`, userId: 'tracker', type: 'app_open', occurredAt: now },
    ];
    const result = await server.gql(TRACK, { events }, sdkKey);
    expect(result.errors).toBeUndefined();
    expect(result.data.trackEvents).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, id: 'bad-nul', field: 'userId', message: expect.any(String) },
        { index: 2, id: 'bad-surrogate', field: 'properties.note', message: expect.any(String) },
        { index: 4, id: `bad-id${NUL}`, field: 'id', message: expect.any(String) },
      ],
    });
    expect(await server.uplift.dataSource.query(`SELECT id FROM events WHERE user_id LIKE 'tracker%' ORDER BY id`)).toEqual([{ id: 'ok-1' }, { id: 'ok-2' }]);
  });

  it('refuses non-finite and too deep properties per event', async () => {
    const body = JSON.stringify({ query: TRACK, variables: { events: [
      { id: 'inf-ok', userId: 'tracker-2', type: 'app_open', occurredAt: now },
      { id: 'inf-bad', userId: 'tracker-2', type: 'app_open', properties: { x: 'INFINITY' }, occurredAt: now },
      { id: 'deep-bad', userId: 'tracker-2', type: 'app_open', properties: 'DEEP', occurredAt: now },
    ] } }).replace('"INFINITY"', '1e400').replace('"DEEP"', deep(100));
    const result = await postRaw(body, sdkKey);
    expect(result.data.trackEvents.accepted).toBe(1);
    expect(result.data.trackEvents.rejected.map((r: { id: string; field: string }) => [r.id, r.field.split('.a')[0]])).toEqual([['inf-bad', 'properties.x'], ['deep-bad', 'properties']]);
  });
});

describe('a refused resolveMany logs no exposures', () => {
  it('with one empty id among ten valid users', async () => {
    const users = [...Array.from({ length: 10 }, (_, i) => ({ id: `refused-many-${i}` })), { id: '' }];
    const response = await server.gql(RESOLVE_MANY, { users }, sdkKey);
    expect(response.data).toBeNull();
    expect(refusal(response)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'users.10.id' });
    await server.uplift.exposures.flush();
    expect(await server.uplift.dataSource.query(`SELECT user_id FROM exposures WHERE user_id LIKE 'refused-many-%'`)).toEqual([]);
  });

  it('nor does a request refused through another alias, on the fast path or through Apollo', async () => {
    for (const [prefix, name] of [['alias-fast', ''], ['alias-apollo', 'Named']]) {
      const query = `query ${name} { a: resolve(user: { id: "${prefix}-ok" }) { userId } b: resolveMany(users: [{ id: "${prefix}-many" }, { id: "" }]) { userId } }`;
      const response = await postRaw(JSON.stringify({ query, ...(name ? { operationName: name } : {}) }), sdkKey);
      expect(response.data).toBeNull();
      expect(refusal(response)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'users.1.id' });
    }
    await server.uplift.exposures.flush();
    expect(await server.uplift.dataSource.query(`SELECT user_id FROM exposures WHERE user_id LIKE 'alias-%'`)).toEqual([]);
    // The same aliases, all valid: logged, on both paths.
    for (const [prefix, name] of [['alias-fast', ''], ['alias-apollo', 'Named']]) {
      const query = `query ${name} { a: resolve(user: { id: "${prefix}-ok" }) { userId } b: resolveMany(users: [{ id: "${prefix}-many" }]) { userId } }`;
      expect((await postRaw(JSON.stringify({ query, ...(name ? { operationName: name } : {}) }), sdkKey)).errors).toBeUndefined();
    }
    await server.uplift.exposures.flush();
    expect(await server.uplift.dataSource.query(`SELECT count(*)::int AS n FROM exposures WHERE user_id LIKE 'alias-%'`)).toEqual([{ n: 4 }]);
  });

  it('while an accepted one logs them all', async () => {
    const users = Array.from({ length: 3 }, (_, i) => ({ id: `accepted-many-${i}` }));
    expect((await server.gql(RESOLVE_MANY, { users }, sdkKey)).errors).toBeUndefined();
    await server.uplift.exposures.flush();
    expect(await server.uplift.dataSource.query(`SELECT count(*)::int AS n FROM exposures WHERE user_id LIKE 'accepted-many-%'`)).toEqual([{ n: 3 }]);
  });
});

describe('the exposure writer, should a bad row ever reach it', () => {
  it('writes the good rows of a batch PostgreSQL refuses for one row, counts the bad one, and logs small lines once', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const writer = new ExposureWriter(server.uplift.dataSource, logger, { spoolDir: fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-writer-')) });
    const at = new Date();
    const assignment = { experimentKey: 'rules-exp', variantKey: 'treatment', payload: null, phase: 1, reason: 'SPLIT' as const };
    const ids = Array.from({ length: 50 }, (_, i) => (i === 17 ? `writer-bad\u0000${i}` : `writer-good-${i}`));
    for (const id of ids) writer.record({ id, tier: null, attributes: {} }, { userId: id, inHoldout: false, experiments: [assignment], flags: [] }, at);
    await writer.flush();
    expect(writer.waiting).toBe(0);
    expect(writer.refused).toBe(1);
    expect(await server.uplift.dataSource.query(`SELECT count(*)::int AS n FROM exposures WHERE user_id LIKE 'writer-good-%'`)).toEqual([{ n: 49 }]);
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBeLessThan(1_000);
    expect(JSON.parse(lines[0])).toMatchObject({ refused: 1, msg: expect.stringContaining('refused') });
    // Later exposures go through as usual.
    writer.record({ id: 'writer-later', tier: null, attributes: {} }, { userId: 'writer-later', inHoldout: false, experiments: [assignment], flags: [] }, at);
    await writer.flush();
    expect(await exposuresOf('writer-later')).toEqual([{ user_id: 'writer-later' }]);
  });
});

describe('sampleSize with a vanishing effect', () => {
  const SAMPLE_SIZE = 'query ($input: SampleSizeInput!) { sampleSize(input: $input) { usersPerVariant exactUsersPerVariant } }';
  it.each([
    ['conversion, absolute 1e-5', { baselineRate: 0.1, effectScale: 'ABSOLUTE', minimumDetectableEffect: 1e-5 }],
    ['conversion, relative 1e-300', { baselineRate: 0.1, effectScale: 'RELATIVE', minimumDetectableEffect: 1e-300 }],
    ['conversion, absolute 1e-300', { baselineRate: 0.1, effectScale: 'ABSOLUTE', minimumDetectableEffect: 1e-300 }],
    ['continuous, absolute 1e-300', { standardDeviation: 1, effectScale: 'ABSOLUTE', minimumDetectableEffect: 1e-300 }],
    ['continuous, absolute 1e-5', { standardDeviation: 1, effectScale: 'ABSOLUTE', minimumDetectableEffect: 1e-5 }],
  ])('%s is BAD_USER_INPUT, not a throw', async (_name, input) => {
    const response = await server.gql(SAMPLE_SIZE, { input });
    expect(refusal(response)).toEqual({ code: 'BAD_USER_INPUT', reason: expect.any(String), field: 'minimumDetectableEffect' });
  });
  it('still answers a small but detectable effect', async () => {
    // By hand, the equation R's power.prop.test solves: p = (0.1 + 0.101) / 2,
    // n = ((1.959964 * sqrt(2 p (1 - p)) + 0.841621 * sqrt(0.1 * 0.9 + 0.101 * 0.899)) / 0.001)^2 = 1,419,072.35.
    const response = await server.gql(SAMPLE_SIZE, { input: { baselineRate: 0.1, effectScale: 'ABSOLUTE', minimumDetectableEffect: 0.001 } });
    expect(response.data.sampleSize.exactUsersPerVariant / 1_419_072.35).toBeCloseTo(1, 5);
    expect(response.data.sampleSize.usersPerVariant).toBe(1_419_073);
  });
});

describe('persisted queries', () => {
  it('a hash that does not match its query is a 400 with PERSISTED_QUERY_HASH_MISMATCH, on every path', async () => {
    for (const query of ['{ metrics { key } }', '{ resolve(user: { id: "u" }) { userId } }']) {
      const response = await postRaw(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }));
      expect([response.status, refusal(response)]).toEqual([400, { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_HASH_MISMATCH', field: undefined }]);
    }
  });
  it('a matching hash is served', async () => {
    const query = '{ metrics { key } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const response = await postRaw(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } }));
    expect(response.errors).toBeUndefined();
  });
});

describe('the cost of a request counts its lists', () => {
  const FULL = `userId inHoldout experiments { experimentKey variantKey payload phase reason } flags { key value variant reason errorCode }
    entitlements { key kind value period source sourceType expiresAt }`;
  const users = Array.from({ length: 1_000 }, (_, i) => ({ id: `cost-${i}` }));
  const aliased = (n: number) => `query ($users: [UserContextInput!]!) { ${Array.from({ length: n }, (_, i) => `a${i}: resolveMany(users: $users) { ${FULL} }`).join(' ')} }`;

  it('lets one resolveMany of 1,000 users with every field through, on the fast path and through Apollo', async () => {
    const fast = await server.gql(aliased(1), { users }, sdkKey);
    expect(fast.errors).toBeUndefined();
    expect(fast.data.a0).toHaveLength(1_000);
    const apollo = await postRaw(JSON.stringify({ query: aliased(1).replace('query (', 'query Named('), operationName: 'Named', variables: { users } }), sdkKey);
    expect(apollo.errors).toBeUndefined();
  });

  it('refuses 20 aliases of resolveMany with 1,000 users each, before resolving anyone, on both paths', async () => {
    const body = JSON.stringify({ query: aliased(20), variables: { users: users.map((u) => ({ id: `amplified-${u.id}` })) } });
    expect(body.length).toBeLessThan(40_000);
    const fast = await postRaw(body, sdkKey);
    expect([fast.status, refusal(fast).code, refusal(fast).reason]).toEqual([400, 'BAD_USER_INPUT', 'QUERY_TOO_COSTLY']);
    const apollo = await postRaw(body.replace('query (', 'query Named(').replace(/}$/, ',"operationName":"Named"}'), sdkKey);
    expect([apollo.status, refusal(apollo).code, refusal(apollo).reason]).toEqual([400, 'BAD_USER_INPUT', 'QUERY_TOO_COSTLY']);
    await server.uplift.exposures.flush();
    expect(await server.uplift.dataSource.query(`SELECT count(*)::int AS n FROM exposures WHERE user_id LIKE 'amplified-%'`)).toEqual([{ n: 0 }]);
  });

  it('counts per request on the fast path, whose validation is cached per query string', async () => {
    const query = aliased(20);
    expect((await server.gql(query, { users: users.slice(0, 2) }, sdkKey)).errors).toBeUndefined();
    expect(refusal(await server.gql(query, { users }, sdkKey)).reason).toBe('QUERY_TOO_COSTLY');
  });
});

describe('found by fuzzing (src/server/fuzz.api.test.ts)', () => {
  it.each(['entitlements', 'entitlementRules', 'experiments', 'flags'])('%s(filter: null) is the same as no filter', async (field) => {
    const response = await server.gql(`{ ${field}(filter: null) { nodes { key } } }`);
    expect(response.errors).toBeUndefined();
  });
});
