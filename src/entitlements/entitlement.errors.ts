import { domainErrors, ErrorCode } from '../common/errors';

export enum EntitlementErrorReason {
  ENTITLEMENT_NOT_FOUND = 'ENTITLEMENT_NOT_FOUND',
  RULE_NOT_FOUND = 'RULE_NOT_FOUND',
  GRANT_NOT_FOUND = 'GRANT_NOT_FOUND',
  KEY_TAKEN = 'KEY_TAKEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  ARCHIVED = 'ARCHIVED',
  IN_USE = 'IN_USE',
  ALREADY_WITHDRAWN = 'ALREADY_WITHDRAWN',
  INVALID_ENTITLEMENT = 'INVALID_ENTITLEMENT',
  INVALID_RULE = 'INVALID_RULE',
  INVALID_GRANT = 'INVALID_GRANT',
}

export const entitlementError = domainErrors<EntitlementErrorReason>({
  [EntitlementErrorReason.ENTITLEMENT_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [EntitlementErrorReason.RULE_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [EntitlementErrorReason.GRANT_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [EntitlementErrorReason.KEY_TAKEN]: ErrorCode.CONFLICT,
  [EntitlementErrorReason.VERSION_CONFLICT]: ErrorCode.CONFLICT,
  [EntitlementErrorReason.ARCHIVED]: ErrorCode.CONFLICT,
  [EntitlementErrorReason.IN_USE]: ErrorCode.CONFLICT,
  [EntitlementErrorReason.ALREADY_WITHDRAWN]: ErrorCode.CONFLICT,
  [EntitlementErrorReason.INVALID_ENTITLEMENT]: ErrorCode.BAD_USER_INPUT,
  [EntitlementErrorReason.INVALID_RULE]: ErrorCode.BAD_USER_INPUT,
  [EntitlementErrorReason.INVALID_GRANT]: ErrorCode.BAD_USER_INPUT,
});
