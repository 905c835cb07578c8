/**
 * The evaluation engine: which experiments a user is in and what every flag serves them, from a
 * ConfigSnapshot alone. Pure (no clock, no randomness, no I/O): the same snapshot and user give
 * the same Resolution in any process. Everything that depends only on the snapshot (targeting
 * predicates, hash seeds, bucket ranges, flag values and their type checks) is compiled once per
 * snapshot object, so an evaluation is hashing and a few comparisons.
 */
import { compileTargeting, type UserPredicate } from './targeting.evaluate';
import { bucketRanges, chooseVariant, seededHash, type BucketRange } from './hash';
import type {
  ConfigSnapshot,
  ExperimentAssignment,
  ExperimentSnapshot,
  FlagEvaluation,
  FlagRuleSnapshot,
  FlagSnapshot,
  FlagType,
  JsonValue,
  Reason,
  Resolution,
  UserContext,
} from './snapshot';

type UserHash = (userId: string) => number;

interface CompiledExperiment {
  key: string;
  phase: number;
  variants: ExperimentSnapshot['variants'];
  /** User id to variant index, for forced assignments naming an existing variant. */
  forcedVariants: Map<string, number>;
  targeted: UserPredicate;
  /** Index into the compiled layer hashes, or -1 when the experiment is in no layer. */
  layerIndex: number;
  layerStart: number;
  layerEnd: number;
  hash: UserHash;
  ranges: BucketRange[];
}

/** What a flag answers, short of its key; decided at compile time, type check included. */
interface Served {
  value: JsonValue;
  variant: string | null;
  reason: Reason;
  errorCode?: string;
}

/**
 * A flag rule: what it serves this user, or undefined to fall through to the next rule.
 * `assignedVariants` holds, by experiment index, the variant index the user was given, and
 * `forced` whether that was a forced assignment.
 */
type CompiledRule = (user: UserContext, assignedVariants: readonly (number | undefined)[], forced: readonly boolean[]) => Served | undefined;

interface CompiledFlag {
  key: string;
  /** The answer when it does not depend on the user (disabled, or no rules). */
  fixed: Served | null;
  rules: CompiledRule[];
  /** No rule served. */
  fallback: Served;
}

/** A layer's slices sorted by start (they never overlap), for finding a user's one experiment by binary search. */
interface LayerSlices {
  layerIndex: number;
  starts: number[];
  ends: number[];
  experiments: number[];
}

export interface CompiledSnapshot {
  holdout: { hash: UserHash; share: number } | null;
  layerHashes: UserHash[];
  experiments: CompiledExperiment[];
  flags: CompiledFlag[];
  /**
   * Where a user may enter, so that an evaluation looks at a few experiments instead of all of
   * them (1,000 running experiments in 50 layers: 50 bucket searches, not 1,000 checks): those
   * outside any layer, one per layer at most, and the user's forced ones.
   */
  outsideLayers: number[];
  layerSlices: LayerSlices[];
  /** Experiment indices, ascending, by user id with a forced assignment naming a variant. */
  forcedExperiments: Map<string, number[]>;
}

/** Whether a flag of this type may serve this value; also what flags are validated with on save. */
export const FITS_FLAG_TYPE: Record<FlagType, (value: JsonValue) => boolean> = {
  BOOLEAN: (value) => typeof value === 'boolean',
  STRING: (value) => typeof value === 'string',
  NUMBER: (value) => typeof value === 'number' && Number.isFinite(value),
  JSON: () => true,
};

function compileExperiment(experiment: ExperimentSnapshot, layerIndexByKey: Map<string, number>): CompiledExperiment {
  const variantIndexByKey = new Map(experiment.variants.map((variant, index) => [variant.key, index]));
  const forcedVariants = new Map<string, number>();
  for (const [userId, variantKey] of Object.entries(experiment.forcedAssignments)) {
    const index = variantIndexByKey.get(variantKey);
    if (index !== undefined) forcedVariants.set(userId, index);
  }
  let layerIndex = -1;
  if (experiment.layer !== null) {
    const found = layerIndexByKey.get(experiment.layer.key);
    // A snapshot naming a layer it does not carry is corrupt: refuse it rather than guess a seed.
    if (found === undefined) throw new Error(`experiment "${experiment.key}" is in layer "${experiment.layer.key}", which the snapshot does not list`);
    layerIndex = found;
  }
  return {
    key: experiment.key,
    phase: experiment.phase,
    variants: experiment.variants,
    forcedVariants,
    targeted: compileTargeting(experiment.targeting),
    layerIndex,
    layerStart: experiment.layer?.start ?? 0,
    layerEnd: experiment.layer?.end ?? 1,
    hash: seededHash(experiment.seed),
    ranges: bucketRanges(
      experiment.variants.map((variant) => variant.weight / 100),
      experiment.trafficAllocation / 100,
    ),
  };
}

function compileRule(
  flag: FlagSnapshot,
  rule: FlagRuleSnapshot,
  serve: (value: JsonValue, variant: string, reason: Reason) => Served,
  experimentIndexByKey: Map<string, number>,
  experiments: readonly ExperimentSnapshot[],
): CompiledRule {
  const targeted = compileTargeting(rule.targeting);
  switch (rule.kind) {
    case 'VALUE': {
      const served = serve(rule.value, rule.id, 'TARGETING_MATCH');
      return (user) => (targeted(user) ? served : undefined);
    }
    case 'ROLLOUT': {
      const served = serve(rule.value, rule.id, 'SPLIT');
      const hash = seededHash(`${flag.seed}:${rule.id}`);
      const share = rule.percentage / 100;
      return (user) => (targeted(user) && hash(user.id) < share ? served : undefined);
    }
    case 'EXPERIMENT': {
      const experimentIndex = experimentIndexByKey.get(rule.experimentKey);
      // An experiment the snapshot does not carry (not running) assigns nobody: the rule never serves.
      if (experimentIndex === undefined) return () => undefined;
      const servedByVariant = (reason: Reason) =>
        experiments[experimentIndex].variants.map((variant) =>
          Object.prototype.hasOwnProperty.call(rule.values, variant.key) ? serve(rule.values[variant.key], variant.key, reason) : undefined,
        );
      // A forced user was not split: their value comes from a targeting decision, as their experiment's reason says.
      const split = servedByVariant('SPLIT');
      const forcedServed = servedByVariant('TARGETING_MATCH');
      return (user, assignedVariants, forced) => {
        const variantIndex = assignedVariants[experimentIndex];
        if (variantIndex === undefined || !targeted(user)) return undefined;
        return (forced[experimentIndex] ? forcedServed : split)[variantIndex];
      };
    }
  }
}

function compileFlag(flag: FlagSnapshot, experimentIndexByKey: Map<string, number>, experiments: readonly ExperimentSnapshot[]): CompiledFlag {
  const fallback: Served = { value: flag.defaultValue, variant: null, reason: 'DEFAULT' };
  const fits = FITS_FLAG_TYPE[flag.type];
  const serve = (value: JsonValue, variant: string, reason: Reason): Served =>
    fits(value) ? { value, variant, reason } : { value: flag.defaultValue, variant: null, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' };
  let fixed: Served | null = null;
  if (!flag.enabled) fixed = { value: flag.defaultValue, variant: null, reason: 'DISABLED' };
  else if (flag.rules.length === 0) fixed = { value: flag.defaultValue, variant: null, reason: 'STATIC' };
  return {
    key: flag.key,
    fixed,
    rules: fixed === null ? flag.rules.map((rule) => compileRule(flag, rule, serve, experimentIndexByKey, experiments)) : [],
    fallback,
  };
}

/**
 * Each layer's slices, sorted. A layer whose slices overlap (a snapshot breaking its own rule)
 * has its experiments checked one by one instead: never a wrong answer.
 */
function indexLayers(experiments: readonly CompiledExperiment[], layerCount: number): { outsideLayers: number[]; layerSlices: LayerSlices[] } {
  const byLayer: number[][] = Array.from({ length: layerCount }, () => []);
  const outsideLayers: number[] = [];
  experiments.forEach((experiment, index) => (experiment.layerIndex < 0 ? outsideLayers : byLayer[experiment.layerIndex]).push(index));
  const layerSlices: LayerSlices[] = [];
  byLayer.forEach((members, layerIndex) => {
    if (members.length === 0) return;
    const sorted = [...members].sort((a, b) => experiments[a].layerStart - experiments[b].layerStart);
    const overlapping = sorted.some((index, i) => i > 0 && experiments[index].layerStart < experiments[sorted[i - 1]].layerEnd);
    if (overlapping) outsideLayers.push(...members);
    else layerSlices.push({ layerIndex, starts: sorted.map((i) => experiments[i].layerStart), ends: sorted.map((i) => experiments[i].layerEnd), experiments: sorted });
  });
  outsideLayers.sort((a, b) => a - b);
  return { outsideLayers, layerSlices };
}

function forcedExperimentsByUser(experiments: readonly CompiledExperiment[]): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  experiments.forEach((experiment, index) => {
    for (const userId of experiment.forcedVariants.keys()) {
      const list = byUser.get(userId);
      if (list) list.push(index);
      else byUser.set(userId, [index]);
    }
  });
  return byUser;
}

function compile(snapshot: ConfigSnapshot): CompiledSnapshot {
  const layerIndexByKey = new Map(snapshot.layers.map((layer, index) => [layer.key, index]));
  const experimentIndexByKey = new Map(snapshot.experiments.map((experiment, index) => [experiment.key, index]));
  const experiments = snapshot.experiments.map((experiment) => compileExperiment(experiment, layerIndexByKey));
  return {
    holdout: snapshot.holdout && { hash: seededHash(snapshot.holdout.seed), share: snapshot.holdout.percentage / 100 },
    layerHashes: snapshot.layers.map((layer) => seededHash(layer.seed)),
    experiments,
    flags: snapshot.flags.map((flag) => compileFlag(flag, experimentIndexByKey, snapshot.experiments)),
    ...indexLayers(experiments, snapshot.layers.length),
    forcedExperiments: forcedExperimentsByUser(experiments),
  };
}

const compiledSnapshots = new WeakMap<ConfigSnapshot, CompiledSnapshot>();

/** The compiled form of a snapshot, built on first use and kept for as long as the snapshot object lives. */
export function compileSnapshot(snapshot: ConfigSnapshot): CompiledSnapshot {
  let compiled = compiledSnapshots.get(snapshot);
  if (compiled === undefined) {
    compiled = compile(snapshot);
    compiledSnapshots.set(snapshot, compiled);
  }
  return compiled;
}

function toEvaluation(key: string, served: Served): FlagEvaluation {
  return served.errorCode === undefined
    ? { key, value: served.value, variant: served.variant, reason: served.reason }
    : { key, value: served.value, variant: served.variant, reason: served.reason, errorCode: served.errorCode };
}

/**
 * The user's experiments and flags. Experiments: a valid forced assignment wins over everything
 * (reason TARGETING_MATCH); otherwise the user must be outside the holdout, targeted, inside the
 * experiment's layer slice and inside its traffic allocation (reason SPLIT). Flags: disabled,
 * static, the first rule that serves, or the default; a value of the wrong type serves the default
 * with reason ERROR.
 */
export function evaluate(snapshot: ConfigSnapshot, user: UserContext): Resolution {
  const compiled = compileSnapshot(snapshot);
  const userId = user.id;
  const inHoldout = compiled.holdout !== null && compiled.holdout.hash(userId) < compiled.holdout.share;
  // Each layer's bucket is hashed once per user, however many of its experiments are looked at.
  const layerBuckets: number[] = [];
  const assignedVariants: number[] = [];
  const forced: boolean[] = [];
  const experiments: ExperimentAssignment[] = [];

  for (const index of candidateExperiments(compiled, userId, inHoldout, layerBuckets)) {
    const experiment = compiled.experiments[index];
    const forcedIndex = experiment.forcedVariants.get(userId);
    const variantIndex = forcedIndex ?? (inHoldout ? -1 : splitVariant(compiled, experiment, user, layerBuckets));
    if (variantIndex < 0) continue;
    const variant = experiment.variants[variantIndex];
    assignedVariants[index] = variantIndex;
    forced[index] = forcedIndex !== undefined;
    experiments.push({
      experimentKey: experiment.key,
      variantKey: variant.key,
      payload: variant.payload,
      phase: experiment.phase,
      reason: forcedIndex === undefined ? 'SPLIT' : 'TARGETING_MATCH',
    });
  }

  const flags: FlagEvaluation[] = [];
  for (const flag of compiled.flags) flags.push(toEvaluation(flag.key, flag.fixed ?? serveByRules(flag, user, assignedVariants, forced)));

  return { userId, inHoldout, experiments, flags };
}

/** Each snapshot with only the experiments some flag rule names, made on first use. */
const flagSnapshots = new WeakMap<ConfigSnapshot, ConfigSnapshot>();

/**
 * The user's flags, exactly as `evaluate` gives them, for bulk flag evaluation (OFREP), without
 * assigning the experiments no flag reads: `experiments` holds only those flag rules name. Exact,
 * since an experiment's assignment depends on no other experiment (layers and the holdout stay).
 */
export function evaluateFlags(snapshot: ConfigSnapshot, user: UserContext): Resolution {
  let forFlags = flagSnapshots.get(snapshot);
  if (forFlags === undefined) {
    const named = new Set(snapshot.flags.flatMap((flag) => flag.rules.flatMap((rule) => (rule.kind === 'EXPERIMENT' ? [rule.experimentKey] : []))));
    forFlags = { ...snapshot, experiments: snapshot.experiments.filter((experiment) => named.has(experiment.key)) };
    flagSnapshots.set(snapshot, forFlags);
  }
  return evaluate(forFlags, user);
}

const NONE: readonly number[] = [];

/**
 * The experiments the user may be in, ascending (snapshot order): the user's forced ones, and
 * unless in the holdout, every experiment outside a layer plus the one whose slice holds the
 * user's bucket in each layer (the buckets are kept in `layerBuckets` for splitVariant).
 */
function candidateExperiments(compiled: CompiledSnapshot, userId: string, inHoldout: boolean, layerBuckets: number[]): readonly number[] {
  const forced = compiled.forcedExperiments.get(userId);
  if (inHoldout) return forced ?? NONE;
  const candidates = compiled.outsideLayers.slice();
  for (const layer of compiled.layerSlices) {
    const bucket = (layerBuckets[layer.layerIndex] = compiled.layerHashes[layer.layerIndex](userId));
    const slice = lastAtOrBelow(layer.starts, bucket);
    if (slice >= 0 && bucket < layer.ends[slice]) insertSorted(candidates, layer.experiments[slice]);
  }
  if (forced) for (const index of forced) insertSorted(candidates, index);
  return candidates;
}

/** Keeps a short ascending list ascending and free of repeats (a forced experiment may also be found through its layer). */
function insertSorted(list: number[], value: number): void {
  let at = list.length;
  while (at > 0 && list[at - 1] > value) at--;
  if (at > 0 && list[at - 1] === value) return;
  if (at === list.length) list.push(value);
  else list.splice(at, 0, value);
}

/** The index of the last value at or below `x` in ascending `values`, or -1. */
function lastAtOrBelow(values: readonly number[], x: number): number {
  let low = 0;
  let high = values.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (values[middle] <= x) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** The variant index a user outside the holdout is bucketed into, or -1: not targeted, outside the layer slice or the traffic. */
function splitVariant(compiled: CompiledSnapshot, experiment: CompiledExperiment, user: UserContext, layerBuckets: number[]): number {
  if (!experiment.targeted(user)) return -1;
  if (experiment.layerIndex >= 0) {
    const layerBucket = (layerBuckets[experiment.layerIndex] ??= compiled.layerHashes[experiment.layerIndex](user.id));
    if (layerBucket < experiment.layerStart || layerBucket >= experiment.layerEnd) return -1;
  }
  return chooseVariant(experiment.hash(user.id), experiment.ranges);
}

function serveByRules(flag: CompiledFlag, user: UserContext, assignedVariants: readonly (number | undefined)[], forced: readonly boolean[]): Served {
  for (const rule of flag.rules) {
    const served = rule(user, assignedVariants, forced);
    if (served !== undefined) return served;
  }
  return flag.fallback;
}

/** Why a user is in no variant of an experiment by hashing alone. */
export type NotBucketed = 'NOT_RUNNING' | 'HOLDOUT' | 'OUTSIDE_LAYER_SLICE' | 'OUTSIDE_TRAFFIC';

/**
 * The variant the user's id is bucketed into, ignoring targeting (which needs the user's
 * attributes) and forced assignments: what an exposure reported by an SDK must name. Pure.
 */
export function bucketedVariant(snapshot: ConfigSnapshot, experimentKey: string, userId: string): { variantKey: string } | { notBucketed: NotBucketed } {
  const compiled = compileSnapshot(snapshot);
  const experiment = compiled.experiments.find((candidate) => candidate.key === experimentKey);
  if (experiment === undefined) return { notBucketed: 'NOT_RUNNING' };
  if (compiled.holdout !== null && compiled.holdout.hash(userId) < compiled.holdout.share) return { notBucketed: 'HOLDOUT' };
  if (experiment.layerIndex >= 0) {
    const layerBucket = compiled.layerHashes[experiment.layerIndex](userId);
    if (layerBucket < experiment.layerStart || layerBucket >= experiment.layerEnd) return { notBucketed: 'OUTSIDE_LAYER_SLICE' };
  }
  const index = chooseVariant(experiment.hash(userId), experiment.ranges);
  return index < 0 ? { notBucketed: 'OUTSIDE_TRAFFIC' } : { variantKey: experiment.variants[index].key };
}

/**
 * The experiment assignment behind a flag's value, if an experiment served it: the first of the
 * flag's EXPERIMENT rules whose experiment gave the user the variant the flag reports. Reading
 * the flag is then an exposure to that experiment (when the assignment was SPLIT).
 */
export function servingAssignment(snapshot: ConfigSnapshot, resolution: Resolution, flagKey: string): ExperimentAssignment | null {
  const evaluation = resolution.flags.find((flag) => flag.key === flagKey);
  if (!evaluation || evaluation.variant === null || evaluation.errorCode !== undefined) return null;
  const flag = snapshot.flags.find((candidate) => candidate.key === flagKey);
  for (const rule of flag?.rules ?? []) {
    if (rule.kind !== 'EXPERIMENT') continue;
    const assignment = resolution.experiments.find((e) => e.experimentKey === rule.experimentKey && e.variantKey === evaluation.variant);
    if (assignment) return assignment;
  }
  return null;
}
