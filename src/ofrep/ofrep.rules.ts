/**
 * OFREP (the OpenFeature Remote Evaluation Protocol) on Uplift's engine. Pure: a request's body
 * becomes a user, an evaluation becomes OFREP's answer. The context's mapping to a user
 * (`targetingKey`, `tier`, attributes) is the engine's (src/engine/openfeature.ts), shared with the
 * SDK's OpenFeature provider.
 */
import type { ExperimentAssignment, FlagEvaluation, JsonValue, UserContext } from '../engine/snapshot';
import { flagMetadata, userFromFlatContext, type FlagMetadata } from '../engine/openfeature';

export type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'FLAG_NOT_FOUND' | 'GENERAL';

export interface OfrepFailure {
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

export interface OfrepSuccess {
  key: string;
  value: JsonValue;
  reason: string;
  variant?: string;
  metadata: FlagMetadata;
}

/** The user a request's body names, or why it names none. */
export function userFromRequest(body: unknown): UserContext | OfrepFailure {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { errorCode: 'PARSE_ERROR', errorDetails: 'The body must be a JSON object: { "context": { "targetingKey": ... } }' };
  }
  return userFromFlatContext((body as { context?: unknown }).context);
}

export const isFailure = (value: UserContext | OfrepFailure): value is OfrepFailure => 'errorCode' in value;

/**
 * An evaluation as OFREP says it. A value of the wrong type (which saving a flag refuses, so only
 * a corrupt row could cause it) is served as resolve serves it: the flag's default, reason ERROR,
 * and the code in the metadata.
 */
export function ofrepEvaluation(evaluation: FlagEvaluation, configVersion: string, servedBy: ExperimentAssignment | null): OfrepSuccess {
  const answer: OfrepSuccess = { key: evaluation.key, value: evaluation.value, reason: evaluation.reason, metadata: flagMetadata(configVersion, evaluation, servedBy) };
  if (evaluation.variant !== null) answer.variant = evaluation.variant;
  return answer;
}
