/**
 * OpenFeature's vocabulary on Uplift's engine: an evaluation context as a user, and what an
 * answer's flag metadata says.
 *
 * OpenFeature's evaluation context as an Uplift user. OpenFeature's context is flat: `targetingKey`
 * is the user's id, `tier` (a string) the user's tier, and every other key an attribute, so
 * `{ "targetingKey": "u1", "tier": "regular", "country": "sg", "app": { "version": "5.3.0" } }` is
 * the user `{ id: "u1", tier: "regular", attributes: { country: "sg", app: { version: "5.3.0" } } }`.
 *
 * One mapping for the server's OFREP endpoints and the SDK's OpenFeature provider, so that both
 * read a context alike and refuse the same contexts with the same codes and messages (OpenFeature's
 * error codes).
 */
import type { ConfigSnapshot, ExperimentAssignment, FlagEvaluation, FlagSnapshot, JsonValue, UserContext } from './snapshot';
import { toUserContext, userProblem } from './user';

export interface FlatContextProblem {
  errorCode: 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT';
  errorDetails: string;
}

const MISSING_KEY: FlatContextProblem = { errorCode: 'TARGETING_KEY_MISSING', errorDetails: 'context.targetingKey is required: it is the user’s id' };

/** The user an evaluation context names, or why it names none. */
export function userFromFlatContext(context: unknown): UserContext | FlatContextProblem {
  if (context === undefined || context === null) return MISSING_KEY;
  if (typeof context !== 'object' || Array.isArray(context)) return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be a JSON object' };
  const { targetingKey, tier, ...attributes } = context as Record<string, JsonValue>;
  if (targetingKey === undefined || targetingKey === null) return MISSING_KEY;
  if (typeof targetingKey !== 'string') return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey must be a string' };
  if (tier !== undefined && tier !== null && typeof tier !== 'string') return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context.tier must be a string' };
  const input = { id: targetingKey, tier: tier ?? null, attributes };
  const problem = userProblem(input);
  if (problem) return { errorCode: 'INVALID_CONTEXT', errorDetails: `context.${problem.field === 'id' ? 'targetingKey' : problem.field}: ${problem.message}` };
  return toUserContext(input);
}

export const isContextProblem = (value: UserContext | FlatContextProblem): value is FlatContextProblem => 'errorCode' in value;

/** OpenFeature's flag metadata: flat, of strings, numbers and booleans. */
export type FlagMetadata = Record<string, string | number | boolean>;

/**
 * The configuration version an answer came from; the experiment (key and phase) whose variant
 * served the value, if one did, so that an app's hooks can tell experiment traffic apart; and the
 * engine's error code when the answer is an error served as a value (a stored value of the wrong
 * type, which saving refuses).
 */
export function flagMetadata(configVersion: string, evaluation: FlagEvaluation, servedBy: ExperimentAssignment | null): FlagMetadata {
  const metadata: FlagMetadata = { configVersion };
  if (servedBy) {
    metadata.experimentKey = servedBy.experimentKey;
    metadata.experimentPhase = servedBy.phase;
  }
  if (evaluation.errorCode) metadata.errorCode = evaluation.errorCode;
  return metadata;
}

/**
 * What a flag's answers depend on: its own definition and, when a rule serves an experiment's
 * variants, those experiments, the holdout and the layers (which decide who is in them).
 */
function flagDependencies(snapshot: ConfigSnapshot, flag: FlagSnapshot): string {
  const experimentKeys = new Set(flag.rules.flatMap((rule) => (rule.kind === 'EXPERIMENT' ? [rule.experimentKey] : [])));
  if (experimentKeys.size === 0) return JSON.stringify(flag);
  const experiments = snapshot.experiments.filter((experiment) => experimentKeys.has(experiment.key));
  return JSON.stringify([flag, experiments, snapshot.holdout, snapshot.layers]);
}

/**
 * The keys of the flags whose answers may differ between two configurations (OpenFeature's
 * `flagsChanged`): added, removed, or changed in anything they depend on. Sorted.
 */
export function flagsChanged(previous: ConfigSnapshot, next: ConfigSnapshot): string[] {
  const before = new Map(previous.flags.map((flag) => [flag.key, flagDependencies(previous, flag)]));
  const changed = new Set<string>();
  for (const flag of next.flags) {
    if (before.get(flag.key) !== flagDependencies(next, flag)) changed.add(flag.key);
    before.delete(flag.key);
  }
  for (const key of before.keys()) changed.add(key);
  return [...changed].sort();
}
