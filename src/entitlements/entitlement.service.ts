import type { DataSource, EntityManager } from 'typeorm';
import { Entitlement, EntitlementKind, EntitlementRule, EntitlementStatus, UserGrant, UserGrantEffect } from './entitlement.entity';
import { EntitlementErrorReason, entitlementError } from './entitlement.errors';
import type {
  CreateEntitlementInput,
  CreateEntitlementRuleInput,
  EntitlementFilter,
  EntitlementRuleFilter,
  GrantEntitlementInput,
  UpdateEntitlementInput,
  UpdateEntitlementRuleInput,
  UserGrantInput,
} from './entitlement.inputs';
import { catalogueProblems, ruleProblems, valueProblem } from './entitlement.rules';
import { catalogueRefusals, EntitlementStore, ruleRefusals } from './entitlement.store';
import { ruleSnapshotOf } from './entitlement.snapshot';
import type { JsonValue } from '../assignment/snapshot';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import { actorName, type Principal } from '../auth/principal';
import { announceChange, ChangeTopic } from '../common/change-bus';
import { plain } from '../common/plain';
import { createdAtCursor, pageSize, toPage, type Page } from '../common/pagination';
import { createVersioned, editVersioned, type VersionedDomain } from '../common/versioned-store';
import type { Problem } from '../targeting/targeting.rules';
import { EVERYONE } from '../engine/targeting.model';
import { requireKnownTiers } from '../tiers/tier.service';
import { ExperimentStore } from '../experiments/experiment.store';

/** A rule's fields as stored (its key, name and description aside). */
type RuleFields = Pick<EntitlementRule, 'effect' | 'priority' | 'enabled' | 'validFrom' | 'validUntil' | 'targeting' | 'variants' | 'behaviour' | 'entitlements'>;

function refuse(reason: EntitlementErrorReason, problems: Problem[]): void {
  const [problem] = problems;
  if (problem) throw entitlementError(reason, `${problem.field}: ${problem.message}`, problem.field);
}

const catalogue: VersionedDomain<Entitlement> = {
  store: (manager) => new EntitlementStore(manager).catalogue,
  refusals: catalogueRefusals,
  isArchived: (entitlement) => entitlement.status === EntitlementStatus.ARCHIVED,
  auditType: AuditEntityType.ENTITLEMENT,
  announces: true,
};

const rules: VersionedDomain<EntitlementRule> = {
  store: (manager) => new EntitlementStore(manager).rules,
  refusals: ruleRefusals,
  isArchived: (rule) => rule.status === EntitlementStatus.ARCHIVED,
  auditType: AuditEntityType.ENTITLEMENT_RULE,
  announces: true,
};

// ---- The catalogue ----

function entitlementNotFound(key: string): never {
  throw catalogueRefusals.notFound(key);
}

/** FEATURE values are always true, so a FEATURE needs no default. */
function defaultFor(kind: EntitlementKind, given: JsonValue | undefined): JsonValue {
  if (given === undefined || given === null) return kind === EntitlementKind.FEATURE ? true : null;
  return plain(given);
}

export async function getEntitlement(dataSource: DataSource, key: string): Promise<Entitlement> {
  return (await new EntitlementStore(dataSource.manager).catalogue.findByKey(key)) ?? entitlementNotFound(key);
}

export async function listEntitlements(dataSource: DataSource, given: EntitlementFilter | null = {}, first?: number, after?: string): Promise<Page<Entitlement>> {
  // `filter: null` is as valid in GraphQL as no filter.
  const filter = given ?? {};
  const size = pageSize(first);
  const rows = await new EntitlementStore(dataSource.manager).catalogue.list({
    status: filter.status,
    text: filter.text,
    after: after ? createdAtCursor.parse(after) : undefined,
    limit: size + 1,
    where: filter.kind ? [['t.kind = :kind', { kind: filter.kind }]] : [],
  });
  return toPage(rows, size, createdAtCursor.of);
}

export function createEntitlement(dataSource: DataSource, principal: Principal, input: CreateEntitlementInput): Promise<Entitlement> {
  return createVersioned(dataSource, principal, catalogue, async () => {
    const period = input.period ?? null;
    const defaultValue = defaultFor(input.kind, input.defaultValue);
    refuse(EntitlementErrorReason.INVALID_ENTITLEMENT, catalogueProblems(input.kind, period, defaultValue));
    return { key: input.key, name: input.name, description: input.description ?? null, kind: input.kind, period, defaultValue };
  });
}

function changeEntitlement(
  dataSource: DataSource,
  principal: Principal,
  key: string,
  version: number,
  action: string,
  changesOf: (entitlement: Entitlement, store: EntitlementStore) => Promise<Partial<Entitlement>>,
): Promise<Entitlement> {
  return editVersioned(dataSource, principal, catalogue, { key, version, action }, (before, manager) => changesOf(before, new EntitlementStore(manager)));
}

export function updateEntitlement(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateEntitlementInput): Promise<Entitlement> {
  return changeEntitlement(dataSource, principal, key, version, 'UPDATE', async (entitlement) => {
    const period = input.period ?? entitlement.period;
    const defaultValue = input.defaultValue !== undefined && input.defaultValue !== null ? plain(input.defaultValue) : entitlement.defaultValue;
    refuse(EntitlementErrorReason.INVALID_ENTITLEMENT, catalogueProblems(entitlement.kind, period, defaultValue));
    return {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      period,
      defaultValue,
    };
  });
}

export function archiveEntitlement(dataSource: DataSource, principal: Principal, key: string, version: number): Promise<Entitlement> {
  return changeEntitlement(dataSource, principal, key, version, 'ARCHIVE', async (_entitlement, store) => {
    const users = await store.rulesNaming(key);
    if (users.length > 0) {
      throw entitlementError(EntitlementErrorReason.IN_USE, `Entitlement "${key}" is named by rules ${users.map((r) => `"${r.key}"`).join(', ')}: change or archive them first`, 'key');
    }
    return { status: EntitlementStatus.ARCHIVED };
  });
}

// ---- Rules ----

function ruleNotFound(key: string): never {
  throw ruleRefusals.notFound(key);
}

/** The rule's fields as stored: plain data, optional parts filled in. */
function ruleFields(input: UpdateEntitlementRuleInput, current: RuleFields): RuleFields {
  return {
    effect: current.effect,
    enabled: current.enabled,
    priority: input.priority ?? current.priority,
    validFrom: input.validFrom !== undefined ? input.validFrom : current.validFrom,
    validUntil: input.validUntil !== undefined ? input.validUntil : current.validUntil,
    targeting: input.targeting ? plain(input.targeting) : current.targeting,
    variants: input.variants ? input.variants.map(({ experimentKey, variantKeys }) => ({ experimentKey, variantKeys: [...variantKeys] })) : current.variants,
    behaviour: input.behaviour
      ? input.behaviour.map((c) => ({ fact: c.fact, eventTypes: [...c.eventTypes], windowDays: c.windowDays ?? null, operator: c.operator, value: c.value }))
      : current.behaviour,
    entitlements: input.entitlements ? input.entitlements.map(({ key, value }) => ({ key, value: value === undefined || value === null ? null : plain(value) })) : current.entitlements,
  };
}

/** Pure checks against the active catalogue, then the experiments and variants that conditions name. */
async function validateRule(manager: EntityManager, store: EntitlementStore, key: string, fields: RuleFields): Promise<void> {
  const kinds = new Map((await store.catalogue.active()).map((entry) => [entry.key, entry.kind]));
  refuse(EntitlementErrorReason.INVALID_RULE, ruleProblems(ruleSnapshotOf({ key, ...fields }), kinds));
  await requireKnownTiers(manager, [['targeting', fields.targeting]]);
  const experiments = new ExperimentStore(manager);
  for (const [i, condition] of fields.variants.entries()) {
    const experiment = await experiments.findByKey(condition.experimentKey);
    if (!experiment) throw entitlementError(EntitlementErrorReason.INVALID_RULE, `No experiment with key "${condition.experimentKey}"`, `variants.${i}.experimentKey`);
    const unknown = condition.variantKeys.find((variantKey) => !experiment.variants.some((variant) => variant.key === variantKey));
    if (unknown) throw entitlementError(EntitlementErrorReason.INVALID_RULE, `"${unknown}" is not a variant of "${condition.experimentKey}"`, `variants.${i}.variantKeys`);
  }
}

export async function getRule(dataSource: DataSource, key: string): Promise<EntitlementRule> {
  return (await new EntitlementStore(dataSource.manager).rules.findByKey(key)) ?? ruleNotFound(key);
}

export async function listRules(dataSource: DataSource, given: EntitlementRuleFilter | null = {}, first?: number, after?: string): Promise<Page<EntitlementRule>> {
  const filter = given ?? {};
  const size = pageSize(first);
  const where: [string, Record<string, unknown>][] = [];
  if (filter.effect) where.push(['t.effect = :effect', { effect: filter.effect }]);
  if (filter.entitlementKey) where.push(['t.entitlements @> :named::jsonb', { named: JSON.stringify([{ key: filter.entitlementKey }]) }]);
  const rows = await new EntitlementStore(dataSource.manager).rules.list({
    status: filter.status,
    text: filter.text,
    after: after ? createdAtCursor.parse(after) : undefined,
    limit: size + 1,
    where,
  });
  return toPage(rows, size, createdAtCursor.of);
}

export function createRule(dataSource: DataSource, principal: Principal, input: CreateEntitlementRuleInput): Promise<EntitlementRule> {
  return createVersioned(dataSource, principal, rules, async (manager) => {
    const empty: RuleFields = { effect: input.effect, enabled: input.enabled, priority: 0, validFrom: null, validUntil: null, targeting: EVERYONE, variants: [], behaviour: [], entitlements: [] };
    const fields = ruleFields(input, empty);
    await validateRule(manager, new EntitlementStore(manager), input.key, fields);
    return { key: input.key, name: input.name, description: input.description ?? null, ...fields };
  });
}

function changeRule(
  dataSource: DataSource,
  principal: Principal,
  key: string,
  version: number,
  action: string,
  changesOf: (rule: EntitlementRule, manager: EntityManager, store: EntitlementStore) => Promise<Partial<EntitlementRule>>,
): Promise<EntitlementRule> {
  return editVersioned(dataSource, principal, rules, { key, version, action }, (before, manager) => changesOf(before, manager, new EntitlementStore(manager)));
}

export function updateRule(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateEntitlementRuleInput): Promise<EntitlementRule> {
  return changeRule(dataSource, principal, key, version, 'UPDATE', async (rule, manager, store) => {
    const fields = ruleFields(input, rule);
    await validateRule(manager, store, key, fields);
    return {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...fields,
    };
  });
}

export function setRuleEnabled(dataSource: DataSource, principal: Principal, key: string, version: number, enabled: boolean): Promise<EntitlementRule> {
  return changeRule(dataSource, principal, key, version, enabled ? 'ENABLE' : 'DISABLE', async () => ({ enabled }));
}

export function archiveRule(dataSource: DataSource, principal: Principal, key: string, version: number): Promise<EntitlementRule> {
  return changeRule(dataSource, principal, key, version, 'ARCHIVE', async () => ({ status: EntitlementStatus.ARCHIVED, enabled: false }));
}

// ---- Per-user grants and revocations ----

/** Records a grant or revocation; `now` is the injectable clock, against which expiry is checked. */
function addUserGrant(
  dataSource: DataSource,
  principal: Principal,
  now: Date,
  effect: UserGrantEffect,
  input: UserGrantInput,
  value: JsonValue | null,
): Promise<UserGrant> {
  return dataSource.transaction(async (manager) => {
    const store = new EntitlementStore(manager);
    const entitlement = await store.catalogue.findByKey(input.entitlementKey);
    if (!entitlement || entitlement.status !== EntitlementStatus.ACTIVE) {
      throw entitlementError(EntitlementErrorReason.INVALID_GRANT, `No active entitlement with key "${input.entitlementKey}"`, 'entitlementKey');
    }
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
      throw entitlementError(EntitlementErrorReason.INVALID_GRANT, 'expiresAt must be in the future', 'expiresAt');
    }
    if (value !== null) {
      const problem = valueProblem(entitlement.kind, value);
      if (problem) throw entitlementError(EntitlementErrorReason.INVALID_GRANT, `value: ${problem}`, 'value');
    }
    const grant = await store.insertGrant({
      userId: input.userId,
      entitlementKey: input.entitlementKey,
      effect,
      value,
      expiresAt: input.expiresAt ?? null,
      reason: input.reason,
      createdBy: actorName(principal),
    });
    await recordAudit(manager, principal, { entityType: AuditEntityType.USER_GRANT, entityKey: grant.userId, action: effect, before: null, after: grant });
    await announceChange(manager, ChangeTopic.CONFIG);
    return grant;
  });
}

export function grantEntitlement(dataSource: DataSource, principal: Principal, now: Date, input: GrantEntitlementInput): Promise<UserGrant> {
  return addUserGrant(dataSource, principal, now, UserGrantEffect.GRANT, input, input.value === undefined || input.value === null ? null : plain(input.value));
}

export function revokeEntitlement(dataSource: DataSource, principal: Principal, now: Date, input: UserGrantInput): Promise<UserGrant> {
  return addUserGrant(dataSource, principal, now, UserGrantEffect.REVOKE, input, null);
}

export function withdrawUserGrant(dataSource: DataSource, principal: Principal, id: string, reason: string | null): Promise<UserGrant> {
  return dataSource.transaction(async (manager) => {
    const store = new EntitlementStore(manager);
    const before = /^[0-9a-f-]{36}$/i.test(id) ? await store.lockGrant(id) : null;
    if (!before) throw entitlementError(EntitlementErrorReason.GRANT_NOT_FOUND, `No user grant with id "${id}"`, 'id');
    if (before.withdrawnAt) throw entitlementError(EntitlementErrorReason.ALREADY_WITHDRAWN, `User grant "${id}" was already withdrawn`, 'id');
    const after = await store.withdrawGrant(id, actorName(principal), reason);
    await recordAudit(manager, principal, { entityType: AuditEntityType.USER_GRANT, entityKey: after.userId, action: 'WITHDRAW', before, after });
    await announceChange(manager, ChangeTopic.CONFIG);
    return after;
  });
}

export function listUserGrants(dataSource: DataSource, userId: string, now: Date, all: boolean): Promise<UserGrant[]> {
  return new EntitlementStore(dataSource.manager).userGrants(userId, now, all);
}
