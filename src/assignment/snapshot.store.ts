import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ExperimentStore } from '../experiments/experiment.store';
import { LayerStore } from '../layers/layer.store';
import { FlagStore } from '../flags/flag.store';
import { EntitlementStore } from '../entitlements/entitlement.store';
import { ruleSnapshotOf, type EntitlementConfig } from '../entitlements/entitlement.snapshot';
import type { ConfigSnapshot } from './snapshot';
import { TierStore } from '../tiers/tier.store';

/** What the server holds in memory: the configuration apps may see, and the entitlement configuration they may not. */
export interface LoadedSnapshot {
  config: ConfigSnapshot;
  entitlements: EntitlementConfig;
  /** The tier catalogue: resolve treats a tier outside it as none, without a query. */
  tiers: ReadonlySet<string>;
}

async function loadEntitlementConfig(store: EntitlementStore): Promise<EntitlementConfig> {
  const catalogue = await store.catalogue.active();
  const rules = await store.rules.active();
  const grants = await store.userGrantsSummary();
  return {
    catalogue: catalogue.map(({ key, kind, period, defaultValue }) => ({ key, kind, period, defaultValue })),
    rules: rules.map(ruleSnapshotOf),
    hasUserGrants: grants.any,
    userGrantsVersion: grants.version,
  };
}

/**
 * Reads the running configuration in one consistent view (REPEATABLE READ) and turns it into a
 * snapshot. Its version is a hash of its content (entitlements included), so every instance names
 * the same configuration the same way.
 */
export async function loadSnapshot(dataSource: DataSource): Promise<LoadedSnapshot> {
  const content = await dataSource.transaction('REPEATABLE READ', async (manager) => {
    const experimentStore = new ExperimentStore(manager);
    const layerStore = new LayerStore(manager);
    const experiments = await experimentStore.runningSnapshots();
    const layers = await layerStore.list();
    const holdout = await layerStore.getHoldout();
    const flags = await new FlagStore(manager).active();
    return {
      holdout: holdout && holdout.percentage > 0 ? { percentage: holdout.percentage, seed: holdout.seed } : null,
      layers: layers.map(({ key, seed }) => ({ key, seed })),
      experiments,
      flags: flags.map((flag) => ({
        key: flag.key,
        type: flag.type,
        enabled: flag.enabled,
        defaultValue: flag.defaultValue,
        seed: flag.seed,
        rules: flag.rules,
      })),
      entitlements: await loadEntitlementConfig(new EntitlementStore(manager)),
      tiers: [...(await new TierStore(manager).keys())].sort(),
    };
  });
  const version = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  const { entitlements, tiers, ...config } = content;
  return { config: { version, generatedAt: new Date().toISOString(), ...config }, entitlements, tiers: new Set(tiers) };
}
