import { domainErrors, ErrorCode } from '../common/errors';

export enum AssignmentErrorReason {
  TOO_MANY_USERS = 'TOO_MANY_USERS',
  INVALID_ATTRIBUTES = 'INVALID_ATTRIBUTES',
}

export const assignmentError = domainErrors<AssignmentErrorReason>({
  [AssignmentErrorReason.TOO_MANY_USERS]: ErrorCode.BAD_USER_INPUT,
  [AssignmentErrorReason.INVALID_ATTRIBUTES]: ErrorCode.BAD_USER_INPUT,
});
