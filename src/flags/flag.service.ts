import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { Flag, FlagStatus } from './flag.entity';
import { FlagErrorReason, flagError } from './flag.errors';
import { FlagRuleKind, type CreateFlagInput, type FlagFilter, type FlagRuleInput, type UpdateFlagInput } from './flag.inputs';
import { flagProblems } from './flag.rules';
import { FlagStore, flagRefusals } from './flag.store';
import type { FlagRuleSnapshot, FlagType, JsonValue } from '../assignment/snapshot';
import { AuditEntityType } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { plain } from '../common/plain';
import { createdAtCursor, pageSize, toPage, type Page } from '../common/pagination';
import { createVersioned, editVersioned, type VersionedDomain } from '../common/versioned-store';
import { ExperimentStore } from '../experiments/experiment.store';
import { EVERYONE } from '../targeting/targeting.model';
import { requireKnownTiers } from '../tiers/tier.service';

function toRuleSnapshot(input: FlagRuleInput): FlagRuleSnapshot {
  const base = { id: input.id ?? `r_${randomBytes(4).toString('hex')}`, targeting: input.targeting ? plain(input.targeting) : EVERYONE };
  switch (input.kind) {
    case FlagRuleKind.VALUE:
      return { ...base, kind: 'VALUE', value: input.value as JsonValue };
    case FlagRuleKind.ROLLOUT:
      return { ...base, kind: 'ROLLOUT', value: input.value as JsonValue, percentage: input.percentage ?? Number.NaN };
    case FlagRuleKind.EXPERIMENT:
      return {
        ...base,
        kind: 'EXPERIMENT',
        experimentKey: input.experimentKey ?? '',
        values: Object.fromEntries((input.variantValues ?? []).map(({ variantKey, value }) => [variantKey, plain(value)])),
      };
  }
}

/** Pure checks first, then what needs the database: the experiments that rules name, and their variants. */
async function validate(manager: EntityManager, type: FlagType, defaultValue: JsonValue, rules: FlagRuleSnapshot[]): Promise<void> {
  const [problem] = flagProblems(type, defaultValue, rules);
  if (problem) throw flagError(FlagErrorReason.INVALID_FLAG, `${problem.field}: ${problem.message}`, problem.field);
  await requireKnownTiers(manager, rules.map((rule, i) => [`rules.${i}.targeting`, rule.targeting]));
  const experiments = new ExperimentStore(manager);
  for (const [i, rule] of rules.entries()) {
    if (rule.kind !== 'EXPERIMENT') continue;
    const experiment = await experiments.findByKey(rule.experimentKey);
    if (!experiment) throw flagError(FlagErrorReason.INVALID_FLAG, `No experiment with key "${rule.experimentKey}"`, `rules.${i}.experimentKey`);
    const unknown = Object.keys(rule.values).find((key) => !experiment.variants.some((variant) => variant.key === key));
    if (unknown) throw flagError(FlagErrorReason.INVALID_FLAG, `"${unknown}" is not a variant of "${rule.experimentKey}"`, `rules.${i}.variantValues`);
  }
}

const flags: VersionedDomain<Flag> = {
  store: (manager) => new FlagStore(manager),
  refusals: flagRefusals,
  isArchived: (flag) => flag.status === FlagStatus.ARCHIVED,
  auditType: AuditEntityType.FLAG,
  announces: true,
};

export async function getFlag(dataSource: DataSource, key: string): Promise<Flag> {
  const flag = await new FlagStore(dataSource.manager).findByKey(key);
  if (!flag) throw flagRefusals.notFound(key);
  return flag;
}

export async function listFlags(dataSource: DataSource, filter: FlagFilter = {}, first?: number, after?: string): Promise<Page<Flag>> {
  const size = pageSize(first);
  const rows = await new FlagStore(dataSource.manager).list({ ...filter, after: after ? createdAtCursor.parse(after) : undefined, limit: size + 1 });
  return toPage(rows, size, createdAtCursor.of);
}

export function createFlag(dataSource: DataSource, principal: Principal, input: CreateFlagInput): Promise<Flag> {
  return createVersioned(dataSource, principal, flags, async (manager) => {
    const rules = (input.rules ?? []).map(toRuleSnapshot);
    const defaultValue = plain(input.defaultValue);
    await validate(manager, input.type, defaultValue, rules);
    return {
      key: input.key,
      name: input.name,
      description: input.description ?? null,
      type: input.type,
      defaultValue,
      enabled: input.enabled,
      seed: input.seed ?? input.key,
      rules,
    };
  });
}

function changeFlag(
  dataSource: DataSource,
  principal: Principal,
  key: string,
  version: number,
  action: string,
  changesOf: (flag: Flag, manager: EntityManager) => Promise<Partial<Flag>>,
): Promise<Flag> {
  return editVersioned(dataSource, principal, flags, { key, version, action }, changesOf);
}

export function updateFlag(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateFlagInput): Promise<Flag> {
  return changeFlag(dataSource, principal, key, version, 'UPDATE', async (flag, manager) => {
    const rules = input.rules ? input.rules.map(toRuleSnapshot) : flag.rules;
    const defaultValue = input.defaultValue !== undefined && input.defaultValue !== null ? plain(input.defaultValue) : flag.defaultValue;
    await validate(manager, flag.type, defaultValue, rules);
    return {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      defaultValue,
      rules,
    };
  });
}

export function setFlagEnabled(dataSource: DataSource, principal: Principal, key: string, version: number, enabled: boolean): Promise<Flag> {
  return changeFlag(dataSource, principal, key, version, enabled ? 'ENABLE' : 'DISABLE', async () => ({ enabled }));
}

export function archiveFlag(dataSource: DataSource, principal: Principal, key: string, version: number): Promise<Flag> {
  return changeFlag(dataSource, principal, key, version, 'ARCHIVE', async () => ({ status: FlagStatus.ARCHIVED, enabled: false }));
}
