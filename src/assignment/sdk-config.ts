/**
 * What `sdkConfig` hands each key: only what its evaluation needs. Pure.
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

/** The configuration for one user's evaluation: forced assignments of that user only. */
export function clientSdkConfig(config: ConfigSnapshot, userId: string): SdkConfigPayload {
  let base = clientBases.get(config);
  if (base === undefined) {
    base = { schemaVersion: CONFIG_SCHEMA_VERSION, ...config, experiments: config.experiments.map((experiment) => ({ ...experiment, forcedAssignments: {} })) };
    clientBases.set(config, base);
  }
  const forcedFor = (experiment: ExperimentSnapshot) => Object.prototype.hasOwnProperty.call(experiment.forcedAssignments, userId);
  if (!config.experiments.some(forcedFor)) return { ...base, forcedAssignmentsOf: userId };
  return {
    ...base,
    forcedAssignmentsOf: userId,
    experiments: config.experiments.map((experiment, i) => (forcedFor(experiment) ? { ...experiment, forcedAssignments: { [userId]: experiment.forcedAssignments[userId] } } : base.experiments[i])),
  };
}
