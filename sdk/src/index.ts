export { UpliftClient, LocalUpliftClient, type UpliftOptions, type LocalOptions, type ClientStats, type ConfigCache } from './client';
export { UpliftError, type UpliftErrorCode } from './errors';
export { DEFAULT_BATCH, type BatchOptions, type QueueStats } from './queue';
export type { FetchLike } from './transport';
export type {
  Entitlement,
  ExperimentResult,
  ExposureInput,
  FlagResult,
  LocalResolution,
  Resolution,
  SdkConfig,
  SdkEntitlementConfig,
  TrackedEvent,
  Unavailable,
  User,
  ConfigSnapshot,
  ExperimentAssignment,
  FlagEvaluation,
  JsonValue,
  Reason,
} from './types';
export { CONFIG_SCHEMA_VERSION, evaluate } from '../../src/engine';
