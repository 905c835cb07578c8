/**
 * Random configurations built through the real API (experiments in and out of a layer, a
 * holdout, forced assignments, flags of every type with VALUE, ROLLOUT and EXPERIMENT rules,
 * targeting on tiers and attributes), and random users to ask about.
 */
import { mulberry32 } from '../../src/common/random';
import type { TestServer } from '../../src/testing/harness';
import type { User } from '@uplift/sdk';

/** Tiers targeting names: the catalogue's defaults and one the fixture adds (`lapsed`). */
const TIERS = ['new', 'regular', 'high_value', 'lapsed'];
/** What users send: those, and one the catalogue does not know (resolve takes it as no tier). */
const USER_TIERS = [...TIERS, 'churned'];
const COUNTRIES = ['sg', 'my', 'id', 'th', 'vn'];
const VERSIONS = ['5.1.0', '5.2.0', '5.2.3', '5.3.0', '6.0.0-beta.1', '6.0.0'];

export type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const subset = <T>(random: Random, items: readonly T[], chance: number): T[] => items.filter(() => random() < chance);

function randomTargeting(random: Random) {
  const conditions = [];
  if (random() < 0.4) conditions.push({ attribute: 'country', operator: pick(random, ['IN', 'NOT_IN']), value: subset(random, COUNTRIES, 0.5).concat('sg') });
  if (random() < 0.4) conditions.push({ attribute: 'app.version', operator: pick(random, ['SEMVER_GTE', 'SEMVER_LT']), value: pick(random, VERSIONS) });
  if (random() < 0.3) conditions.push({ attribute: 'age', operator: pick(random, ['GT', 'LTE']), value: Math.floor(random() * 60) + 15 });
  if (random() < 0.2) conditions.push({ attribute: 'beta', operator: 'EXISTS', value: random() < 0.5 });
  return { tiers: random() < 0.5 ? subset(random, TIERS, 0.6) : [], match: random() < 0.5 ? 'ALL' : 'ANY', conditions };
}

function randomWeights(random: Random, n: number): number[] {
  const raw = Array.from({ length: n }, () => 1 + random() * 9);
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => Math.round((w / total) * 10000) / 100);
  weights[n - 1] = Math.round((100 - weights.slice(0, -1).reduce((a, b) => a + b, 0)) * 100) / 100;
  return weights;
}

async function ok(server: TestServer, query: string, variables?: Record<string, unknown>) {
  const result = await server.gql(query, variables);
  if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Adds one random configuration under `prefix`; returns the user ids it forced into variants. */
export async function addRandomConfiguration(server: TestServer, random: Random, prefix: string): Promise<string[]> {
  const layerKey = `${prefix}-layer`;
  const known = await ok(server, '{ tiers { key } }');
  if (!known.tiers.some((tier: { key: string }) => tier.key === 'lapsed')) {
    await ok(server, 'mutation { createTier(input: { key: "lapsed", description: "Away for a month or more" }) { key } }');
  }
  await ok(server, 'mutation ($input: CreateLayerInput!) { createLayer(input: $input) { key } }', { input: { key: layerKey, name: layerKey } });
  const experiments: { key: string; variants: string[] }[] = [];
  const forcedUsers: string[] = [];
  let layerLeft = 1;
  for (let i = 0; i < 4; i++) {
    const key = `${prefix}-exp-${i}`;
    const n = 2 + Math.floor(random() * 2);
    const weights = randomWeights(random, n);
    const variants = weights.map((weight, v) => ({ key: v === 0 ? 'control' : `v${v}`, name: `V${v}`, weight, isControl: v === 0, payload: { arm: v, label: `${key}-${v}` } }));
    const share = layerLeft >= 0.3 && random() < 0.6 ? Math.round(random() * 30 + 10) / 100 : null;
    if (share !== null) layerLeft -= share;
    const created = await ok(server, 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key version } }', {
      input: {
        key, name: key, primaryMetricKey: 'd7_retention', variants, trafficAllocation: Math.round(random() * 90 + 10),
        targeting: randomTargeting(random), layerKey: share === null ? null : layerKey, layerShare: share,
      },
    });
    await ok(server, 'mutation ($key: String!, $version: Int!) { startExperiment(key: $key, version: $version) { key } }', { key, version: created.createExperiment.version });
    const forced = `${prefix}-forced-${i}`;
    await ok(server, 'mutation ($e: String!, $u: String!, $v: String!) { setForcedAssignment(experimentKey: $e, userId: $u, variantKey: $v) { userId } }', { e: key, u: forced, v: pick(random, variants).key });
    forcedUsers.push(forced);
    experiments.push({ key, variants: variants.map((v) => v.key) });
  }
  const valueOf: Record<string, (random: Random) => unknown> = {
    BOOLEAN: (r) => r() < 0.5,
    STRING: (r) => pick(r, ['red', 'green', 'blue']),
    NUMBER: (r) => Math.round(r() * 1000) / 10,
    JSON: (r) => ({ layout: pick(r, ['grid', 'list']), size: Math.floor(r() * 5) }),
  };
  for (let i = 0; i < 6; i++) {
    const type = pick(random, ['BOOLEAN', 'STRING', 'NUMBER', 'JSON']);
    const value = valueOf[type];
    const rules = Array.from({ length: Math.floor(random() * 4) }, () => {
      const kind = pick(random, ['VALUE', 'ROLLOUT', 'EXPERIMENT']);
      if (kind === 'VALUE') return { kind, targeting: randomTargeting(random), value: value(random) };
      if (kind === 'ROLLOUT') return { kind, targeting: randomTargeting(random), percentage: Math.round(random() * 100), value: value(random) };
      const experiment = pick(random, experiments);
      return { kind, targeting: randomTargeting(random), experimentKey: experiment.key, variantValues: experiment.variants.map((variantKey) => ({ variantKey, value: value(random) })) };
    });
    const key = `${prefix}-flag-${i}`;
    await ok(server, 'mutation ($input: CreateFlagInput!) { createFlag(input: $input) { key } }', {
      input: { key, name: key, type, defaultValue: value(random), enabled: random() < 0.85, rules },
    });
  }
  return forcedUsers;
}

export function randomUser(random: Random, index: number): User {
  const attributes: Record<string, any> = {};
  if (random() < 0.8) attributes.country = pick(random, COUNTRIES);
  if (random() < 0.8) attributes.app = { version: pick(random, VERSIONS) };
  if (random() < 0.6) attributes.age = Math.floor(random() * 70) + 12;
  if (random() < 0.3) attributes.beta = random() < 0.5;
  return { id: `user-${index}-${Math.floor(random() * 1e9)}`, tier: random() < 0.85 ? pick(random, USER_TIERS) : null, attributes };
}

export { mulberry32 };
