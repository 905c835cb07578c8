/**
 * The running configuration as plain JSON: what the server builds from PostgreSQL, what
 * `sdkConfig` hands to apps, and all that the pure evaluation module (evaluate.ts) reads.
 * No classes, no Dates, no I/O: the same snapshot gives the same answers in any process.
 */
import type { Targeting } from '../targeting/targeting.model';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ConfigSnapshot {
  /** Opaque; changes whenever anything in the snapshot changes. */
  version: string;
  /** ISO 8601 time the snapshot was built. */
  generatedAt: string;
  /** Users whose holdout bucket is below `percentage`/100 enter no experiment at all. */
  holdout: HoldoutSnapshot | null;
  layers: LayerSnapshot[];
  /** RUNNING experiments only: paused, stopped and draft ones assign nobody. */
  experiments: ExperimentSnapshot[];
  flags: FlagSnapshot[];
}

export interface HoldoutSnapshot {
  /** 0 to 100. */
  percentage: number;
  seed: string;
}

export interface LayerSnapshot {
  key: string;
  seed: string;
}

export interface ExperimentSnapshot {
  key: string;
  /** Hash seed of the current phase; `restartExperiment` gives a new one. */
  seed: string;
  /** 1 for the first phase, +1 at each restart. */
  phase: number;
  /**
   * The experiment's slice of its layer, on [0, 1): a user enters only when the layer's hash of
   * the user falls in [start, end). Slices of one layer never overlap. Null: not in a layer.
   */
  layer: { key: string; start: number; end: number } | null;
  /** 0 to 100: share of eligible users who enter. */
  trafficAllocation: number;
  /** In the experiment's order; weights in percent, summing to 100. */
  variants: { key: string; weight: number; isControl: boolean; payload: JsonValue }[];
  targeting: Targeting;
  /** QA overrides: user id to variant key. Win over everything; never exposures. */
  forcedAssignments: Record<string, string>;
}

export type FlagType = 'BOOLEAN' | 'STRING' | 'NUMBER' | 'JSON';

export interface FlagSnapshot {
  key: string;
  type: FlagType;
  /** Off serves `defaultValue` with reason DISABLED. */
  enabled: boolean;
  defaultValue: JsonValue;
  /** Hash seed of percentage rollouts (default: the flag's key). */
  seed: string;
  /** Tried in order; the first that serves a value wins. */
  rules: FlagRuleSnapshot[];
}

export type FlagRuleSnapshot =
  /** Users matching `targeting` get `value`. */
  | { id: string; kind: 'VALUE'; targeting: Targeting; value: JsonValue }
  /**
   * Users matching `targeting` whose rollout bucket (hashed with `flag.seed + ':' + id`) is below
   * `percentage`/100 get `value`; the others fall through to the next rule. Sticky: raising the
   * percentage only adds users.
   */
  | { id: string; kind: 'ROLLOUT'; targeting: Targeting; percentage: number; value: JsonValue }
  /**
   * Users matching `targeting` who are assigned to a variant of `experimentKey` get
   * `values[variantKey]`; users not in the experiment fall through.
   */
  | { id: string; kind: 'EXPERIMENT'; targeting: Targeting; experimentKey: string; values: Record<string, JsonValue> };

/** The user an app asks about. */
export interface UserContext {
  id: string;
  tier?: string | null;
  /** Looked up by exact key first, then as a dotted path (`app.version`) into nested objects. */
  attributes?: Record<string, JsonValue>;
}

/** OpenFeature's resolution reasons. */
export type Reason = 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'STATIC' | 'ERROR';

export interface ExperimentAssignment {
  experimentKey: string;
  variantKey: string;
  payload: JsonValue;
  phase: number;
  /** SPLIT: bucketed by hash (an exposure); TARGETING_MATCH: a forced assignment (never an exposure). */
  reason: 'SPLIT' | 'TARGETING_MATCH';
}

export interface FlagEvaluation {
  key: string;
  value: JsonValue;
  /** The variant key for EXPERIMENT rules, the rule id for VALUE/ROLLOUT rules, null for the default. */
  variant: string | null;
  reason: Reason;
  /** OpenFeature error code when reason is ERROR, e.g. TYPE_MISMATCH. */
  errorCode?: string;
}

export interface Resolution {
  userId: string;
  /** True when the user is in the global holdout (and so in no experiment). */
  inHoldout: boolean;
  /** Only the experiments the user is in. */
  experiments: ExperimentAssignment[];
  flags: FlagEvaluation[];
}
