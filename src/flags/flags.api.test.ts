import { errorCode, startTestServer, type TestServer } from '../testing/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.gql(`mutation { createExperiment(input: { key: "advisor-pilot", name: "Advisor pilot", variants: [
    { key: "control", name: "Control", weight: 50, isControl: true }, { key: "advisor", name: "Advisor", weight: 50 }] }) { key } }`);
});
afterAll(async () => {
  await server?.close();
});

const FIELDS = `key type enabled status version defaultValue seed
  rules { id kind value percentage experimentKey variantValues { variantKey value } targeting { tiers } }`;
const CREATE = `mutation ($input: CreateFlagInput!) { createFlag(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($key: String!, $version: Int!, $input: UpdateFlagInput!) { updateFlag(key: $key, version: $version, input: $input) { ${FIELDS} } }`;

describe('flags', () => {
  it('creates a flag with value, rollout and experiment rules, off by default', async () => {
    const result = await server.gql(CREATE, {
      input: {
        key: 'task-centre', name: 'Task centre', type: 'BOOLEAN', defaultValue: false,
        rules: [
          { kind: 'VALUE', value: true, targeting: { tiers: ['high_value'] } },
          { kind: 'ROLLOUT', value: true, percentage: 25 },
        ],
      },
    });
    expect(result.errors).toBeUndefined();
    const flag = result.data.createFlag;
    expect(flag).toMatchObject({ key: 'task-centre', type: 'BOOLEAN', enabled: false, status: 'ACTIVE', version: 1, defaultValue: false, seed: 'task-centre' });
    expect(flag.rules.map((r: { kind: string }) => r.kind)).toEqual(['VALUE', 'ROLLOUT']);
    expect(flag.rules[0].id).toMatch(/^r_[0-9a-f]{8}$/);

    const offer = await server.gql(CREATE, {
      input: {
        key: 'advisor-offer', name: 'Advisor offer', type: 'JSON', defaultValue: { advisor: false }, enabled: true,
        rules: [{ kind: 'EXPERIMENT', experimentKey: 'advisor-pilot', variantValues: [{ variantKey: 'advisor', value: { advisor: true, eventInvite: 'offline-salon' } }] }],
      },
    });
    expect(offer.errors).toBeUndefined();
    expect(offer.data.createFlag.rules[0].variantValues).toEqual([{ variantKey: 'advisor', value: { advisor: true, eventInvite: 'offline-salon' } }]);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['a default of the wrong type', { type: 'NUMBER', defaultValue: 'ten' }, 'defaultValue'],
    ['a rule value of the wrong type', { type: 'STRING', defaultValue: 'a', rules: [{ kind: 'VALUE', value: 3 }] }, 'rules.0.value'],
    ['a rollout without a percentage', { type: 'BOOLEAN', defaultValue: false, rules: [{ kind: 'ROLLOUT', value: true }] }, 'rules.0.percentage'],
    ['an unknown experiment', { type: 'BOOLEAN', defaultValue: false, rules: [{ kind: 'EXPERIMENT', experimentKey: 'nope', variantValues: [{ variantKey: 'a', value: true }] }] }, 'rules.0.experimentKey'],
    ['an unknown variant', { type: 'BOOLEAN', defaultValue: false, rules: [{ kind: 'EXPERIMENT', experimentKey: 'advisor-pilot', variantValues: [{ variantKey: 'b', value: true }] }] }, 'rules.0.variantValues'],
    ['a bad condition', { type: 'BOOLEAN', defaultValue: false, rules: [{ kind: 'VALUE', value: true, targeting: { conditions: [{ attribute: 'age', operator: 'GT', value: 'x' }] } }] }, 'rules.0.targeting.conditions.0.value'],
  ];
  it.each(bad)('refuses %s with BAD_USER_INPUT naming the field', async (_label, fields, field) => {
    const result = await server.gql(CREATE, { input: { key: `bad-${Math.random().toString(36).slice(2, 8)}`, name: 'n', ...fields } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe(field);
  });

  it('updates rules keeping ids sent back, toggles, archives, and refuses stale versions', async () => {
    const flag = (await server.gql('{ flag(key: "task-centre") { rules { id } } }')).data.flag;
    const rolloutId = flag.rules[1].id;
    const updated = await server.gql(UPDATE, { key: 'task-centre', version: 1, input: { rules: [{ id: rolloutId, kind: 'ROLLOUT', value: true, percentage: 50 }] } });
    expect(updated.data.updateFlag.rules).toEqual([expect.objectContaining({ id: rolloutId, percentage: 50 })]);
    expect(errorCode(await server.gql(UPDATE, { key: 'task-centre', version: 1, input: { name: 'stale' } }))).toBe('CONFLICT');
    const on = await server.gql('mutation { setFlagEnabled(key: "task-centre", version: 2, enabled: true) { enabled version } }');
    expect(on.data.setFlagEnabled).toEqual({ enabled: true, version: 3 });
    const archived = await server.gql('mutation { archiveFlag(key: "task-centre", version: 3) { status enabled version } }');
    expect(archived.data.archiveFlag).toEqual({ status: 'ARCHIVED', enabled: false, version: 4 });
    const readOnly = await server.gql(UPDATE, { key: 'task-centre', version: 4, input: { name: 'x' } });
    expect(readOnly.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'ARCHIVED' });
    const audit = await server.gql('{ flag(key: "task-centre") { auditLog { nodes { action } } } }');
    expect(audit.data.flag.auditLog.nodes.map((n: { action: string }) => n.action)).toEqual(['ARCHIVE', 'ENABLE', 'UPDATE', 'CREATE']);
  });

  it('lists and filters flags, and keeps them from analysts’ writes and SDK keys', async () => {
    const active = await server.gql('{ flags(filter: { status: ACTIVE }) { nodes { key } } }');
    expect(active.data.flags.nodes.map((n: { key: string }) => n.key)).toEqual(['advisor-offer']);
    const text = await server.gql('{ flags(filter: { text: "TASK" }) { nodes { key } } }');
    expect(text.data.flags.nodes.map((n: { key: string }) => n.key)).toEqual(['task-centre']);
    const analyst = await server.createKey('ANALYST');
    expect((await server.gql('{ flag(key: "advisor-offer") { key } }', undefined, analyst)).errors).toBeUndefined();
    expect(errorCode(await server.gql(CREATE, { input: { key: 'x', name: 'x', type: 'BOOLEAN', defaultValue: true } }, analyst))).toBe('FORBIDDEN');
    const sdk = await server.createKey('SDK');
    expect(errorCode(await server.gql('{ flags { nodes { key } } }', undefined, sdk))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ flag(key: "nope") { key } }'))).toBe('NOT_FOUND');
  });
});
