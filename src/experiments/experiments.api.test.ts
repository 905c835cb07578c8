import { errorCode, startTestServer, type TestServer } from '../testing/harness';

const EXPERIMENT_FIELDS = `
  id key name description hypothesis strategy owner tags status trafficAllocation version
  variants { key name weight isControl payload }
  targeting { tiers match conditions { attribute operator value } }
  primaryMetricKey secondaryMetricKeys guardrailMetricKeys
  shippedVariantKey stopReason createdAt updatedAt startedAt stoppedAt
  statusHistory { from to actor reason }
`;

const CREATE = `mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { ${EXPERIMENT_FIELDS} } }`;
const UPDATE = `mutation ($key: String!, $version: Int!, $input: UpdateExperimentInput!) {
  updateExperiment(key: $key, version: $version, input: $input) { ${EXPERIMENT_FIELDS} } }`;
const GET = `query ($key: String!) { experiment(key: $key) { ${EXPERIMENT_FIELDS} } }`;
const LIST = `query ($filter: ExperimentFilter, $first: Int, $after: String) {
  experiments(filter: $filter, first: $first, after: $after) { nodes { key status } pageInfo { hasNextPage endCursor } } }`;
const AUDIT = `query ($key: String!) { auditLog(experimentKey: $key) { nodes { action actor before after at } } }`;
const transition = (name: string, extraArgs = '', extraVars = '') =>
  `mutation ($key: String!, $version: Int! ${extraVars}) { ${name}(key: $key, version: $version ${extraArgs}) { ${EXPERIMENT_FIELDS} } }`;
const START = transition('startExperiment');
const PAUSE = transition('pauseExperiment', ', reason: $reason', ', $reason: String');
const RESUME = transition('resumeExperiment');
const STOP = transition('stopExperiment', ', shippedVariantKey: $shipped, reason: $reason', ', $shipped: String, $reason: String!');
const ARCHIVE = transition('archiveExperiment');

function experimentInput(key: string, overrides: Record<string, unknown> = {}) {
  return {
    key,
    name: 'Activity incentives',
    hypothesis: 'A task system lifts D7 retention more than a check-in reward',
    strategy: 'task-system',
    tags: ['retention', 'q4'],
    trafficAllocation: 10,
    variants: [
      { key: 'control', name: 'Control', weight: 34, isControl: true },
      { key: 'check-in', name: 'Daily check-in', weight: 33, payload: { rewardAmount: 1, currency: 'CNY' } },
      { key: 'task-system', name: 'Task system', weight: 33, payload: { tasks: ['post', 'comment'], badges: ['starter'] } },
    ],
    targeting: { tiers: ['new', 'regular'], match: 'ALL', conditions: [{ attribute: 'app.version', operator: 'SEMVER_GTE', value: '2.0.0' }] },
    primaryMetricKey: 'd7_retention',
    secondaryMetricKeys: ['d1_retention'],
    guardrailMetricKeys: ['complaint_rate'],
    ...overrides,
  };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function create(key: string, overrides: Record<string, unknown> = {}) {
  const result = await server.gql(CREATE, { input: experimentInput(key, overrides) });
  expect(result.errors).toBeUndefined();
  return result.data.createExperiment;
}

describe('creating and reading', () => {
  it('creates a draft with its variants, payloads and targeting, and reads it back', async () => {
    const created = await create('create-read');
    expect(created).toMatchObject({
      key: 'create-read',
      status: 'DRAFT',
      version: 1,
      owner: 'bootstrap-admin',
      trafficAllocation: 10,
      startedAt: null,
      statusHistory: [{ from: null, to: 'DRAFT', actor: 'api-key:bootstrap-admin', reason: null }],
    });
    expect(created.variants.map((v: { key: string }) => v.key)).toEqual(['control', 'check-in', 'task-system']);
    expect(created.variants[1].payload).toEqual({ rewardAmount: 1, currency: 'CNY' });
    expect(created.variants[0].payload).toEqual({});
    const read = await server.gql(GET, { key: 'create-read' });
    expect(read.data.experiment).toEqual(created);
  });

  it('refuses a key that is taken with CONFLICT', async () => {
    await create('taken');
    const again = await server.gql(CREATE, { input: experimentInput('taken') });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors![0].extensions).toMatchObject({ reason: 'KEY_TAKEN', field: 'key' });
  });

  it('answers NOT_FOUND for an unknown key', async () => {
    const result = await server.gql(GET, { key: 'nope' });
    expect(errorCode(result)).toBe('NOT_FOUND');
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ['a key that is not a slug', { key: 'Not A Slug' }, 'key'],
    ['one variant', { variants: [{ key: 'only', name: 'Only', weight: 100, isControl: true }] }, 'variants'],
    ['a negative weight', { variants: [{ key: 'a', name: 'A', weight: -1, isControl: true }, { key: 'b', name: 'B', weight: 101 }] }, 'variants.0.weight'],
    ['a traffic allocation above 100', { trafficAllocation: 150 }, 'trafficAllocation'],
    ['a payload that is not an object', { variants: [{ key: 'a', name: 'A', weight: 50, isControl: true, payload: [1] }, { key: 'b', name: 'B', weight: 50 }] }, 'variants.0.payload'],
    ['repeated variant keys', { variants: [{ key: 'a', name: 'A', weight: 50, isControl: true }, { key: 'a', name: 'B', weight: 50 }] }, 'variants.1.key'],
    ['a condition value of the wrong type', { targeting: { conditions: [{ attribute: 'age', operator: 'GTE', value: 'eighteen' }] } }, 'targeting.conditions.0.value'],
    ['a tier that is not a slug', { targeting: { tiers: ['High Value'] } }, 'targeting.tiers.0'],
  ];
  it.each(badInputs)('refuses %s with BAD_USER_INPUT naming the field', async (_label, overrides, field) => {
    const key = `bad-${Math.random().toString(36).slice(2, 8)}`;
    const result = await server.gql(CREATE, { input: experimentInput(key, overrides) });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe(field);
    const after = await server.gql(GET, { key });
    expect(errorCode(after)).toBe('NOT_FOUND');
  });

  it('refuses more than 20 variants', async () => {
    const variants = Array.from({ length: 21 }, (_, i) => ({ key: `v${i}`, name: `V${i}`, weight: 1, isControl: i === 0 }));
    const result = await server.gql(CREATE, { input: experimentInput('too-many', { variants }) });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe('variants');
  });
});

describe('listing', () => {
  beforeAll(async () => {
    await create('list-check-in', { strategy: 'check-in', tags: ['checkin'], name: 'Red packet check-in' });
    await create('list-advisor', { strategy: 'advisor', tags: ['vip'], hypothesis: 'A dedicated advisor wins back silent high-value users' });
    const running = await create('list-running', { strategy: 'advisor', tags: ['vip'] });
    await server.gql(START, { key: 'list-running', version: running.version });
  });

  it('filters on status, strategy, tag and text', async () => {
    const keys = async (filter: object) => (await server.gql(LIST, { filter, first: 100 })).data.experiments.nodes.map((n: { key: string }) => n.key);
    expect(await keys({ strategy: 'advisor' })).toEqual(['list-running', 'list-advisor']);
    expect(await keys({ strategy: 'advisor', status: ['RUNNING'] })).toEqual(['list-running']);
    expect(await keys({ tag: 'checkin' })).toEqual(['list-check-in']);
    expect(await keys({ text: 'RED PACKET' })).toEqual(['list-check-in']);
    expect(await keys({ text: 'silent high-value' })).toEqual(['list-advisor']);
    expect(await keys({ text: '%' })).toEqual([]);
  });

  it('pages with cursors, newest first, without repeating or skipping', async () => {
    const all = (await server.gql(LIST, { first: 100 })).data.experiments.nodes.map((n: { key: string }) => n.key);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await server.gql(LIST, { first: 2, after })).data.experiments;
      seen.push(...page.nodes.map((n: { key: string }) => n.key));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    expect(all.indexOf('list-running')).toBeLessThan(all.indexOf('list-check-in'));
  });

  it('refuses a forged cursor and an out-of-range page size', async () => {
    const forged = await server.gql(LIST, { after: 'not-a-cursor' });
    expect(errorCode(forged)).toBe('BAD_USER_INPUT');
    expect(forged.errors![0].extensions!.field).toBe('after');
    const huge = await server.gql(LIST, { first: 1000 });
    expect(errorCode(huge)).toBe('BAD_USER_INPUT');
    expect(huge.errors![0].extensions!.field).toBe('first');
  });
});

describe('lifecycle through the API', () => {
  it('starts, pauses, resumes, stops shipping a variant, and archives, recording each change', async () => {
    let e = await create('lifecycle');
    e = (await server.gql(START, { key: e.key, version: e.version })).data.startExperiment;
    expect(e).toMatchObject({ status: 'RUNNING', version: 2 });
    expect(e.startedAt).not.toBeNull();
    e = (await server.gql(PAUSE, { key: e.key, version: e.version, reason: 'complaints spike' })).data.pauseExperiment;
    expect(e.status).toBe('PAUSED');
    e = (await server.gql(RESUME, { key: e.key, version: e.version })).data.resumeExperiment;
    expect(e.status).toBe('RUNNING');
    e = (await server.gql(STOP, { key: e.key, version: e.version, shipped: 'task-system', reason: 'D7 retention +24pp' })).data.stopExperiment;
    expect(e).toMatchObject({ status: 'STOPPED', shippedVariantKey: 'task-system', stopReason: 'D7 retention +24pp' });
    expect(e.stoppedAt).not.toBeNull();
    e = (await server.gql(ARCHIVE, { key: e.key, version: e.version })).data.archiveExperiment;
    expect(e.status).toBe('ARCHIVED');
    expect(e.statusHistory.map((c: { from: string; to: string }) => `${c.from}>${c.to}`)).toEqual([
      'null>DRAFT', 'DRAFT>RUNNING', 'RUNNING>PAUSED', 'PAUSED>RUNNING', 'RUNNING>STOPPED', 'STOPPED>ARCHIVED',
    ]);
    expect(e.statusHistory[2].reason).toBe('complaints spike');
  });

  it('refuses illegal transitions with CONFLICT and changes nothing', async () => {
    const e = await create('illegal');
    for (const [mutation, vars] of [[PAUSE, {}], [RESUME, {}], [STOP, { reason: 'r' }]] as const) {
      const result = await server.gql(mutation, { key: e.key, version: e.version, ...vars });
      expect(errorCode(result)).toBe('CONFLICT');
      expect(result.errors![0].extensions!.reason).toBe('INVALID_TRANSITION');
    }
    const started = (await server.gql(START, { key: e.key, version: 1 })).data.startExperiment;
    const archive = await server.gql(ARCHIVE, { key: e.key, version: started.version });
    expect(errorCode(archive)).toBe('CONFLICT');
    const startAgain = await server.gql(START, { key: e.key, version: started.version });
    expect(errorCode(startAgain)).toBe('CONFLICT');
    expect((await server.gql(GET, { key: e.key })).data.experiment).toMatchObject({ status: 'RUNNING', version: 2 });
  });

  it('will not start without one control and weights summing to 100', async () => {
    const noControl = await create('no-control', {
      variants: [{ key: 'a', name: 'A', weight: 50 }, { key: 'b', name: 'B', weight: 50 }],
    });
    const r1 = await server.gql(START, { key: noControl.key, version: 1 });
    expect(errorCode(r1)).toBe('BAD_USER_INPUT');
    expect(r1.errors![0].message).toMatch(/exactly one control/);
    const light = await create('light-weights', {
      variants: [{ key: 'a', name: 'A', weight: 30, isControl: true }, { key: 'b', name: 'B', weight: 30 }],
    });
    const r2 = await server.gql(START, { key: light.key, version: 1 });
    expect(errorCode(r2)).toBe('BAD_USER_INPUT');
    expect(r2.errors![0].message).toMatch(/sum to 100/);
    expect((await server.gql(GET, { key: light.key })).data.experiment.status).toBe('DRAFT');
  });

  it('refuses to ship a variant the experiment does not have', async () => {
    const e = await create('ship-unknown');
    const started = (await server.gql(START, { key: e.key, version: 1 })).data.startExperiment;
    const result = await server.gql(STOP, { key: e.key, version: started.version, shipped: 'nope', reason: 'r' });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe('shippedVariantKey');
    expect((await server.gql(GET, { key: e.key })).data.experiment.status).toBe('RUNNING');
  });
});

describe('updating', () => {
  it('changes only the fields named, and bumps the version', async () => {
    const e = await create('update-draft');
    const result = await server.gql(UPDATE, { key: e.key, version: 1, input: { name: 'Renamed', description: 'why', tags: ['x'] } });
    expect(result.data.updateExperiment).toMatchObject({ name: 'Renamed', description: 'why', tags: ['x'], version: 2, hypothesis: e.hypothesis });
    const cleared = await server.gql(UPDATE, { key: e.key, version: 2, input: { description: null } });
    expect(cleared.data.updateExperiment).toMatchObject({ description: null, name: 'Renamed', version: 3 });
  });

  it('replaces a draft’s variants and targeting', async () => {
    await create('update-variants');
    const variants = [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'advisor', name: 'Advisor', weight: 50, payload: { advisor: true } }];
    const targeting = { tiers: ['high_value'], match: 'ANY', conditions: [] };
    const result = await server.gql(UPDATE, { key: 'update-variants', version: 1, input: { variants, targeting } });
    expect(result.errors).toBeUndefined();
    expect(result.data.updateExperiment.variants).toEqual(variants.map((v) => ({ isControl: false, payload: {}, ...v })));
    expect(result.data.updateExperiment.targeting).toEqual(targeting);
  });

  it('lets a running experiment ramp its traffic up and down but not change variants, weights or targeting', async () => {
    const e = await create('update-running');
    const started = (await server.gql(START, { key: e.key, version: 1 })).data.startExperiment;
    const up = await server.gql(UPDATE, { key: e.key, version: started.version, input: { trafficAllocation: 50, name: 'Ramped' } });
    expect(up.data.updateExperiment).toMatchObject({ trafficAllocation: 50, name: 'Ramped', version: 3 });
    const down = await server.gql(UPDATE, { key: e.key, version: 3, input: { trafficAllocation: 5 } });
    expect(down.data.updateExperiment.trafficAllocation).toBe(5);

    const reweighted = e.variants.map((v: any, i: number) => ({ ...v, weight: [50, 25, 25][i] }));
    const locked: [string, Record<string, unknown>][] = [
      ['variants', { variants: reweighted }],
      ['targeting', { targeting: { tiers: ['high_value'], match: 'ALL', conditions: [] } }],
      ['primaryMetricKey', { primaryMetricKey: 'd1_retention' }],
    ];
    for (const [field, input] of locked) {
      const result = await server.gql(UPDATE, { key: e.key, version: 4, input });
      expect(errorCode(result)).toBe('CONFLICT');
      expect(result.errors![0].extensions).toMatchObject({ reason: 'FIELD_LOCKED', field });
    }
    // Sending the variants unchanged is not a change.
    const same = await server.gql(UPDATE, { key: e.key, version: 4, input: { variants: e.variants, description: 'noted' } });
    expect(same.errors).toBeUndefined();
    const final = (await server.gql(GET, { key: e.key })).data.experiment;
    expect(final.variants).toEqual(e.variants);
    expect(final.version).toBe(5);
  });

  it('refuses a stale version with CONFLICT, so two product managers cannot overwrite each other', async () => {
    await create('stale');
    const first = await server.gql(UPDATE, { key: 'stale', version: 1, input: { name: 'Alice was here' } });
    expect(first.data.updateExperiment.version).toBe(2);
    const second = await server.gql(UPDATE, { key: 'stale', version: 1, input: { name: 'Bob was here' } });
    expect(errorCode(second)).toBe('CONFLICT');
    expect(second.errors![0].extensions!.reason).toBe('VERSION_CONFLICT');
    expect((await server.gql(GET, { key: 'stale' })).data.experiment.name).toBe('Alice was here');
  });

  it('lets exactly one of many concurrent updates at the same version win', async () => {
    await create('race');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server.gql(UPDATE, { key: 'race', version: 1, input: { name: `writer ${i}` } })),
    );
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => errorCode(r) === 'CONFLICT')).toHaveLength(7);
    const final = (await server.gql(GET, { key: 'race' })).data.experiment;
    expect(final).toMatchObject({ version: 2, name: winners[0].data.updateExperiment.name });
  });

  it('keeps an archived experiment read-only', async () => {
    const e = await create('archived');
    const archived = (await server.gql(ARCHIVE, { key: e.key, version: 1 })).data.archiveExperiment;
    const result = await server.gql(UPDATE, { key: e.key, version: archived.version, input: { name: 'x' } });
    expect(errorCode(result)).toBe('CONFLICT');
  });
});

describe('duplicating', () => {
  it('copies the configuration into a new draft, whatever the original’s status', async () => {
    const e = await create('original');
    await server.gql(START, { key: e.key, version: 1 });
    const DUPLICATE = `mutation { duplicateExperiment(key: "original", newKey: "original-v2") { ${EXPERIMENT_FIELDS} } }`;
    const copy = (await server.gql(DUPLICATE)).data.duplicateExperiment;
    expect(copy).toMatchObject({ key: 'original-v2', status: 'DRAFT', version: 1, name: 'Activity incentives (copy)', startedAt: null });
    expect(copy.variants).toEqual(e.variants);
    expect(copy.targeting).toEqual(e.targeting);
    expect(copy.id).not.toBe(e.id);
    const again = await server.gql(DUPLICATE);
    expect(errorCode(again)).toBe('CONFLICT');
  });
});

describe('audit', () => {
  it('records every mutation with actor, action, time, before and after', async () => {
    const e = await create('audited');
    await server.gql(UPDATE, { key: e.key, version: 1, input: { trafficAllocation: 20 } });
    await server.gql(START, { key: e.key, version: 2 });
    const refused = await server.gql(UPDATE, { key: e.key, version: 1, input: { name: 'stale' } });
    expect(errorCode(refused)).toBe('CONFLICT');

    const entries = (await server.gql(AUDIT, { key: e.key })).data.auditLog.nodes;
    expect(entries.map((a: { action: string }) => a.action)).toEqual(['START', 'UPDATE', 'CREATE']);
    const [start, update, createEntry] = entries;
    expect(createEntry).toMatchObject({ actor: 'api-key:bootstrap-admin', before: null });
    expect(createEntry.after).toMatchObject({ key: 'audited', status: 'DRAFT', trafficAllocation: 10 });
    expect(update.before).toMatchObject({ trafficAllocation: 10, version: 1 });
    expect(update.after).toMatchObject({ trafficAllocation: 20, version: 2 });
    expect(start.before.status).toBe('DRAFT');
    expect(start.after.status).toBe('RUNNING');
    expect(Date.parse(start.at)).toBeGreaterThanOrEqual(Date.parse(createEntry.at));
  });

  it('writes nothing when any part of a mutation fails: the change and its audit entry are one transaction', async () => {
    const e = await create('atomic');
    // A real failure inside PostgreSQL, after the experiment row was already updated in the transaction.
    await server.uplift.dataSource.query(`
      CREATE FUNCTION fail_audit() RETURNS trigger AS $$
      BEGIN
        IF NEW.entity_key = 'atomic' AND NEW.action = 'UPDATE' THEN RAISE EXCEPTION 'secret detail from audit_log'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await server.uplift.dataSource.query(`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_audit()`);
    try {
      const result = await server.gql(UPDATE, { key: e.key, version: 1, input: { name: 'half-written?' } });
      expect(errorCode(result)).toBe('INTERNAL_SERVER_ERROR');
      // Masked: no SQL, no stack trace, no detail of the failure.
      expect(result.errors![0].message).toBe('Internal server error');
      expect(JSON.stringify(result)).not.toMatch(/secret detail|audit_log|stacktrace|at .*\.ts/);
      const after = (await server.gql(GET, { key: e.key })).data.experiment;
      expect(after).toMatchObject({ name: e.name, version: 1 });
    } finally {
      await server.uplift.dataSource.query('DROP TRIGGER fail_audit ON audit_log; DROP FUNCTION fail_audit()');
    }
  });
});
