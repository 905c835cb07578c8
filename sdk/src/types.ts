import type {
  ConfigSnapshot,
  EntitlementKind,
  EntitlementRuleSnapshot,
  CatalogueEntry,
  ExperimentAssignment,
  FlagEvaluation,
  JsonValue,
  QuotaPeriod,
} from '../../src/engine';
import type { UpliftErrorCode } from './errors';

/*
 * The SDK's public types: the engine's, and documented shapes of what the server answers. Remote
 * mode builds them from the types codegen generates from the schema (operations.ts), so the
 * compiler refuses a schema change these do not follow.
 */

export type { ConfigSnapshot, ExperimentAssignment, FlagEvaluation, JsonValue, Reason, UserContext } from '../../src/engine';

/** A user as the app describes it: the same three fields `resolve` takes. */
export interface User {
  /** Your stable id for the user, 1 to 200 characters. */
  id: string;
  /** A slug, e.g. `new`, `regular`, `high_value`. */
  tier?: string | null;
  attributes?: Record<string, JsonValue> | null;
}

/** The entitlement part of the configuration, served to server-side keys only. */
export interface SdkEntitlementConfig {
  catalogue: CatalogueEntry[];
  /** Enabled rules only. */
  rules: EntitlementRuleSnapshot[];
  /** Whether any per-user grant exists: then only the server knows a user's entitlements. */
  hasUserGrants: boolean;
}

/** What `sdkConfig` returns: the engine's snapshot, its format's version, and what the key may read of entitlements. */
export interface SdkConfig extends ConfigSnapshot {
  schemaVersion?: number;
  /** Server-side keys only. */
  entitlements?: SdkEntitlementConfig;
  /** Client-side keys: the one user this configuration holds forced assignments for. */
  forcedAssignmentsOf?: string;
}

export interface Entitlement {
  key: string;
  kind: EntitlementKind;
  value: JsonValue;
  period: QuotaPeriod | null;
  source: string;
  sourceType: 'RULE' | 'USER_GRANT';
  /** ISO 8601, or null when open-ended. */
  expiresAt: string | null;
}

/** A user's answers. On failure, `errorCode` says why, the lists are empty and `entitlements` is null: the app serves its defaults. */
export interface Resolution {
  userId: string;
  inHoldout: boolean;
  experiments: ExperimentAssignment[];
  flags: FlagEvaluation[];
  /** Null when they could not be read (the server's database away, or local mode without them). */
  entitlements: Entitlement[] | null;
  errorCode?: UpliftErrorCode;
  errorMessage?: string;
}

/** What local mode could not answer, one item per experiment, flag or entitlement. */
export interface Unavailable {
  kind: 'experiment' | 'flag' | 'entitlement' | 'entitlements';
  /** The key; `*` for `entitlements` when the configuration carries none at all. */
  key: string;
  errorCode: 'NEEDS_SERVER' | 'UNSUPPORTED_CONFIGURATION';
  reason: string;
}

export interface LocalResolution extends Resolution {
  /** The configuration's version the answer came from; null before one arrived. */
  configVersion: string | null;
  unavailable: Unavailable[];
}

export interface FlagResult<T extends JsonValue = JsonValue> {
  key: string;
  /** The flag's value, or the default the app passed when `errorCode` is set. */
  value: T;
  variant: string | null;
  reason: FlagEvaluation['reason'];
  errorCode?: UpliftErrorCode | string;
  errorMessage?: string;
}

export interface ExperimentResult {
  experimentKey: string;
  /** Null: not in the experiment (serve the control experience) or `errorCode` set. */
  variantKey: string | null;
  payload: JsonValue;
  reason: ExperimentAssignment['reason'] | 'DEFAULT' | 'ERROR';
  errorCode?: UpliftErrorCode;
  errorMessage?: string;
}

export interface TrackedEvent {
  userId: string;
  type: string;
  value?: number | null;
  properties?: Record<string, JsonValue> | null;
  /** Defaults to now. */
  occurredAt?: string | Date;
  /** Defaults to a fresh UUID; the server stores an id once, so a retry is harmless. */
  id?: string;
}

/** One exposure of a local-mode SDK, as `trackExposures` takes it. */
export interface ExposureInput {
  experimentKey: string;
  phase: number;
  variantKey: string;
  userId: string;
  tier: string | null;
  exposedAt: string;
}
