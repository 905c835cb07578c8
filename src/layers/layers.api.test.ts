import { errorCode, startTestServer, type TestServer } from '../testing/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const layer = await server.gql('mutation { createLayer(input: { key: "incentives", name: "Incentives" }) { key seed version } }');
  expect(layer.data.createLayer).toEqual({ key: 'incentives', seed: 'incentives', version: 1 });
});
afterAll(async () => {
  await server?.close();
});

const FIELDS = 'key status version phase seed layerKey layerShare layerSliceStart layerSliceEnd';
const START = `mutation ($key: String!, $version: Int!) { startExperiment(key: $key, version: $version) { ${FIELDS} } }`;
const STOP = `mutation ($key: String!, $version: Int!) { stopExperiment(key: $key, version: $version, reason: "done") { ${FIELDS} } }`;

async function createInLayer(key: string, layerShare: number | null, layerKey: string | null = 'incentives') {
  const result = await server.gql(
    `mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { ${FIELDS} } }`,
    {
      input: {
        key, name: key, primaryMetricKey: 'd7_retention', layerKey, layerShare,
        variants: [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'treatment', name: 'T', weight: 50 }],
      },
    },
  );
  return result;
}

describe('layers', () => {
  it('gives each started experiment a disjoint slice, refuses one that does not fit, and frees a slice on stop', async () => {
    await createInLayer('check-in', 40);
    await createInLayer('task-system', 40);
    await createInLayer('advisor', 30);
    const a = (await server.gql(START, { key: 'check-in', version: 1 })).data.startExperiment;
    const b = (await server.gql(START, { key: 'task-system', version: 1 })).data.startExperiment;
    expect([a.layerSliceStart, a.layerSliceEnd]).toEqual([0, 0.4]);
    expect([b.layerSliceStart, b.layerSliceEnd]).toEqual([0.4, 0.8]);

    const full = await server.gql(START, { key: 'advisor', version: 1 });
    expect(errorCode(full)).toBe('CONFLICT');
    expect(full.errors![0].extensions).toMatchObject({ reason: 'LAYER_FULL', field: 'layerShare' });
    expect((await server.gql('{ experiment(key: "advisor") { status } }')).data.experiment.status).toBe('DRAFT');

    const stopped = (await server.gql(STOP, { key: 'check-in', version: 2 })).data.stopExperiment;
    expect(stopped.layerSliceStart).toBeNull();
    const c = (await server.gql(START, { key: 'advisor', version: 1 })).data.startExperiment;
    expect([c.layerSliceStart, c.layerSliceEnd]).toEqual([0, 0.3]);
  });

  it('serialises concurrent starts so that two experiments never take the same slice', async () => {
    await server.gql('mutation { createLayer(input: { key: "race", name: "Race" }) { key } }');
    const keys = ['race-a', 'race-b', 'race-c', 'race-d'];
    for (const key of keys) await createInLayer(key, 30, 'race');
    const results = await Promise.all(keys.map((key) => server.gql(START, { key, version: 1 })));
    const started = results.filter((r) => !r.errors).map((r) => r.data.startExperiment);
    expect(started).toHaveLength(3);
    expect(results.filter((r) => errorCode(r) === 'CONFLICT')).toHaveLength(1);
    const slices = started.map((e: any) => [e.layerSliceStart, e.layerSliceEnd]).sort((x: number[], y: number[]) => x[0] - y[0]);
    expect(slices).toEqual([[0, 0.3], [0.3, 0.6], [0.6, 0.9]]);
  });

  it('refuses an unknown layer, a share without a layer, and a taken layer key', async () => {
    const unknown = await createInLayer('nowhere', 10, 'no-such-layer');
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].extensions!.field).toBe('layerKey');
    const shareOnly = await createInLayer('share-only', 10, null);
    expect(shareOnly.errors![0].extensions!.field).toBe('layerKey');
    expect(errorCode(await server.gql('mutation { createLayer(input: { key: "incentives", name: "Again" }) { key } }'))).toBe('CONFLICT');
  });

  it('updates a layer’s name with the version it read, and audits it', async () => {
    const renamed = await server.gql('mutation { updateLayer(key: "incentives", version: 1, input: { name: "Incentive programmes" }) { name version } }');
    expect(renamed.data.updateLayer).toEqual({ name: 'Incentive programmes', version: 2 });
    expect(errorCode(await server.gql('mutation { updateLayer(key: "incentives", version: 1, input: { name: "stale" }) { name } }'))).toBe('CONFLICT');
    const audit = await server.gql('{ layer(key: "incentives") { auditLog { nodes { action } } } }');
    expect(audit.data.layer.auditLog.nodes.map((n: { action: string }) => n.action)).toEqual(['UPDATE', 'CREATE']);
  });
});

describe('holdout', () => {
  it('is null until set, then holds its percentage and seed, audited', async () => {
    expect((await server.gql('{ holdout { percentage } }')).data.holdout).toBeNull();
    const set = await server.gql('mutation { setHoldout(input: { percentage: 5 }) { percentage seed version } }');
    expect(set.data.setHoldout).toEqual({ percentage: 5, seed: 'holdout', version: 1 });
    const changed = await server.gql('mutation { setHoldout(input: { percentage: 10, seed: "h2" }) { percentage seed version auditLog { nodes { action } } } }');
    expect(changed.data.setHoldout).toMatchObject({ percentage: 10, seed: 'h2', version: 2 });
    expect(changed.data.setHoldout.auditLog.nodes).toHaveLength(2);
    expect(errorCode(await server.gql('mutation { setHoldout(input: { percentage: 80 }) { percentage } }'))).toBe('BAD_USER_INPUT');
    const analyst = await server.createKey('ANALYST');
    expect(errorCode(await server.gql('mutation { setHoldout(input: { percentage: 1 }) { percentage } }', undefined, analyst))).toBe('FORBIDDEN');
  });
});

describe('restart and forced assignments', () => {
  it('restarts a running experiment into a new phase with a new seed and new weights', async () => {
    await createInLayer('restartable', null, null);
    await server.gql(START, { key: 'restartable', version: 1 });
    const weights = [{ key: 'control', name: 'C', weight: 20, isControl: true }, { key: 'treatment', name: 'T', weight: 80 }];
    const locked = await server.gql('mutation ($v: [VariantInput!]) { updateExperiment(key: "restartable", version: 2, input: { variants: $v }) { key } }', { v: weights });
    expect(errorCode(locked)).toBe('CONFLICT');
    const restarted = await server.gql(
      'mutation ($v: [VariantInput!]) { restartExperiment(key: "restartable", version: 2, reason: "new split", variants: $v) { status phase seed version variants { weight } statusHistory { from to reason } } }',
      { v: weights },
    );
    expect(restarted.errors).toBeUndefined();
    expect(restarted.data.restartExperiment).toMatchObject({ status: 'RUNNING', phase: 2, seed: 'restartable:phase-2', version: 3, variants: [{ weight: 20 }, { weight: 80 }] });
    expect(restarted.data.restartExperiment.statusHistory.at(-1)).toEqual({ from: 'RUNNING', to: 'RUNNING', reason: 'new split' });
    const draft = await createInLayer('draft-restart', null, null);
    expect(draft.errors).toBeUndefined();
    expect(errorCode(await server.gql('mutation { restartExperiment(key: "draft-restart", version: 1, reason: "r") { key } }'))).toBe('CONFLICT');
  });

  it('sets, lists, replaces and removes a forced assignment, refusing unknown variants', async () => {
    await createInLayer('qa', null, null);
    const set = await server.gql('mutation { setForcedAssignment(experimentKey: "qa", userId: "tester-1", variantKey: "treatment") { userId variantKey createdBy } }');
    expect(set.data.setForcedAssignment).toEqual({ userId: 'tester-1', variantKey: 'treatment', createdBy: 'api-key:bootstrap-admin' });
    await server.gql('mutation { setForcedAssignment(experimentKey: "qa", userId: "tester-1", variantKey: "control") { userId } }');
    const listed = await server.gql('{ experiment(key: "qa") { forcedAssignments { userId variantKey } } }');
    expect(listed.data.experiment.forcedAssignments).toEqual([{ userId: 'tester-1', variantKey: 'control' }]);
    const bad = await server.gql('mutation { setForcedAssignment(experimentKey: "qa", userId: "u", variantKey: "nope") { userId } }');
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'variantKey' });
    expect((await server.gql('mutation { removeForcedAssignment(experimentKey: "qa", userId: "tester-1") }')).data.removeForcedAssignment).toBe(true);
    expect((await server.gql('mutation { removeForcedAssignment(experimentKey: "qa", userId: "tester-1") }')).data.removeForcedAssignment).toBe(false);
    const audit = await server.gql('{ auditLog(experimentKey: "qa") { nodes { action after } } }');
    expect(audit.data.auditLog.nodes.map((n: { action: string }) => n.action)).toEqual(['REMOVE_FORCED_ASSIGNMENT', 'FORCE_ASSIGNMENT', 'FORCE_ASSIGNMENT', 'CREATE']);
  });
});
