/**
 * Uplift's running configuration in GrowthBook's SDK payload format (what GrowthBook's SDKs fetch
 * from `/api/features/<clientKey>`), so that an app on GrowthBook's SDK gets the answers `resolve`
 * gives. Pure.
 *
 * The two engines already share the assignment (hash version 2, the same bucket ranges), so:
 *
 * - each flag is a feature: VALUE rules are force rules; ROLLOUT rules force rules on a hashed
 *   range with the rule's own seed; EXPERIMENT rules experiment rules whose variations are the
 *   values (a variant without a value passes through to the next rule, as in Uplift);
 * - each running experiment is also a feature of its own, `experiment:<key>`, whose value is the
 *   variant's payload and whose `experimentResult.key` is the variant's key;
 * - the global holdout and a layer's slice are hash filters (GrowthBook's namespaces for hash
 *   version 2: its `namespace` field hashes with version 1 and cannot express a layer);
 * - targeting becomes GrowthBook's condition on the attributes `{ ...attributes, id, tier }`.
 *
 * What GrowthBook's SDK would evaluate differently is left out and listed (`uplift.leftOut`), so
 * its SDK serves the app's default for it rather than a wrong answer. Forced assignments (QA
 * overrides) name users: the key this payload is for may be public, so they are never included
 * (`uplift.forcedAssignmentsLeftOut`); a forced user gets the variant their id hashes to.
 */
import semver from 'semver';
import { FITS_FLAG_TYPE } from '../engine/evaluate';
import type { ConfigSnapshot, ExperimentSnapshot, FlagRuleSnapshot, FlagSnapshot, JsonValue } from '../engine/snapshot';
import { ConditionOperator as Op, MatchMode, type Targeting, type TargetingCondition } from '../engine/targeting.model';

/** A condition in GrowthBook's (MongoDB-like) syntax. */
export type GrowthBookCondition = { [key: string]: JsonValue | GrowthBookCondition | GrowthBookCondition[] };

/** A user is kept when its hash (version 2, of `id`, with `seed`) falls in one of `ranges`. */
export interface GrowthBookFilter {
  seed: string;
  hashVersion: 2;
  attribute: 'id';
  ranges: [number, number][];
}

export type GrowthBookRule =
  | { id: string; force: JsonValue; condition?: GrowthBookCondition }
  | { id: string; force: JsonValue; condition?: GrowthBookCondition; seed: string; hashVersion: 2; hashAttribute: 'id'; range: [number, number] }
  | {
      id?: string;
      key: string;
      seed: string;
      hashVersion: 2;
      hashAttribute: 'id';
      phase: string;
      variations: JsonValue[];
      weights: number[];
      coverage: number;
      meta: { key: string; passthrough?: true }[];
      filters: GrowthBookFilter[];
      condition?: GrowthBookCondition;
    };

export interface GrowthBookFeature {
  defaultValue: JsonValue;
  rules?: GrowthBookRule[];
}

/** Why something is not in the payload. */
export type LeftOutReason =
  /** DATE_BEFORE / DATE_AFTER: GrowthBook compares strings, Uplift compares instants. */
  | 'DATE_CONDITION'
  /** A version bound with a pre-release, or a number of 10,000 or more: GrowthBook's padded comparison differs there. */
  | 'VERSION_BOUND'
  /** A condition on `id` or `tier`: in GrowthBook's attributes those are the user's id and tier. */
  | 'RESERVED_ATTRIBUTE'
  /** An attribute path through a name JavaScript objects inherit (`constructor`, `map`, ...), which GrowthBook's SDK reads from the prototype. */
  | 'INHERITED_ATTRIBUTE'
  /** A flag rule on an experiment that was left out. */
  | 'EXPERIMENT_LEFT_OUT';

export interface LeftOut {
  kind: 'flag' | 'experiment';
  key: string;
  reason: LeftOutReason;
  message: string;
}

export interface GrowthBookPayload {
  status: 200;
  features: Record<string, GrowthBookFeature>;
  dateUpdated: string;
  /** Ignored by GrowthBook's SDKs: what this payload leaves out, for people and tools. */
  uplift: {
    configVersion: string;
    leftOut: LeftOut[];
    /** Experiments whose forced assignments (by user id) are not in the payload. */
    forcedAssignmentsLeftOut: string[];
  };
}

/** The feature key an experiment is served under; flag keys are slugs, so they never take this form. */
export const experimentFeatureKey = (experimentKey: string) => `experiment:${experimentKey}`;

/** The attribute names GrowthBook's attributes give the user's id and tier. */
const RESERVED_ATTRIBUTES = ['id', 'tier'];

/**
 * The versions node-semver reads (what Uplift compares), written for GrowthBook's `$regex`: with no
 * space around them, and numbers of at most 15 digits (semver refuses those above 2^53).
 */
export const SEMVER_PATTERN =
  '^v?(0|[1-9]\\d{0,14})\\.(0|[1-9]\\d{0,14})\\.(0|[1-9]\\d{0,14})' +
  '(-(\\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\\d*)(\\.(\\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\\d*))*)?' +
  '(\\+[a-zA-Z0-9-]+(\\.[a-zA-Z0-9-]+)*)?$';
/** semver's longest version. */
const SEMVER_MAX_LENGTH = 256;
const SEMVER_GUARD = `(?=.{1,${SEMVER_MAX_LENGTH}}$)${SEMVER_PATTERN}`;

const SEMVER_OPERATORS = { SEMVER_EQ: '$veq', SEMVER_GT: '$vgt', SEMVER_GTE: '$vgte', SEMVER_LT: '$vlt', SEMVER_LTE: '$vlte' } as const;
const NUMBER_OPERATORS = { GT: '$gt', GTE: '$gte', LT: '$lt', LTE: '$lte' } as const;

class Inexpressible extends Error {
  constructor(
    readonly reason: LeftOutReason,
    message: string,
  ) {
    super(message);
  }
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const inherited = (segment: string) => segment !== 'length' && segment in Array.prototype;

/**
 * A version bound GrowthBook compares as node-semver does: no pre-release, and numbers below
 * 10,000 (GrowthBook pads each number to 5 characters, so a user's 5-digit or longer number still
 * sorts above such a bound, never wrongly). Build metadata is ignored by both.
 */
function plainVersionBound(value: unknown): string {
  const parsed = semver.parse(String(value));
  if (parsed === null || parsed.prerelease.length > 0 || [parsed.major, parsed.minor, parsed.patch].some((part) => part >= 10_000)) {
    throw new Inexpressible('VERSION_BOUND', `version bound "${String(value)}" has a pre-release or a number of 10,000 or more`);
  }
  return `${parsed.major}.${parsed.minor}.${parsed.patch}`;
}

/** One condition as a GrowthBook condition that holds for exactly the same attributes. */
export function toGrowthBookCondition(condition: TargetingCondition): GrowthBookCondition {
  const { attribute, value } = condition;
  const segments = attribute.split('.');
  if (RESERVED_ATTRIBUTES.includes(segments[0])) {
    throw new Inexpressible('RESERVED_ATTRIBUTE', `condition on "${attribute}": GrowthBook's attributes hold the user's id and tier under "id" and "tier"`);
  }
  if (segments.some(inherited)) {
    throw new Inexpressible('INHERITED_ATTRIBUTE', `condition on "${attribute}": GrowthBook's SDK reads that name from JavaScript's object prototype`);
  }
  const on = (test: GrowthBookCondition): GrowthBookCondition => ({ [attribute]: test });
  switch (condition.operator) {
    case Op.EQ:
      return on({ $eq: value as JsonValue });
    case Op.NEQ:
      return on({ $ne: value as JsonValue });
    case Op.IN:
      return on({ $in: value as JsonValue[] });
    case Op.NOT_IN:
      return on({ $nin: value as JsonValue[] });
    case Op.GT:
    case Op.GTE:
    case Op.LT:
    case Op.LTE:
      // Uplift compares numbers only; JavaScript's < would also compare strings and null.
      return on({ $type: 'number', [NUMBER_OPERATORS[condition.operator]]: value as number });
    case Op.CONTAINS:
      return { $or: [on({ $type: 'string', $regex: escapeRegex(value as string) }), on({ $elemMatch: { $eq: value as string } })] };
    case Op.EXISTS:
      return on({ $exists: value as boolean });
    case Op.SEMVER_EQ:
    case Op.SEMVER_GT:
    case Op.SEMVER_GTE:
    case Op.SEMVER_LT:
    case Op.SEMVER_LTE:
      // Uplift's comparisons are false for anything that is not a version; GrowthBook's would compare it anyway.
      return on({ $type: 'string', $regex: SEMVER_GUARD, [SEMVER_OPERATORS[condition.operator]]: plainVersionBound(value) });
    case Op.DATE_BEFORE:
    case Op.DATE_AFTER:
      throw new Inexpressible('DATE_CONDITION', `${condition.operator} on "${attribute}": GrowthBook compares dates as strings`);
  }
}

/** The clauses a targeting requires, all of which must hold. */
function targetingClauses(targeting: Targeting): GrowthBookCondition[] {
  const clauses: GrowthBookCondition[] = [];
  if (targeting.tiers.length > 0) clauses.push({ tier: { $in: targeting.tiers } });
  const conditions = targeting.conditions.map(toGrowthBookCondition);
  if (conditions.length === 1) clauses.push(conditions[0]);
  else if (conditions.length > 1) clauses.push(targeting.match === MatchMode.ANY ? { $or: conditions } : { $and: conditions });
  return clauses;
}

/** The GrowthBook condition that holds exactly when every targeting does; undefined for everyone. */
export function toGrowthBookTargeting(...targetings: Targeting[]): GrowthBookCondition | undefined {
  const clauses = targetings.flatMap(targetingClauses);
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

const withCondition = (condition: GrowthBookCondition | undefined) => (condition === undefined ? {} : { condition });

function experimentRule(
  config: ConfigSnapshot,
  experiment: ExperimentSnapshot,
  served: { value: JsonValue; passthrough: boolean }[],
  rule?: { id: string; targeting: Targeting },
): GrowthBookRule {
  const filters: GrowthBookFilter[] = [];
  // Users outside the holdout: its hash at or above the held-out share.
  if (config.holdout) filters.push({ seed: config.holdout.seed, hashVersion: 2, attribute: 'id', ranges: [[config.holdout.percentage / 100, 1]] });
  if (experiment.layer) {
    const layerKey = experiment.layer.key;
    const layer = config.layers.find((candidate) => candidate.key === layerKey);
    if (!layer) throw new Error(`experiment "${experiment.key}" is in layer "${layerKey}", which the snapshot does not list`);
    filters.push({ seed: layer.seed, hashVersion: 2, attribute: 'id', ranges: [[experiment.layer.start, experiment.layer.end]] });
  }
  const variations = served.map((item) => item.value);
  const weights = experiment.variants.map((variant) => variant.weight / 100);
  const meta: { key: string; passthrough?: true }[] = experiment.variants.map((variant, i) => (served[i].passthrough ? { key: variant.key, passthrough: true } : { key: variant.key }));
  if (variations.length === 1) {
    // GrowthBook runs no experiment of fewer than two variations; a second of weight 0 is never chosen.
    variations.push(null);
    weights.push(0);
    meta.push({ key: '', passthrough: true });
  }
  return {
    ...(rule ? { id: rule.id } : {}),
    key: experiment.key,
    seed: experiment.seed,
    hashVersion: 2,
    hashAttribute: 'id',
    phase: String(experiment.phase),
    variations,
    weights,
    coverage: experiment.trafficAllocation / 100,
    meta,
    filters,
    ...withCondition(toGrowthBookTargeting(experiment.targeting, ...(rule ? [rule.targeting] : []))),
  };
}

function flagRule(config: ConfigSnapshot, flag: FlagSnapshot, rule: FlagRuleSnapshot, experiments: ReadonlyMap<string, ExperimentSnapshot>): GrowthBookRule | null {
  // A value of the wrong type serves the default (reason ERROR): the rule still stops there.
  const fit = (value: JsonValue) => (FITS_FLAG_TYPE[flag.type](value) ? value : flag.defaultValue);
  switch (rule.kind) {
    case 'VALUE':
      return { id: rule.id, force: fit(rule.value), ...withCondition(toGrowthBookTargeting(rule.targeting)) };
    case 'ROLLOUT':
      return {
        id: rule.id,
        force: fit(rule.value),
        ...withCondition(toGrowthBookTargeting(rule.targeting)),
        seed: `${flag.seed}:${rule.id}`,
        hashVersion: 2,
        hashAttribute: 'id',
        range: [0, rule.percentage / 100],
      };
    case 'EXPERIMENT': {
      const experiment = experiments.get(rule.experimentKey);
      // Not running: it assigns nobody, so the rule never serves.
      if (!experiment) return null;
      const has = (variantKey: string) => Object.prototype.hasOwnProperty.call(rule.values, variantKey);
      return experimentRule(
        config,
        experiment,
        experiment.variants.map((variant) => (has(variant.key) ? { value: fit(rule.values[variant.key]), passthrough: false } : { value: null, passthrough: true })),
        rule,
      );
    }
  }
}

function attempt<T>(kind: LeftOut['kind'], key: string, leftOut: LeftOut[], build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof Inexpressible)) throw error;
    leftOut.push({ kind, key, reason: error.reason, message: error.message });
    return undefined;
  }
}

/** The payload GrowthBook's SDKs read, for any key: it names no user. */
export function growthBookPayload(config: ConfigSnapshot): GrowthBookPayload {
  const features: Record<string, GrowthBookFeature> = {};
  const leftOut: LeftOut[] = [];
  const expressible = new Map<string, ExperimentSnapshot>();
  for (const experiment of config.experiments) {
    const rule = attempt('experiment', experiment.key, leftOut, () =>
      experimentRule(config, experiment, experiment.variants.map((variant) => ({ value: variant.payload, passthrough: false }))),
    );
    if (rule === undefined) continue;
    expressible.set(experiment.key, experiment);
    features[experimentFeatureKey(experiment.key)] = { defaultValue: null, rules: [rule] };
  }
  const running = new Set(config.experiments.map((experiment) => experiment.key));
  for (const flag of config.flags) {
    if (!flag.enabled) {
      features[flag.key] = { defaultValue: flag.defaultValue };
      continue;
    }
    const rules = attempt('flag', flag.key, leftOut, () =>
      flag.rules.flatMap((rule) => {
        if (rule.kind === 'EXPERIMENT' && running.has(rule.experimentKey) && !expressible.has(rule.experimentKey)) {
          throw new Inexpressible('EXPERIMENT_LEFT_OUT', `rule "${rule.id}" serves the variants of experiment "${rule.experimentKey}", which is left out`);
        }
        const translated = flagRule(config, flag, rule, expressible);
        return translated === null ? [] : [translated];
      }),
    );
    if (rules !== undefined) features[flag.key] = { defaultValue: flag.defaultValue, rules };
  }
  return {
    status: 200,
    features,
    dateUpdated: config.generatedAt,
    uplift: {
      configVersion: config.version,
      leftOut,
      forcedAssignmentsLeftOut: config.experiments.filter((experiment) => Object.keys(experiment.forcedAssignments).length > 0).map((experiment) => experiment.key),
    },
  };
}
