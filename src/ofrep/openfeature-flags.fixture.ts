/**
 * The flags the OpenFeature tests (OFREP with the official server and web providers, the SDK's
 * provider) evaluate, made through the real API: one per flag type, with targeting on a tier, on
 * an attribute and on a nested attribute's version, a rollout, an experiment's variants, a
 * disabled flag and a static one; users that reach every branch; and resolve's answers to compare.
 */
import type { Client } from '@openfeature/server-sdk';
import type { TestServer } from '../testing/harness';

/** A GraphQL call that must succeed: its data. */
export async function ok(server: TestServer, query: string, variables?: Record<string, unknown>) {
  const result = await server.gql(query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

/** Creates the experiment and the flags, and rebuilds the snapshot. */
export async function createOpenFeatureFlags(server: TestServer): Promise<void> {
  const created = await ok(server, `mutation { createExperiment(input: { key: "checkout-test", name: "Checkout", primaryMetricKey: "d7_retention",
    variants: [{ key: "control", name: "C", weight: 50, isControl: true }, { key: "treatment", name: "T", weight: 50 }] }) { version } }`);
  await ok(server, `mutation { startExperiment(key: "checkout-test", version: ${created.createExperiment.version}) { key } }`);
  await ok(server, `mutation { createFlag(input: { key: "new-checkout", name: "New checkout", type: BOOLEAN, defaultValue: false, enabled: true,
    rules: [{ kind: VALUE, targeting: { tiers: ["regular"] }, value: true }] }) { key } }`);
  await ok(server, `mutation { createFlag(input: { key: "banner", name: "Banner", type: STRING, defaultValue: "plain", enabled: true,
    rules: [{ kind: VALUE, targeting: { conditions: [{ attribute: "country", operator: IN, value: ["sg", "my"] }] }, value: "lion" },
            { kind: ROLLOUT, percentage: 50, value: "stripes" }] }) { key } }`);
  await ok(server, `mutation { createFlag(input: { key: "max-items", name: "Max items", type: NUMBER, defaultValue: 10, enabled: true,
    rules: [{ kind: VALUE, targeting: { conditions: [{ attribute: "app.version", operator: SEMVER_GTE, value: "5.2.0" }] }, value: 25 }] }) { key } }`);
  await ok(server, `mutation { createFlag(input: { key: "layout", name: "Layout", type: JSON, defaultValue: { columns: 1 }, enabled: true,
    rules: [{ kind: EXPERIMENT, experimentKey: "checkout-test", variantValues: [{ variantKey: "treatment", value: { columns: 2 } }, { variantKey: "control", value: { columns: 1 } }] }] }) { key } }`);
  await ok(server, `mutation { createFlag(input: { key: "retired", name: "Retired", type: BOOLEAN, defaultValue: false, enabled: false,
    rules: [{ kind: VALUE, value: true }] }) { key } }`);
  await ok(server, `mutation { createFlag(input: { key: "page-size", name: "Page size", type: NUMBER, defaultValue: 20, enabled: true }) { key } }`);
  await server.uplift.snapshots.refresh();
}

export interface FixtureUser {
  id: string;
  tier?: string;
  attributes: Record<string, unknown>;
}

/** Users of every tier (and none), country and app version. */
export const OPENFEATURE_USERS: FixtureUser[] = Array.from({ length: 40 }, (_, i) => ({
  id: `of-user-${i}`,
  tier: ['regular', 'new', undefined][i % 3],
  attributes: { country: ['sg', 'th', 'id', 'my'][i % 4], app: { version: ['5.1.0', '5.2.0', '6.0.0'][i % 3] } },
}));

/** The user as OpenFeature's flat evaluation context (the mapping docs/app-developer.md documents). */
export const contextOf = (user: FixtureUser) => ({ targetingKey: user.id, ...(user.tier ? { tier: user.tier } : {}), ...user.attributes });

export interface ResolvedFlag {
  key: string;
  value: unknown;
  variant: string | null;
  reason: string;
}

/** What resolve answers for the user's flags, by key. */
export async function resolvedFlags(server: TestServer, key: string, user: FixtureUser): Promise<Record<string, ResolvedFlag>> {
  const { data, errors } = await server.gql('query ($u: UserContextInput!) { resolve(user: $u) { flags { key value variant reason } } }', { u: user }, key);
  if (errors) throw new Error(JSON.stringify(errors));
  return Object.fromEntries((data.resolve.flags as ResolvedFlag[]).map((flag) => [flag.key, flag]));
}

/**
 * Every fixture flag read through an OpenFeature server client for each user, each detail checked
 * against resolve (value, variant, reason, no error) and its metadata (the configuration's version,
 * and the experiment behind `layout`); the reasons seen.
 */
export async function expectEveryFlagAsResolve(server: TestServer, key: string, client: Client): Promise<Set<string>> {
  const reasons = new Set<string>();
  for (const user of OPENFEATURE_USERS) {
    const expected = await resolvedFlags(server, key, user);
    const context = contextOf(user);
    const details = [
      await client.getBooleanDetails('new-checkout', false, context),
      await client.getStringDetails('banner', 'none', context),
      await client.getNumberDetails('max-items', -1, context),
      await client.getObjectDetails('layout', { columns: 0 }, context),
      await client.getBooleanDetails('retired', true, context),
      await client.getNumberDetails('page-size', -1, context),
    ];
    for (const detail of details) {
      const flag = expected[detail.flagKey];
      expect({ key: detail.flagKey, value: detail.value, variant: detail.variant ?? null, reason: detail.reason, errorCode: detail.errorCode }).toEqual({
        key: flag.key, value: flag.value, variant: flag.variant, reason: flag.reason, errorCode: undefined,
      });
      const servedBy = detail.flagKey === 'layout' ? { experimentKey: 'checkout-test', experimentPhase: 1 } : {};
      expect(detail.flagMetadata).toEqual({ configVersion: server.uplift.snapshots.current().version, ...servedBy });
      reasons.add(detail.reason!);
    }
  }
  return reasons;
}
