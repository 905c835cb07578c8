/**
 * OFREP (the OpenFeature Remote Evaluation Protocol) on Uplift's engine. Pure: a request's
 * context becomes a user, an evaluation becomes OFREP's answer.
 *
 * The context is flat, as OpenFeature's is: `targetingKey` is the user's id, `tier` (a string)
 * the user's tier, and every other key an attribute (`{ "targetingKey": "u1", "tier": "regular",
 * "country": "sg", "app": { "version": "5.3.0" } }` is the user `{ id: "u1", tier: "regular",
 * attributes: { country: "sg", app: { version: "5.3.0" } } }`).
 */
import type { FlagEvaluation, JsonValue, UserContext } from '../engine/snapshot';
import { toUserContext, userProblem } from '../engine/user';

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
  metadata: Record<string, string | number | boolean>;
}

/** The user a request's body names, or why it names none. */
export function userFromRequest(body: unknown): UserContext | OfrepFailure {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { errorCode: 'PARSE_ERROR', errorDetails: 'The body must be a JSON object: { "context": { "targetingKey": ... } }' };
  }
  const context = (body as { context?: unknown }).context;
  if (context === undefined || context === null) return { errorCode: 'TARGETING_KEY_MISSING', errorDetails: 'context.targetingKey is required: it is the user’s id' };
  if (typeof context !== 'object' || Array.isArray(context)) return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be a JSON object' };
  const { targetingKey, tier, ...attributes } = context as Record<string, JsonValue>;
  if (targetingKey === undefined || targetingKey === null) return { errorCode: 'TARGETING_KEY_MISSING', errorDetails: 'context.targetingKey is required: it is the user’s id' };
  if (typeof targetingKey !== 'string') return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey must be a string' };
  if (tier !== undefined && tier !== null && typeof tier !== 'string') return { errorCode: 'INVALID_CONTEXT', errorDetails: 'context.tier must be a string' };
  const input = { id: targetingKey, tier: tier ?? null, attributes };
  const problem = userProblem(input);
  if (problem) return { errorCode: 'INVALID_CONTEXT', errorDetails: `context.${problem.field === 'id' ? 'targetingKey' : problem.field}: ${problem.message}` };
  return toUserContext(input);
}

export const isFailure = (value: UserContext | OfrepFailure): value is OfrepFailure => 'errorCode' in value;

/**
 * An evaluation as OFREP says it. A value of the wrong type (which saving a flag refuses, so only
 * a corrupt row could cause it) is served as resolve serves it: the flag's default, reason ERROR,
 * and the code in the metadata.
 */
export function ofrepEvaluation(evaluation: FlagEvaluation, configVersion: string): OfrepSuccess {
  const metadata: OfrepSuccess['metadata'] = { configVersion };
  if (evaluation.errorCode) metadata.errorCode = evaluation.errorCode;
  const answer: OfrepSuccess = { key: evaluation.key, value: evaluation.value, reason: evaluation.reason, metadata };
  if (evaluation.variant !== null) answer.variant = evaluation.variant;
  return answer;
}
