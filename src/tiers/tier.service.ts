import type { DataSource, EntityManager } from 'typeorm';
import { Tier } from './tier.entity';
import { TierErrorReason, tierError } from './tier.errors';
import { unknownTierProblems } from './tier.rules';
import { TierStore } from './tier.store';
import type { CreateTierInput } from './tier.inputs';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { announceChange, ChangeTopic } from '../common/change-bus';
import type { Problem } from '../targeting/targeting.rules';
import type { Targeting } from '../targeting/targeting.types';

export function listTiers(dataSource: DataSource): Promise<Tier[]> {
  return new TierStore(dataSource.manager).list();
}

/** Problems of every targeting in `named` (field prefix to targeting) that names a tier the catalogue lacks. */
export async function unknownTiers(manager: EntityManager, named: [field: string, targeting: Targeting | null | undefined][]): Promise<Problem[]> {
  const present = named.filter(([, targeting]) => targeting && targeting.tiers.length > 0) as [string, Targeting][];
  if (present.length === 0) return [];
  const known = await new TierStore(manager).keys();
  return present.flatMap(([field, targeting]) => unknownTierProblems(targeting.tiers, known, `${field}.tiers`));
}

/** Refuses targeting that names an unknown tier, with BAD_USER_INPUT naming every such tier and the known ones. */
export async function requireKnownTiers(manager: EntityManager, named: [field: string, targeting: Targeting | null | undefined][]): Promise<void> {
  const problems = await unknownTiers(manager, named);
  if (problems.length === 0) return;
  const [first] = problems;
  throw tierError(TierErrorReason.UNKNOWN_TIER, problems.map((p) => `${p.field}: ${p.message}`).join('; '), first.field, problems);
}

export function createTier(dataSource: DataSource, principal: Principal, input: CreateTierInput): Promise<Tier> {
  return dataSource.transaction(async (manager) => {
    const tier = await new TierStore(manager).insert({ key: input.key, description: input.description ?? null });
    await recordAudit(manager, principal, { entityType: AuditEntityType.TIER, entityKey: tier.key, action: 'CREATE', before: null, after: tier });
    await announceChange(manager, ChangeTopic.CONFIG);
    return tier;
  });
}

export function updateTier(dataSource: DataSource, principal: Principal, key: string, description: string | null): Promise<Tier> {
  return dataSource.transaction(async (manager) => {
    const store = new TierStore(manager);
    const before = await store.lockByKey(key);
    if (!before) throw tierError(TierErrorReason.TIER_NOT_FOUND, `No tier "${key}"`, 'key');
    const after = await store.update(key, description);
    await recordAudit(manager, principal, { entityType: AuditEntityType.TIER, entityKey: key, action: 'UPDATE', before, after });
    return after;
  });
}

/** Refused while targeting names the tier: it would silently target nobody. */
export function deleteTier(dataSource: DataSource, principal: Principal, key: string): Promise<Tier> {
  return dataSource.transaction(async (manager) => {
    const store = new TierStore(manager);
    const before = await store.lockByKey(key);
    if (!before) throw tierError(TierErrorReason.TIER_NOT_FOUND, `No tier "${key}"`, 'key');
    const users = await store.usage(key);
    if (users.length > 0) throw tierError(TierErrorReason.IN_USE, `Tier "${key}" is named by the targeting of ${users.join(', ')}: change them first`, 'key');
    await store.delete(key);
    await recordAudit(manager, principal, { entityType: AuditEntityType.TIER, entityKey: key, action: 'DELETE', before, after: null });
    await announceChange(manager, ChangeTopic.CONFIG);
    return before;
  });
}
