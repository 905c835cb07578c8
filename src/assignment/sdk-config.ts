/**
 * What `sdkConfig` and `GET /sdk/v1/config` hand each key: only what its evaluation needs. No
 * database: functions of the snapshot in memory.
 *
 * - Server-side SDK keys (secret, on the app's servers) evaluate for any user, so they get the
 *   whole running configuration: forced assignments (QA overrides, by user id) included, since
 *   without them a forced user would get another answer than `resolve` gives.
 * - No key gets the entitlement rules: apps read a user's entitlements through `resolve` (the
 *   rules are the business's, and most need facts only the server has). The SDK can decide
 *   entitlements locally when given an `entitlements` section, but the server does not send one.
 * - Client-side keys (public: browsers, mobile apps) evaluate for one user: they name that user
 *   and get, of the forced assignments, only that user's own. No other user's id, no entitlement
 *   rules.
 */
import { CONFIG_SCHEMA_VERSION } from '../engine/compatibility';
import type { ConfigSnapshot, ExperimentSnapshot } from '../engine/snapshot';
import { userProblem } from '../engine/user';
import { AssignmentErrorReason, assignmentError } from './assignment.errors';

export interface SdkConfigPayload extends ConfigSnapshot {
  /** The format's version (src/engine/compatibility.ts): an SDK meeting a newer one evaluates nothing locally. */
  schemaVersion: number;
  /** Client-side keys: the one user whose forced assignments are included. */
  forcedAssignmentsOf?: string;
}

const serverConfigs = new WeakMap<ConfigSnapshot, SdkConfigPayload>();
const clientBases = new WeakMap<ConfigSnapshot, SdkConfigPayload>();

/** Built once per snapshot: every server key reads the same object. */
export function serverSdkConfig(config: ConfigSnapshot): SdkConfigPayload {
  let payload = serverConfigs.get(config);
  if (payload === undefined) {
    payload = { schemaVersion: CONFIG_SCHEMA_VERSION, ...config };
    serverConfigs.set(config, payload);
  }
  return payload;
}

/** Every client key's configuration before its user's forced assignments: built once per snapshot. */
function clientBase(config: ConfigSnapshot): SdkConfigPayload {
  let base = clientBases.get(config);
  if (base === undefined) {
    base = { schemaVersion: CONFIG_SCHEMA_VERSION, ...config, experiments: config.experiments.map((experiment) => ({ ...experiment, forcedAssignments: {} })) };
    clientBases.set(config, base);
  }
  return base;
}

const isForced = (userId: string) => (experiment: ExperimentSnapshot) => Object.prototype.hasOwnProperty.call(experiment.forcedAssignments, userId);

/** The configuration for one user's evaluation: forced assignments of that user only. */
export function clientSdkConfig(config: ConfigSnapshot, userId: string): SdkConfigPayload {
  const base = clientBase(config);
  const forcedFor = isForced(userId);
  if (!config.experiments.some(forcedFor)) return { ...base, forcedAssignmentsOf: userId };
  return {
    ...base,
    forcedAssignmentsOf: userId,
    experiments: config.experiments.map((experiment, i) => (forcedFor(experiment) ? { ...experiment, forcedAssignments: { [userId]: experiment.forcedAssignments[userId] } } : base.experiments[i])),
  };
}

/** Who reads the configuration: a server-side key (any user), or a client-side key for one user. */
export interface SdkConfigReader {
  clientSide: boolean;
  /** Client-side keys: required, a valid user id. Others: ignored. */
  userId?: string | null;
}

/** The user a client-side reader names, checked as resolve checks ids; null for server-side readers. */
function clientUser({ clientSide, userId }: SdkConfigReader): string | null {
  if (!clientSide) return null;
  if (userId == null) throw assignmentError(AssignmentErrorReason.USER_REQUIRED, 'A client-side key reads the configuration of one user: pass userId', 'userId');
  const problem = userProblem({ id: userId });
  if (problem) throw assignmentError(AssignmentErrorReason.INVALID_USER, problem.message, 'userId');
  return userId;
}

/** What `reader` may read of `config`. Throws BAD_USER_INPUT for a client-side reader without a valid user id. */
export function sdkConfigFor(config: ConfigSnapshot, reader: SdkConfigReader): SdkConfigPayload {
  const userId = clientUser(reader);
  return userId === null ? serverSdkConfig(config) : clientSdkConfig(config, userId);
}

const serverJson = new WeakMap<ConfigSnapshot, string>();
const clientBaseJson = new WeakMap<ConfigSnapshot, string>();

/**
 * sdkConfigFor's answer as JSON, serialised once per snapshot for every server-side key, and once
 * for every client-side key whose user has no forced assignment (the user's id is appended: the
 * same text JSON.stringify would give). Only users with forced assignments cost a serialisation.
 */
export function sdkConfigJson(config: ConfigSnapshot, reader: SdkConfigReader): string {
  const userId = clientUser(reader);
  if (userId === null) {
    let json = serverJson.get(config);
    if (json === undefined) serverJson.set(config, (json = JSON.stringify(serverSdkConfig(config))));
    return json;
  }
  if (config.experiments.some(isForced(userId))) return JSON.stringify(clientSdkConfig(config, userId));
  let base = clientBaseJson.get(config);
  if (base === undefined) clientBaseJson.set(config, (base = JSON.stringify(clientBase(config))));
  return `${base.slice(0, -1)},"forcedAssignmentsOf":${JSON.stringify(userId)}}`;
}

/**
 * The answer's version tag: the snapshot's version is a hash of its content, so the tag changes
 * exactly when what a reader gets does (a client-side reader's user is in the address). Weak:
 * instances stamp the same content with their own `generatedAt`.
 */
export function sdkConfigEtag(config: ConfigSnapshot, reader: SdkConfigReader): string {
  return `W/"${CONFIG_SCHEMA_VERSION}.${config.version}.${reader.clientSide ? 'client' : 'server'}"`;
}
