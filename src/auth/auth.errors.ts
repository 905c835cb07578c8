import { DATABASE_UNAVAILABLE, DomainError, domainErrors, ErrorCode, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../common/errors';

export enum AuthErrorReason {
  MISSING_KEY = 'MISSING_KEY',
  INVALID_KEY = 'INVALID_KEY',
  /** More lookups of unknown keys per second than the database is allowed to see. */
  KEY_LOOKUPS_LIMITED = 'KEY_LOOKUPS_LIMITED',
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  /** A server-side (secret) key in an address, where proxies' logs would keep it: only CLIENT keys may go there. */
  KEY_IN_ADDRESS = 'KEY_IN_ADDRESS',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
}

export const authError = domainErrors<AuthErrorReason>({
  [AuthErrorReason.MISSING_KEY]: ErrorCode.UNAUTHENTICATED,
  [AuthErrorReason.INVALID_KEY]: ErrorCode.UNAUTHENTICATED,
  [AuthErrorReason.KEY_LOOKUPS_LIMITED]: ErrorCode.RATE_LIMITED,
  [AuthErrorReason.ROLE_NOT_ALLOWED]: ErrorCode.FORBIDDEN,
  [AuthErrorReason.KEY_IN_ADDRESS]: ErrorCode.FORBIDDEN,
  [AuthErrorReason.API_KEY_NOT_FOUND]: ErrorCode.NOT_FOUND,
});

/** The HTTP status of a refusal raised before a request runs (authentication). */
export function authFailureStatus(code: ErrorCode): number {
  return code === ErrorCode.RATE_LIMITED ? 429 : 401;
}

/** What an endpoint outside GraphQL (OFREP, GrowthBook's features, the update stream) answers when a key could not be accepted. */
export interface AuthRefusal {
  status: 401 | 429 | 503;
  reason: string;
  message: string;
  /** Seconds for the Retry-After header, when retrying is the answer. */
  retryAfterSeconds?: number;
}

/**
 * The refusal for an error Authenticator.authenticate threw: a bad or unknown key (401), too many
 * unknown keys (429), or a key first seen while the database is away (503, retriable). Anything
 * else is a fault and is thrown again.
 */
export function authRefusal(error: unknown): AuthRefusal {
  if (error instanceof DomainError) {
    return authFailureStatus(error.code) === 429
      ? { status: 429, reason: error.reason, message: error.message, retryAfterSeconds: 1 }
      : { status: 401, reason: error.reason, message: error.message };
  }
  if (isDatabaseUnavailable(error)) {
    return { status: 503, reason: DATABASE_UNAVAILABLE, message: 'The database is unavailable, so this key cannot be checked yet. Retry later.', retryAfterSeconds: RETRY_AFTER_SECONDS };
  }
  throw error;
}

/** The Retry-After header of a refusal, if it has one. */
export function refusalHeaders(refusal: AuthRefusal): Record<string, string> {
  return refusal.retryAfterSeconds === undefined ? {} : { 'retry-after': String(refusal.retryAfterSeconds) };
}
