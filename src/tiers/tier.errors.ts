import { domainErrors, ErrorCode } from '../common/errors';

export enum TierErrorReason {
  TIER_NOT_FOUND = 'TIER_NOT_FOUND',
  KEY_TAKEN = 'KEY_TAKEN',
  /** Targeting names a tier the catalogue does not have. */
  UNKNOWN_TIER = 'UNKNOWN_TIER',
  /** Targeting still names the tier. */
  IN_USE = 'IN_USE',
}

export const tierError = domainErrors<TierErrorReason>({
  [TierErrorReason.TIER_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [TierErrorReason.KEY_TAKEN]: ErrorCode.CONFLICT,
  [TierErrorReason.UNKNOWN_TIER]: ErrorCode.BAD_USER_INPUT,
  [TierErrorReason.IN_USE]: ErrorCode.CONFLICT,
});
