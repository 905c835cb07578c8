import { errorCode, startTestServer, type TestServer } from '../testing/harness';

/** Issue 15, item 2: a catalogue of tiers; writes refuse unknown ones; resolve never refuses a user for one. */
let server: TestServer;
let sdkKey: string;
beforeAll(async () => {
  server = await startTestServer();
  sdkKey = await server.createKey('SDK', 'app');
});
afterAll(async () => {
  await server?.close();
});

const TIERS = '{ tiers { key description } }';
const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { experiments { experimentKey variantKey } flags { key value } warnings } }';
const variants = [{ key: 'control', name: 'C', weight: 50, isControl: true }, { key: 'treatment', name: 'T', weight: 50 }];

describe('the tier catalogue', () => {
  it('starts with new, regular, high_value and suspect, readable by every role', async () => {
    const result = await server.gql(TIERS, undefined, sdkKey);
    expect(result.data.tiers.map((t: { key: string }) => t.key)).toEqual(['high_value', 'new', 'regular', 'suspect']);
  });

  it('is edited by admins only, and every change is audited', async () => {
    const analystKey = await server.createKey('ANALYST', 'analyst');
    expect(errorCode(await server.gql('mutation { createTier(input: { key: "vip" }) { key } }', undefined, analystKey))).toBe('FORBIDDEN');
    const created = await server.gql('mutation { createTier(input: { key: "vip", description: "Paid the annual plan" }) { key description } }');
    expect(created.data.createTier).toEqual({ key: 'vip', description: 'Paid the annual plan' });
    expect(errorCode(await server.gql('mutation { createTier(input: { key: "vip" }) { key } }'))).toBe('CONFLICT');
    expect(errorCode(await server.gql('mutation { createTier(input: { key: "Not A Slug" }) { key } }'))).toBe('BAD_USER_INPUT');
    await server.gql('mutation { updateTier(key: "vip", description: "Annual plan") { key } }');
    const audit = await server.gql('{ tiers { key auditLog { nodes { action actor before after } } } }');
    const vip = audit.data.tiers.find((t: { key: string }) => t.key === 'vip');
    expect(vip.auditLog.nodes.map((n: { action: string }) => n.action)).toEqual(['UPDATE', 'CREATE']);
    expect(vip.auditLog.nodes[0]).toMatchObject({ before: { description: 'Paid the annual plan' }, after: { description: 'Annual plan' } });
  });

  it('refuses a tier named by targeting while it is in use, and deletes it otherwise', async () => {
    await server.gql('mutation { createTier(input: { key: "short_lived" }) { key } }');
    await server.gql(`mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }`, {
      input: { key: 'for-short-lived', name: 'S', variants, targeting: { tiers: ['short_lived'] } },
    });
    const refused = await server.gql('mutation { deleteTier(key: "short_lived") { key } }');
    expect(refused.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'IN_USE' });
    expect(refused.errors![0].message).toMatch(/experiment "for-short-lived"/);
    await server.gql('mutation { archiveExperiment(key: "for-short-lived", version: 1) { key } }');
    expect((await server.gql('mutation { deleteTier(key: "short_lived") { key } }')).data.deleteTier.key).toBe('short_lived');
    expect(errorCode(await server.gql('mutation { deleteTier(key: "short_lived") { key } }'))).toBe('NOT_FOUND');
    // The archived experiment still names it: a copy would target nobody, so it is refused.
    const copy = await server.gql('mutation { duplicateExperiment(key: "for-short-lived", newKey: "short-lived-again") { key } }');
    expect(copy.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targeting.tiers.0' });
  });
});

describe('writes that name a tier', () => {
  it('refuse an unknown tier in experiment targeting with BAD_USER_INPUT listing the known tiers', async () => {
    const result = await server.gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
      input: { key: 'typo-tier', name: 'Typo', variants, targeting: { tiers: ['high-value'] } },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.field).toBe('targeting.tiers.0');
    expect(result.errors![0].message).toBe('targeting.tiers.0: unknown tier "high-value"; known tiers: high_value, new, regular, suspect, vip (admins add tiers with createTier)');
    expect(errorCode(await server.gql('{ experiment(key: "typo-tier") { key } }'))).toBe('NOT_FOUND');
  });

  it('refuse an unknown tier in an entitlement rule and in a flag rule', async () => {
    await server.gql('mutation { createEntitlement(input: { key: "tier-perk", name: "Perk", kind: FEATURE }) { key } }');
    const rule = await server.gql(`mutation { createEntitlementRule(input: { key: "perk-for-gold", name: "Gold", effect: GRANT,
      targeting: { tiers: ["regular", "gold"] }, entitlements: [{ key: "tier-perk" }] }) { key } }`);
    expect(rule.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_TIER', field: 'targeting.tiers.1' });
    expect(rule.errors![0].message).toMatch(/known tiers: high_value, new, regular, suspect, vip/);
    const flag = await server.gql(`mutation { createFlag(input: { key: "gold-flag", name: "Gold", type: BOOLEAN, defaultValue: false, enabled: true,
      rules: [{ kind: VALUE, value: true, targeting: { tiers: ["gold"] } }] }) { key } }`);
    expect(flag.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_TIER', field: 'rules.0.targeting.tiers.0' });
  });
});

describe('resolve with a tier the catalogue does not know', () => {
  it('treats it as no tier, says so in the answer, counts it, and takes it once an admin adds the tier', async () => {
    await server.gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
      input: { key: 'for-everyone', name: 'Everyone', primaryMetricKey: 'd7_retention', variants },
    });
    await server.gql('mutation { startExperiment(key: "for-everyone", version: 1) { key } }');
    const before = server.uplift.snapshots.unknownTiers.counts().gold ?? 0;

    const untiered = await server.gql(RESOLVE, { user: { id: 'gold-user' } }, sdkKey);
    const gold = await server.gql(RESOLVE, { user: { id: 'gold-user', tier: 'gold' } }, sdkKey);
    expect(gold.errors).toBeUndefined();
    expect(gold.data.resolve.warnings).toEqual(['tier "gold" is not in the tier catalogue: resolved as no tier']);
    expect({ ...gold.data.resolve, warnings: [] }).toEqual(untiered.data.resolve);
    expect(gold.data.resolve.experiments.map((e: { experimentKey: string }) => e.experimentKey)).toEqual(['for-everyone']);
    const many = await server.gql('query ($users: [UserContextInput!]!) { resolveMany(users: $users) { userId warnings } }', {
      users: [{ id: 'a', tier: 'gold' }, { id: 'b', tier: 'regular' }],
    }, sdkKey);
    expect(many.data.resolveMany).toEqual([{ userId: 'a', warnings: [expect.stringMatching(/"gold"/)] }, { userId: 'b', warnings: [] }]);
    expect(server.uplift.snapshots.unknownTiers.counts().gold).toBe(before + 2);

    // Once catalogued, the tier counts: a gold-only experiment takes the user, with no warning.
    await server.gql('mutation { createTier(input: { key: "gold" }) { key } }');
    await server.gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
      input: { key: 'gold-only', name: 'Gold', primaryMetricKey: 'd7_retention', variants, targeting: { tiers: ['gold'] } },
    });
    await server.gql('mutation { startExperiment(key: "gold-only", version: 1) { key } }');
    const known = await server.gql(RESOLVE, { user: { id: 'gold-user', tier: 'gold' } }, sdkKey);
    expect(known.data.resolve.warnings).toEqual([]);
    expect(known.data.resolve.experiments.map((e: { experimentKey: string }) => e.experimentKey).sort()).toEqual(['for-everyone', 'gold-only']);
    expect(server.uplift.snapshots.unknownTiers.counts().gold).toBe(before + 2);
  });
});
