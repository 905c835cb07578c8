import { domainErrors, ErrorCode } from '../common/errors';

export enum AssignmentErrorReason {
  TOO_MANY_USERS = 'TOO_MANY_USERS',
  INVALID_USER = 'INVALID_USER',
  /** A client-side key asked for the SDK configuration without naming its user. */
  USER_REQUIRED = 'USER_REQUIRED',
}

export const assignmentError = domainErrors<AssignmentErrorReason>({
  [AssignmentErrorReason.TOO_MANY_USERS]: ErrorCode.BAD_USER_INPUT,
  [AssignmentErrorReason.INVALID_USER]: ErrorCode.BAD_USER_INPUT,
  [AssignmentErrorReason.USER_REQUIRED]: ErrorCode.BAD_USER_INPUT,
});
