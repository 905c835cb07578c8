import fc from 'fast-check';
import {
  buildClientSchema, getIntrospectionQuery, getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType,
  isScalarType, type GraphQLField, type GraphQLInputType, type GraphQLOutputType, type GraphQLSchema, type IntrospectionQuery,
} from 'graphql';
import { startTestServer, type TestServer } from '../testing/harness';

/**
 * Property-based fuzzing of every query and mutation, derived from the schema the server
 * introspects: arguments are generated from their types, mixing valid shapes (known keys, slugs,
 * dates) so that deeper code runs with hostile values (NUL, lone surrogates, huge strings, deep
 * JSON, non-finite and extreme numbers, wrong types). Whatever is sent: no INTERNAL_SERVER_ERROR,
 * no HTTP 500, no half-written row, and a healthy server afterwards.
 */
let server: TestServer;
let sdkKey: string;
let schema: GraphQLSchema;

/** FUZZ_RUNS and FUZZ_BUDGET_MS make a longer hunt locally; the suite's run stays well under a minute. */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 8);
/** Each operation gets its share of the budget, so that all are sent even on a busy machine. */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 25_000);

/** Raw JSON that JSON.stringify cannot write, spliced into the body in place of these markers. */
const RAW: Record<string, string> = {
  '~~INF~~': '1e400', '~~NEG_INF~~': '-1e400', '~~DEEP~~': `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`, '~~DEEP_LIST~~': `${'['.repeat(200)}${']'.repeat(200)}`,
};
const rawMarker = fc.constantFrom(...Object.keys(RAW));

const KNOWN_KEYS = ['fuzz-exp', 'fuzz-flag', 'd7_retention', 'fuzz-metric', 'fuzz-ent', 'control', 'treatment', 'fuzz-user', 'payment', 'app_open'];

const hostileString = fc.oneof(
  fc.constant('x\u0000y'),
  fc.constant('\uD800'),
  fc.constant('a\uDFFFb'),
  fc.constant(''),
  fc.constant(' '),
  fc.constant('x'.repeat(100_000)),
  fc.constant('Robert\'); DROP TABLE experiments;--'),
  fc.constant('%s%n\\'),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const validString = fc.oneof(
  fc.constantFrom(...KNOWN_KEYS),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  fc.constantFrom(new Date().toISOString(), '2026-01-01T00:00:00Z', 'USD', 'sg', '5.3.0'),
);
const anyString = fc.oneof({ weight: 3, arbitrary: validString }, { weight: 2, arbitrary: hostileString });

const extremeNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e-300, 5e-324, 1e308, -1e308, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e-5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), extremeNumber, anyString, rawMarker,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Any value at all, for the wrong-type cases. */
const wrongType = fc.oneof(fc.constant(null), fc.boolean(), extremeNumber, hostileString, fc.constant([]), fc.constant({}), fc.constant([[1]]), rawMarker);

const saneJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.boolean(), fc.integer(), validString, fc.dictionary(validString, tie('value'), { maxKeys: 3 })),
})).value;
const dates = fc.constantFrom(new Date().toISOString(), new Date(Date.now() - 86_400_000).toISOString(), new Date(Date.now() + 86_400_000).toISOString());

/** Valid shapes reach the code below the input rules; hostile ones attack them. */
type Mode = 'valid' | 'hostile';

function scalarArbitrary(name: string, mode: Mode): fc.Arbitrary<unknown> {
  const valid = mode === 'valid';
  switch (name) {
    case 'String':
    case 'ID':
      return valid ? validString : anyString;
    case 'Int':
      return valid ? fc.integer({ min: 0, max: 100 }) : fc.oneof(fc.integer({ min: -5, max: 200 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 0, 1_000_000));
    case 'Float':
      return valid ? fc.constantFrom(0.05, 0.8, 0.1, 0.5, 1, 50, 100) : fc.oneof(extremeNumber, rawMarker);
    case 'Boolean':
      return fc.boolean();
    case 'JSON':
    case 'JSONObject':
      return valid ? saneJson : jsonValue;
    default:
      // Dates and other custom scalars: sane dates, garbage, and extremes.
      return valid ? dates : fc.oneof(fc.constantFrom('1970-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2026-02-30T00:00:00Z'), anyString);
  }
}

function inputArbitrary(type: GraphQLInputType, mode: Mode, depth = 0): fc.Arbitrary<unknown> {
  const typed = typedArbitrary(type, mode, depth);
  return mode === 'valid' ? typed : fc.oneof({ weight: 12, arbitrary: typed }, { weight: 1, arbitrary: wrongType });
}

function typedArbitrary(type: GraphQLInputType, mode: Mode, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return typedArbitrary(type.ofType, mode, depth);
  const nullable = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) return nullable(fc.array(inputArbitrary(type.ofType, mode, depth + 1), { maxLength: depth > 2 ? 1 : 3 }));
  if (isEnumType(type)) return nullable(fc.constantFrom(...type.getValues().map((v) => v.name)));
  if (isScalarType(type)) return nullable(scalarArbitrary(type.name, mode));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    if (depth > 4) return fc.constant(null);
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of fields) record[field.name] = inputArbitrary(field.type, mode, depth + 1);
    const requiredKeys = fields.filter((field) => isNonNullType(field.type) && field.defaultValue === undefined).map((field) => field.name);
    return nullable(fc.record(record, { requiredKeys }));
  }
  return fc.constant(null);
}

/** Scalar fields to ask for, one level into objects: enough for the resolvers below them to run. */
function selectionOf(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const parts: string[] = [];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const inner = getNamedType(field.type);
    if (isObjectType(inner)) {
      if (depth < 2) {
        const below = selectionOf(field.type, depth + 1);
        if (below) parts.push(`${field.name} ${below}`);
      }
    } else {
      parts.push(field.name);
    }
  }
  return parts.length ? `{ ${parts.join(' ')} }` : '{ __typename }';
}

interface Operation {
  kind: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  document: string;
}

function operationsOf(kind: 'query' | 'mutation'): Operation[] {
  const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Object.values(root!.getFields()).map((field) => {
    const variables = field.args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
    const args = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
    const document = `${kind}${variables ? ` (${variables})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selectionOf(field.type)} }`;
    return { kind, field, document };
  });
}

function bodyOf(document: string, variables: Record<string, unknown>): string {
  let body = JSON.stringify({ query: document, variables });
  for (const [marker, raw] of Object.entries(RAW)) body = body.split(`"${marker}"`).join(raw);
  return body;
}

const TABLE_OF: Record<string, string> = { createExperiment: 'experiments', createFlag: 'flags', createMetric: 'metrics', createEntitlement: 'entitlements', createLayer: 'layers' };
const isStorable = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed() && !text.includes('\0');

beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'fuzz-sdk');
  const introspection = await server.gql<IntrospectionQuery>(getIntrospectionQuery());
  schema = buildClientSchema(introspection.data!);
  // Something for valid keys to find, so that deeper code runs.
  const setUp = [
    `mutation { createExperiment(input: { key: "fuzz-exp", name: "F", primaryMetricKey: "d7_retention",
      variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "treatment", name: "T", weight: 50, payload: { a: 1 } }] }) { key } }`,
    'mutation { startExperiment(key: "fuzz-exp", version: 1) { key } }',
    'mutation { createFlag(input: { key: "fuzz-flag", name: "F", type: BOOLEAN, defaultValue: false, enabled: true }) { key } }',
  ];
  for (const document of setUp) expect((await server.gql(document)).errors).toBeUndefined();
  await server.uplift.snapshots.refresh();
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('fuzzing every query and mutation', () => {
  const findings: string[] = [];
  const everCreated = new Set<string>();

  it('never answers INTERNAL_SERVER_ERROR or HTTP 500, and writes nothing for a refused create', async () => {
    const operations = [...operationsOf('query'), ...operationsOf('mutation')];
    expect(operations.length).toBeGreaterThan(50);
    const started = Date.now();
    const exercised = new Set<string>();
    const answered = new Set<string>();
    let runsCut = 0;
    for (const [index, operation] of operations.entries()) {
      // Past the budget, each remaining operation still gets one run.
      const runs = Date.now() - started > BUDGET_MS * (index / operations.length) ? Math.ceil(RUNS_PER_OPERATION / 4) : RUNS_PER_OPERATION;
      if (Date.now() - started > BUDGET_MS) runsCut++;
      const variablesIn = (mode: Mode) => fc.record(Object.fromEntries(operation.field.args.map((arg) => [arg.name, inputArbitrary(arg.type, mode)])));
      const variables = fc.oneof(variablesIn('valid'), variablesIn('hostile'));
      const asSdk = operation.field.name.startsWith('resolve') || operation.field.name === 'trackEvents';
      await fc.assert(
        fc.asyncProperty(variables, fc.boolean(), async (values, useSdkKey) => {
          const key = asSdk && useSdkKey ? sdkKey : server.adminKey;
          const response = await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: bodyOf(operation.document, values),
          });
          exercised.add(operation.field.name);
          const text = await response.text();
          const answer = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
          if (answer.data && !answer.errors) answered.add(operation.field.name);
          const internal = answer.errors?.find((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR');
          // Collected rather than thrown, so that one run lists every operation that fails.
          if (response.status >= 500 || internal) findings.push(`${operation.field.name}(${bodyOf('', values).slice(0, 300)}): ${response.status} ${text.slice(0, 200)}`);
          const table = TABLE_OF[operation.field.name];
          const createdKey = (values.input as { key?: unknown } | null | undefined)?.key;
          if (table && typeof createdKey === 'string' && isStorable(createdKey)) {
            if (!answer.errors && answer.data?.[operation.field.name]) everCreated.add(`${table}:${createdKey}`);
            else if (!everCreated.has(`${table}:${createdKey}`) && !KNOWN_KEYS.includes(createdKey)) {
              const rows = await server.uplift.dataSource.query(`SELECT 1 FROM ${table} WHERE key = $1`, [createdKey]);
              if (rows.length > 0) findings.push(`${operation.field.name}: refused, yet a row for ${createdKey} is in ${table}`);
            }
          }
        }),
        { numRuns: Date.now() - started > BUDGET_MS ? 1 : runs, endOnFailure: true },
      );
    }
    expect(findings).toEqual([]);
    if (runsCut > 0) console.warn(`fuzz: budget spent, ${runsCut} operations got a single run`);
    // Every operation was sent at least once, within the budget.
    expect(operations.filter((operation) => !exercised.has(operation.field.name)).map((o) => o.field.name)).toEqual([]);
    // Valid shapes got past the input rules into the code below them for many operations.
    expect(answered.size).toBeGreaterThan(operations.length / 4);
  }, 90_000);

  it('leaves the server healthy: ready, resolving, and logging exposures', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.uplift.snapshots.refresh();
    const resolved = await server.gql('query ($user: UserContextInput!) { resolve(user: $user) { userId flags { key } } }', { user: { id: 'after-fuzz' } }, sdkKey);
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data.resolve.userId).toBe('after-fuzz');
    await server.uplift.exposures.flush();
    expect(server.uplift.exposures.waiting).toBe(0);
  });
});
