import { domainErrors, ErrorCode } from '../common/errors';

export enum AuthErrorReason {
  MISSING_KEY = 'MISSING_KEY',
  INVALID_KEY = 'INVALID_KEY',
  /** More lookups of unknown keys per second than the database is allowed to see. */
  KEY_LOOKUPS_LIMITED = 'KEY_LOOKUPS_LIMITED',
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
}

export const authError = domainErrors<AuthErrorReason>({
  [AuthErrorReason.MISSING_KEY]: ErrorCode.UNAUTHENTICATED,
  [AuthErrorReason.INVALID_KEY]: ErrorCode.UNAUTHENTICATED,
  [AuthErrorReason.KEY_LOOKUPS_LIMITED]: ErrorCode.RATE_LIMITED,
  [AuthErrorReason.ROLE_NOT_ALLOWED]: ErrorCode.FORBIDDEN,
  [AuthErrorReason.API_KEY_NOT_FOUND]: ErrorCode.NOT_FOUND,
});

/** The HTTP status of a refusal raised before a request runs (authentication). */
export function authFailureStatus(code: ErrorCode): number {
  return code === ErrorCode.RATE_LIMITED ? 429 : 401;
}
