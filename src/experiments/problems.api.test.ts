import { errorCode, startTestServer, type TestServer } from '../testing/harness';

/** Issue 15, items 1 and 3: every problem of an experiment in one answer, early; refusals that name the way out. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const FIELDS = 'key version status problems { field message }';
const CREATE = `mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($key: String!, $version: Int!, $input: UpdateExperimentInput!) { updateExperiment(key: $key, version: $version, input: $input) { ${FIELDS} } }`;
const START = 'mutation ($key: String!, $version: Int!) { startExperiment(key: $key, version: $version) { status version } }';
const VALIDATE = 'query ($input: CreateExperimentInput!) { validateExperiment(input: $input) { field message } }';

const twoControlsAt60 = [
  { key: 'control', name: 'Control', weight: 30, isControl: true },
  { key: 'advisor', name: 'Advisor', weight: 30, isControl: true, payload: { advisor: 'yes' } },
  { key: 'call', name: 'Call', weight: 0, payload: { advisor: true } },
];

describe('problems of a draft', () => {
  it('saves a draft with problems and shows them all as warnings, at create and at update', async () => {
    const created = await server.gql(CREATE, { input: { key: 'warned-draft', name: 'Warned', variants: twoControlsAt60 } });
    expect(created.errors).toBeUndefined();
    expect(created.data.createExperiment).toMatchObject({ status: 'DRAFT', version: 1 });
    expect(created.data.createExperiment.problems).toEqual([
      { field: 'variants', message: 'needs exactly one control variant, has 2' },
      { field: 'variants', message: 'variant weights must sum to 100, they sum to 60' },
      { field: 'primaryMetricKey', message: 'needs a primary metric' },
      { field: 'variants.2.payload.advisor', message: '"advisor" is a boolean here but a string in "advisor"' },
    ]);

    const fixed = [
      { key: 'control', name: 'Control', weight: 50, isControl: true },
      { key: 'advisor', name: 'Advisor', weight: 50, payload: { advisor: true } },
    ];
    const updated = await server.gql(UPDATE, { key: 'warned-draft', version: 1, input: { variants: fixed } });
    expect(updated.data.updateExperiment.problems).toEqual([{ field: 'primaryMetricKey', message: 'needs a primary metric' }]);
    const ready = await server.gql(UPDATE, { key: 'warned-draft', version: 2, input: { primaryMetricKey: 'd7_retention' } });
    expect(ready.data.updateExperiment.problems).toEqual([]);
    expect((await server.gql(START, { key: 'warned-draft', version: 3 })).data.startExperiment.status).toBe('RUNNING');
  });

  it('refuses to start with one error listing every problem with its field', async () => {
    await server.gql(CREATE, { input: { key: 'not-ready', name: 'Not ready', variants: twoControlsAt60 } });
    const result = await server.gql(START, { key: 'not-ready', version: 1 });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_READY_TO_START', field: 'variants' });
    expect(result.errors![0].extensions!.problems).toEqual([
      { field: 'variants', message: 'needs exactly one control variant, has 2' },
      { field: 'variants', message: 'variant weights must sum to 100, they sum to 60' },
      { field: 'primaryMetricKey', message: 'needs a primary metric' },
      { field: 'variants.2.payload.advisor', message: '"advisor" is a boolean here but a string in "advisor"' },
    ]);
    expect(result.errors![0].message).toMatch(/^4 problems: variants: needs exactly one control variant, has 2; variants: variant weights must sum to 100/);
  });

  it('refuses a save with every problem a save refuses, in one error', async () => {
    const result = await server.gql(CREATE, {
      input: {
        key: 'many-wrongs', name: 'Many wrongs', primaryMetricKey: 'no_such_metric', targeting: { tiers: ['high-value'] },
        variants: [{ key: 'a', name: 'A', weight: 50, isControl: true }, { key: 'a', name: 'B', weight: 50 }],
      },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.problems).toEqual([{ field: 'variants.1.key', message: 'variant key "a" is used twice' }]);
    const references = await server.gql(CREATE, {
      input: {
        key: 'many-wrongs', name: 'Many wrongs', primaryMetricKey: 'no_such_metric', targeting: { tiers: ['high-value'] },
        variants: [{ key: 'a', name: 'A', weight: 50, isControl: true }, { key: 'b', name: 'B', weight: 50 }],
      },
    });
    expect(references.errors![0].extensions!.problems).toEqual([
      { field: 'primaryMetricKey', message: 'no metric with key "no_such_metric"' },
      { field: 'targeting.tiers.0', message: expect.stringMatching(/^unknown tier "high-value"; known tiers: high_value, new, regular, suspect/) },
    ]);
  });

  it('validateExperiment lists everything create and start would refuse, and saves nothing', async () => {
    const input = {
      key: 'warned-draft', name: 'Check me', primaryMetricKey: 'no_such_metric', targeting: { tiers: ['vip'] },
      variants: [{ key: 'a', name: 'A', weight: 70 }, { key: 'b', name: 'B', weight: 20 }],
    };
    const result = await server.gql(VALIDATE, { input });
    expect(result.errors).toBeUndefined();
    expect(result.data.validateExperiment.map((p: { field: string }) => p.field)).toEqual([
      'key', 'variants', 'variants', 'primaryMetricKey', 'targeting.tiers.0',
    ]);
    const clean = await server.gql(VALIDATE, { input: { ...input, key: 'fresh-key', primaryMetricKey: 'd7_retention', targeting: { tiers: ['new'] }, variants: [{ ...input.variants[0], isControl: true }, { ...input.variants[1], weight: 30 }] } });
    expect(clean.data.validateExperiment).toEqual([]);
    expect(errorCode(await server.gql('query { experiment(key: "fresh-key") { key } }'))).toBe('NOT_FOUND');
  });
});

describe('locked fields', () => {
  it('name the mutation that changes them: restartExperiment for variants and weights, duplicateExperiment for the rest', async () => {
    const variants = [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'treatment', name: 'T', weight: 50 }];
    await server.gql(CREATE, { input: { key: 'locked-one', name: 'Locked', primaryMetricKey: 'd7_retention', variants } });
    await server.gql(START, { key: 'locked-one', version: 1 });
    const reweighted = await server.gql(UPDATE, {
      key: 'locked-one', version: 2,
      input: { variants: [{ ...variants[0], weight: 70 }, { ...variants[1], weight: 30 }], targeting: { tiers: ['new'] } },
    });
    expect(reweighted.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'FIELD_LOCKED', field: 'variants' });
    expect(reweighted.errors![0].extensions!.problems).toEqual([
      { field: 'variants', message: 'cannot change while the experiment is RUNNING: restartExperiment(key, version, variants, reason) re-randomises with new variants or weights, as a new phase' },
      { field: 'targeting', message: 'cannot change while the experiment is RUNNING: duplicateExperiment makes a new draft with this configuration, to change and start' },
    ]);
    expect(reweighted.errors![0].message).toMatch(/restartExperiment/);
    // The way out works: a restart with the new weights.
    const restarted = await server.gql(`mutation { restartExperiment(key: "locked-one", version: 2, reason: "new weights",
      variants: [{ key: "control", name: "C", weight: 70, isControl: true }, { key: "treatment", name: "T", weight: 30 }]) { phase variants { weight } } }`);
    expect(restarted.data.restartExperiment).toEqual({ phase: 2, variants: [{ weight: 70 }, { weight: 30 }] });
  });
});
