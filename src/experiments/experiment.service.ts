import type { DataSource, EntityManager } from 'typeorm';
import { Experiment, ExperimentStatus, type ForcedAssignment } from './experiment.entity';
import { ExperimentErrorReason, experimentError } from './experiment.errors';
import type { CreateExperimentInput, ExperimentFilter, UpdateExperimentInput, VariantInput } from './experiment.inputs';
import {
  configProblems, experimentProblems, LifecycleAction, lockedChanges, lockedFieldHint, nextStatus, type ExperimentConfig, type VariantConfig,
} from './experiment.rules';
import { ExperimentStore, experimentRefusals, type ExperimentChanges } from './experiment.store';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import { actorName, type Principal } from '../auth/principal';
import { EVERYONE } from '../engine/targeting.model';
import { createdAtCursor, pageSize, toPage, type Page } from '../common/pagination';
import { announceChange, ChangeTopic } from '../common/change-bus';
import { plain } from '../common/plain';
import { editVersioned, type VersionedDomain } from '../common/versioned-store';
import { LayerStore } from '../layers/layer.store';
import { MetricStore } from '../metrics/metric.store';
import { allocateSlice } from '../layers/layer.rules';
import { LayerErrorReason, layerError } from '../layers/layer.errors';
import type { Problem } from '../targeting/targeting.rules';
import { unknownTiers } from '../tiers/tier.service';
import type { AnalysisPlanInput } from './analysis-plan.types';
import type { AnalysisPlan } from '../stats/analysis-plan';

/** The configuration of a stored experiment as plain data. */
export function configOf(experiment: Experiment): ExperimentConfig {
  return {
    name: experiment.name,
    description: experiment.description,
    hypothesis: experiment.hypothesis,
    strategy: experiment.strategy,
    owner: experiment.owner,
    tags: experiment.tags,
    trafficAllocation: experiment.trafficAllocation,
    variants: experiment.variants.map(({ key, name, weight, isControl, payload, strategy }) => ({ key, name, weight, isControl, payload, strategy: strategy ?? null })),
    targeting: experiment.targeting,
    primaryMetricKey: experiment.primaryMetricKey,
    secondaryMetricKeys: experiment.secondaryMetricKeys,
    guardrailMetricKeys: experiment.guardrailMetricKeys,
    autoPauseOnGuardrail: experiment.autoPauseOnGuardrail,
    layerKey: experiment.layerKey,
    layerShare: experiment.layerShare,
    analysisPlan: experiment.analysisPlan ?? null,
  };
}

/** What the audit log keeps of an experiment: its whole state. */
function snapshot(experiment: Experiment) {
  return {
    key: experiment.key,
    status: experiment.status,
    version: experiment.version,
    phase: experiment.phase,
    seed: experiment.seed,
    layerSlice: experiment.layerSliceStart === null ? null : [experiment.layerSliceStart, experiment.layerSliceEnd],
    ...configOf(experiment),
    shippedVariantKey: experiment.shippedVariantKey,
    stopReason: experiment.stopReason,
    startedAt: experiment.startedAt,
    stoppedAt: experiment.stoppedAt,
  };
}

/** One error for all the problems: the message lists them, `extensions.problems` has each with its field. */
function throwProblems(reason: ExperimentErrorReason, problems: Problem[]): void {
  if (problems.length === 0) return;
  const [first] = problems;
  const listed = problems.map((problem) => `${problem.field}: ${problem.message}`);
  const message = problems.length === 1 ? listed[0] : `${problems.length} problems: ${listed.join('; ')}`;
  throw experimentError(reason, message, first.field, problems);
}

function variantConfigs(variants: VariantInput[]): VariantConfig[] {
  return plain(variants).map((variant) => ({ ...variant, payload: variant.payload ?? {}, strategy: variant.strategy ?? null }));
}

/** A plan input as the plain data stored, every field present. */
function planOf(input: AnalysisPlanInput): AnalysisPlan {
  const { type, baseline, baselineStandardDeviation, minimumDetectableLift, power, alpha, plannedEndDay, secondaryAdjustment } = plain(input);
  return { type, baseline: baseline ?? null, baselineStandardDeviation: baselineStandardDeviation ?? null, minimumDetectableLift, power, alpha, plannedEndDay: plannedEndDay ?? null, secondaryAdjustment };
}

/** The fields of an update input that it names (null included: it clears an optional text). */
function changesOf(input: UpdateExperimentInput): Partial<ExperimentConfig> {
  const changes: Partial<ExperimentConfig> = {};
  for (const [field, value] of Object.entries(plain(input))) {
    if (value !== undefined) (changes as Record<string, unknown>)[field] = value;
  }
  if (input.variants) changes.variants = variantConfigs(input.variants);
  if (input.analysisPlan) changes.analysisPlan = planOf(input.analysisPlan);
  return changes;
}

function configOfInput(principal: Principal, input: CreateExperimentInput): ExperimentConfig {
  return {
    name: input.name,
    description: input.description ?? null,
    hypothesis: input.hypothesis ?? null,
    strategy: input.strategy ?? null,
    owner: input.owner ?? principal.name,
    tags: input.tags ?? [],
    trafficAllocation: input.trafficAllocation ?? 100,
    variants: variantConfigs(input.variants),
    targeting: input.targeting ? plain(input.targeting) : EVERYONE,
    primaryMetricKey: input.primaryMetricKey ?? null,
    secondaryMetricKeys: input.secondaryMetricKeys ?? [],
    guardrailMetricKeys: input.guardrailMetricKeys ?? [],
    autoPauseOnGuardrail: input.autoPauseOnGuardrail ?? false,
    layerKey: input.layerKey ?? null,
    layerShare: input.layerShare ?? null,
    analysisPlan: input.analysisPlan ? planOf(input.analysisPlan) : null,
  };
}

/**
 * Every problem an experiment created from `input` would have, without saving anything: what
 * createExperiment refuses and what startExperiment would refuse later.
 */
export async function validateExperiment(dataSource: DataSource, principal: Principal, input: CreateExperimentInput): Promise<Problem[]> {
  const config = configOfInput(principal, input);
  const manager = dataSource.manager;
  const taken = (await new ExperimentStore(manager).findByKey(input.key))
    ? [{ field: 'key', message: `an experiment with key "${input.key}" already exists` }]
    : [];
  return [...taken, ...experimentProblems(config), ...(await referenceProblems(manager, config))];
}

export async function createExperiment(dataSource: DataSource, principal: Principal, input: CreateExperimentInput): Promise<Experiment> {
  const config = configOfInput(principal, input);
  throwProblems(ExperimentErrorReason.INVALID_EXPERIMENT, configProblems(config));
  return dataSource.transaction(async (manager) => {
    const store = new ExperimentStore(manager);
    throwProblems(ExperimentErrorReason.INVALID_EXPERIMENT, await referenceProblems(manager, config));
    const created = await store.create(input.key, config);
    await store.insertStatusChange({ experimentId: created.id, from: null, to: ExperimentStatus.DRAFT, actor: actorName(principal), reason: null });
    await recordAudit(manager, principal, { entityType: AuditEntityType.EXPERIMENT, entityKey: created.key, action: 'CREATE', before: null, after: snapshot(created) });
    return created;
  });
}

const experiments: VersionedDomain<Experiment, ExperimentChanges> = {
  store: (manager) => new ExperimentStore(manager),
  refusals: experimentRefusals,
  auditType: AuditEntityType.EXPERIMENT,
  auditOf: snapshot,
  announces: true,
};

/** One change of an existing experiment, through the shared edit transaction (audit: the whole state before and after). */
function changeExperiment(
  dataSource: DataSource,
  principal: Principal,
  key: string,
  version: number,
  action: string,
  changesOf: (experiment: Experiment, store: ExperimentStore, manager: EntityManager) => Promise<ExperimentChanges>,
): Promise<Experiment> {
  return editVersioned(dataSource, principal, experiments, { key, version, action }, (before, manager) => changesOf(before, new ExperimentStore(manager), manager));
}

export function updateExperiment(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateExperimentInput): Promise<Experiment> {
  return changeExperiment(dataSource, principal, key, version, 'UPDATE', async (experiment, _store, manager) => {
    const current = configOf(experiment);
    const changes = changesOf(input);
    for (const field of ['name', 'tags', 'variants', 'trafficAllocation', 'targeting', 'secondaryMetricKeys', 'guardrailMetricKeys', 'autoPauseOnGuardrail'] as const) {
      if (changes[field] === null) throw experimentError(ExperimentErrorReason.INVALID_EXPERIMENT, `${field} cannot be null`, field);
    }
    const locked = lockedChanges(experiment.status, current, changes).map((field) => ({
      field,
      message: `cannot change while the experiment is ${experiment.status}: ${lockedFieldHint(field, experiment.status)}`,
    }));
    throwProblems(ExperimentErrorReason.FIELD_LOCKED, locked);
    throwProblems(ExperimentErrorReason.INVALID_EXPERIMENT, [
      ...configProblems({ ...current, ...changes }),
      ...(await referenceProblems(manager, changes)),
    ]);
    return changes;
  });
}

interface TransitionDetails {
  reason?: string | null;
  shippedVariantKey?: string | null;
  /** RESTART only: the new phase's variants. */
  variants?: VariantInput[];
  /** When it happens (the server's clock): startedAt and stoppedAt. */
  at?: Date;
}

export function transitionExperiment(
  dataSource: DataSource,
  principal: Principal,
  key: string,
  version: number,
  action: LifecycleAction,
  details: TransitionDetails = {},
): Promise<Experiment> {
  return changeExperiment(dataSource, principal, key, version, action, async (experiment, store, manager) => {
    const to = nextStatus(experiment.status, action);
    if (!to) throw experimentError(ExperimentErrorReason.INVALID_TRANSITION, `Cannot ${action.toLowerCase()} an experiment that is ${experiment.status}`, 'key');
    const shipped = details.shippedVariantKey ?? null;
    if (shipped !== null && !experiment.variants.some((variant) => variant.key === shipped)) {
      throw experimentError(ExperimentErrorReason.INVALID_EXPERIMENT, `"${shipped}" is not a variant of "${key}"`, 'shippedVariantKey');
    }
    const variants = details.variants ? variantConfigs(details.variants) : undefined;
    if (variants) throwProblems(ExperimentErrorReason.INVALID_EXPERIMENT, configProblems({ ...configOf(experiment), variants }));
    if (action === LifecycleAction.START || action === LifecycleAction.RESTART) {
      throwProblems(ExperimentErrorReason.NOT_READY_TO_START, experimentProblems({ ...configOf(experiment), ...(variants ? { variants } : {}) }));
    }
    const at = details.at ?? new Date();
    await store.insertStatusChange({ experimentId: experiment.id, from: experiment.status, to, actor: actorName(principal), reason: details.reason ?? null });
    return {
      status: to,
      ...(action === LifecycleAction.START ? { startedAt: at, ...(await layerSlice(manager, experiment)) } : {}),
      ...(action === LifecycleAction.RESTART
        ? { startedAt: at, phase: experiment.phase + 1, seed: `${experiment.key}:phase-${experiment.phase + 1}`, ...(variants ? { variants } : {}) }
        : {}),
      ...(action === LifecycleAction.STOP
        ? { stoppedAt: at, shippedVariantKey: shipped, stopReason: details.reason ?? null, layerSliceStart: null, layerSliceEnd: null }
        : {}),
    };
  });
}

/**
 * Pauses a running experiment that opted in to auto-pause, on the system's behalf, inside the
 * caller's transaction: status change and audit entry (actor `system`) with the reason. False when
 * it is not running or did not opt in.
 */
export async function autoPauseExperiment(manager: EntityManager, key: string, reason: string): Promise<boolean> {
  const store = new ExperimentStore(manager);
  const before = await store.lockByKey(key);
  if (!before || before.status !== ExperimentStatus.RUNNING || !before.autoPauseOnGuardrail) return false;
  await store.update(before, { status: ExperimentStatus.PAUSED });
  await store.insertStatusChange({ experimentId: before.id, from: before.status, to: ExperimentStatus.PAUSED, actor: 'system', reason });
  const after = (await store.findByKey(key))!;
  await recordAudit(manager, null, { entityType: AuditEntityType.EXPERIMENT, entityKey: key, action: 'AUTO_PAUSE', before: snapshot(before), after: { ...snapshot(after), reason } });
  await announceChange(manager, ChangeTopic.CONFIG);
  return true;
}

/** What the configuration names that must exist: its layer, its metrics, its tiers. Only the fields present are checked. */
async function referenceProblems(
  manager: EntityManager,
  config: Partial<Pick<ExperimentConfig, 'layerKey' | 'primaryMetricKey' | 'secondaryMetricKeys' | 'guardrailMetricKeys' | 'targeting'>>,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (config.layerKey && !(await new LayerStore(manager).findByKey(config.layerKey))) {
    problems.push({ field: 'layerKey', message: `no layer with key "${config.layerKey}"` });
  }
  const named: [string, string][] = [
    ...(config.primaryMetricKey ? [['primaryMetricKey', config.primaryMetricKey] as [string, string]] : []),
    ...(config.secondaryMetricKeys ?? []).map((key, i): [string, string] => [`secondaryMetricKeys.${i}`, key]),
    ...(config.guardrailMetricKeys ?? []).map((key, i): [string, string] => [`guardrailMetricKeys.${i}`, key]),
  ];
  if (named.length > 0) {
    const known = new Set((await new MetricStore(manager).byKeys(named.map(([, key]) => key))).map((metric) => metric.key));
    for (const [field, key] of named) if (!known.has(key)) problems.push({ field, message: `no metric with key "${key}"` });
  }
  problems.push(...(await unknownTiers(manager, [['targeting', config.targeting]])));
  return problems;
}

/** Takes a free slice of the experiment's layer, if it has one; the layer row is locked so two starts cannot take the same. */
async function layerSlice(manager: EntityManager, experiment: Experiment): Promise<Pick<Experiment, 'layerSliceStart' | 'layerSliceEnd'> | object> {
  if (!experiment.layerKey || experiment.layerShare === null) return {};
  const layers = new LayerStore(manager);
  await layers.lockByKey(experiment.layerKey);
  const slice = allocateSlice(await layers.takenSlices(experiment.layerKey), experiment.layerShare);
  if (!slice) {
    throw layerError(LayerErrorReason.LAYER_FULL, `Layer "${experiment.layerKey}" has no free ${experiment.layerShare}% left`, 'layerShare');
  }
  return { layerSliceStart: slice[0], layerSliceEnd: slice[1] };
}

function forcedSnapshot(userId: string, variantKey: string | null) {
  return variantKey === null ? null : { userId, variantKey };
}

/** A QA override; refused on archived experiments and for unknown variants. */
export function setForcedAssignment(dataSource: DataSource, principal: Principal, experimentKey: string, userId: string, variantKey: string): Promise<ForcedAssignment> {
  return dataSource.transaction(async (manager) => {
    const store = new ExperimentStore(manager);
    const experiment = await store.findByKey(experimentKey);
    if (!experiment) throw experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${experimentKey}"`, 'experimentKey');
    if (experiment.status === ExperimentStatus.ARCHIVED) throw experimentError(ExperimentErrorReason.FIELD_LOCKED, `Experiment "${experimentKey}" is archived`, 'experimentKey');
    if (!experiment.variants.some((variant) => variant.key === variantKey)) {
      throw experimentError(ExperimentErrorReason.INVALID_EXPERIMENT, `"${variantKey}" is not a variant of "${experimentKey}"`, 'variantKey');
    }
    const before = await store.forcedAssignment(experiment.id, userId);
    const after = await store.upsertForcedAssignment({ experimentId: experiment.id, userId, variantKey, createdBy: actorName(principal) });
    await recordAudit(manager, principal, {
      entityType: AuditEntityType.EXPERIMENT,
      entityKey: experimentKey,
      action: 'FORCE_ASSIGNMENT',
      before: forcedSnapshot(userId, before?.variantKey ?? null),
      after: forcedSnapshot(userId, variantKey),
    });
    await announceChange(manager, ChangeTopic.CONFIG);
    return after;
  });
}

/** Returns whether there was an override to remove. */
export function removeForcedAssignment(dataSource: DataSource, principal: Principal, experimentKey: string, userId: string): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const store = new ExperimentStore(manager);
    const experiment = await store.findByKey(experimentKey);
    if (!experiment) throw experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${experimentKey}"`, 'experimentKey');
    const before = await store.forcedAssignment(experiment.id, userId);
    if (!before) return false;
    await store.deleteForcedAssignment(experiment.id, userId);
    await recordAudit(manager, principal, {
      entityType: AuditEntityType.EXPERIMENT,
      entityKey: experimentKey,
      action: 'REMOVE_FORCED_ASSIGNMENT',
      before: forcedSnapshot(userId, before.variantKey),
      after: null,
    });
    await announceChange(manager, ChangeTopic.CONFIG);
    return true;
  });
}

/** A new draft with the original's configuration, whatever the original's status. */
export async function duplicateExperiment(dataSource: DataSource, principal: Principal, key: string, newKey: string, name?: string): Promise<Experiment> {
  return dataSource.transaction(async (manager) => {
    const store = new ExperimentStore(manager);
    const original = await store.findByKey(key);
    if (!original) throw experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${key}"`, 'key');
    // An archived original may name a tier removed since.
    throwProblems(ExperimentErrorReason.INVALID_EXPERIMENT, await unknownTiers(manager, [['targeting', original.targeting]]));
    const copy = await store.create(newKey, { ...configOf(original), name: name ?? `${original.name} (copy)` });
    await store.insertStatusChange({ experimentId: copy.id, from: null, to: ExperimentStatus.DRAFT, actor: actorName(principal), reason: `duplicated from ${key}` });
    await recordAudit(manager, principal, { entityType: AuditEntityType.EXPERIMENT, entityKey: newKey, action: 'DUPLICATE', before: { duplicatedFrom: key }, after: snapshot(copy) });
    return copy;
  });
}

export async function getExperiment(dataSource: DataSource, key: string): Promise<Experiment> {
  const experiment = await new ExperimentStore(dataSource.manager).findByKey(key);
  if (!experiment) throw experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${key}"`, 'key');
  return experiment;
}

/** Newest first. */
export async function listExperiments(dataSource: DataSource, filter: ExperimentFilter = {}, first?: number, after?: string): Promise<Page<Experiment>> {
  const size = pageSize(first);
  const rows = await new ExperimentStore(dataSource.manager).search({
    ...filter,
    after: after ? createdAtCursor.parse(after) : undefined,
    limit: size + 1,
  });
  return toPage(rows, size, createdAtCursor.of);
}
