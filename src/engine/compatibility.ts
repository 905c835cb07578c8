/**
 * What this engine can evaluate. A configuration may come from a newer server than the engine
 * (an app's SDK is upgraded later than the server): an experiment or flag using an operator or
 * rule kind the engine does not know is set aside, and its users get the default, rather than an
 * answer the server would not give.
 */
import type { ConfigSnapshot, ExperimentSnapshot, FlagSnapshot } from './snapshot';
import { ConditionOperator, MatchMode, type Targeting } from './targeting.model';

/**
 * The configuration format this engine reads. A server sends `schemaVersion`; a larger number
 * means a format this engine cannot be sure to read, and then nothing is evaluated locally.
 */
export const CONFIG_SCHEMA_VERSION = 1;

const KNOWN_OPERATORS: ReadonlySet<string> = new Set(Object.values(ConditionOperator));
const KNOWN_MATCH_MODES: ReadonlySet<string> = new Set(Object.values(MatchMode));
const KNOWN_RULE_KINDS: ReadonlySet<string> = new Set(['VALUE', 'ROLLOUT', 'EXPERIMENT']);
const KNOWN_FLAG_TYPES: ReadonlySet<string> = new Set(['BOOLEAN', 'STRING', 'NUMBER', 'JSON']);

export function isKnownTargeting(targeting: Targeting | undefined | null): boolean {
  if (!targeting || !Array.isArray(targeting.tiers) || !Array.isArray(targeting.conditions)) return false;
  if (!KNOWN_MATCH_MODES.has(targeting.match)) return false;
  return targeting.conditions.every((condition) => condition && typeof condition.attribute === 'string' && KNOWN_OPERATORS.has(condition.operator));
}

function isKnownExperiment(experiment: ExperimentSnapshot, layerKeys: ReadonlySet<string>): boolean {
  return (
    isKnownTargeting(experiment.targeting) &&
    Array.isArray(experiment.variants) &&
    experiment.variants.length > 0 &&
    (experiment.layer === null || layerKeys.has(experiment.layer.key))
  );
}

function isKnownFlag(flag: FlagSnapshot, setAsideExperiments: ReadonlySet<string>): boolean {
  if (!KNOWN_FLAG_TYPES.has(flag.type) || !Array.isArray(flag.rules)) return false;
  return flag.rules.every(
    (rule) =>
      rule &&
      KNOWN_RULE_KINDS.has(rule.kind) &&
      isKnownTargeting(rule.targeting) &&
      // A rule on an experiment that was set aside would serve its users the flag's fall-through instead.
      (rule.kind !== 'EXPERIMENT' || !setAsideExperiments.has(rule.experimentKey)),
  );
}

export interface CompatibleSnapshot {
  /** The configuration without what was set aside: evaluate() may run on it. */
  snapshot: ConfigSnapshot;
  /** Keys whose users get the default (experiments: no variant), because this engine cannot evaluate them. */
  unsupported: { experiments: string[]; flags: string[] };
}

/** The part of a configuration this engine can evaluate exactly as the server does, and what it set aside. */
export function compatibleSnapshot(config: ConfigSnapshot & { schemaVersion?: number }): CompatibleSnapshot {
  const experiments = Array.isArray(config.experiments) ? config.experiments : [];
  const flags = Array.isArray(config.flags) ? config.flags : [];
  if (typeof config.schemaVersion === 'number' && config.schemaVersion > CONFIG_SCHEMA_VERSION) {
    return {
      snapshot: { ...config, holdout: null, layers: [], experiments: [], flags: [] },
      unsupported: { experiments: experiments.map((e) => e.key), flags: flags.map((f) => f.key) },
    };
  }
  const layerKeys = new Set((config.layers ?? []).map((layer) => layer.key));
  const setAside = new Set(experiments.filter((experiment) => !isKnownExperiment(experiment, layerKeys)).map((experiment) => experiment.key));
  const keptFlags: FlagSnapshot[] = [];
  const unsupportedFlags: string[] = [];
  for (const flag of flags) {
    if (isKnownFlag(flag, setAside)) keptFlags.push(flag);
    else unsupportedFlags.push(flag.key);
  }
  if (setAside.size === 0 && unsupportedFlags.length === 0) return { snapshot: config, unsupported: { experiments: [], flags: [] } };
  return {
    snapshot: { ...config, experiments: experiments.filter((experiment) => !setAside.has(experiment.key)), flags: keptFlags },
    unsupported: { experiments: [...setAside], flags: unsupportedFlags },
  };
}
