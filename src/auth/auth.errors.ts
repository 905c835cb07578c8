import { domainErrors, ErrorCode } from '../common/errors';

export enum AuthErrorReason {
  MISSING_KEY = 'MISSING_KEY',
  INVALID_KEY = 'INVALID_KEY',
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
}

export const authError = domainErrors<AuthErrorReason>({
  [AuthErrorReason.MISSING_KEY]: ErrorCode.UNAUTHENTICATED,
  [AuthErrorReason.INVALID_KEY]: ErrorCode.UNAUTHENTICATED,
  [AuthErrorReason.ROLE_NOT_ALLOWED]: ErrorCode.FORBIDDEN,
  [AuthErrorReason.API_KEY_NOT_FOUND]: ErrorCode.NOT_FOUND,
});
