import { domainErrors, ErrorCode } from '../common/errors';

export enum AssignmentErrorReason {
  TOO_MANY_USERS = 'TOO_MANY_USERS',
  INVALID_USER = 'INVALID_USER',
}

export const assignmentError = domainErrors<AssignmentErrorReason>({
  [AssignmentErrorReason.TOO_MANY_USERS]: ErrorCode.BAD_USER_INPUT,
  [AssignmentErrorReason.INVALID_USER]: ErrorCode.BAD_USER_INPUT,
});
