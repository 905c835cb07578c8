import { domainErrors, ErrorCode } from '../common/errors';

export enum FlagErrorReason {
  FLAG_NOT_FOUND = 'FLAG_NOT_FOUND',
  KEY_TAKEN = 'KEY_TAKEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  INVALID_FLAG = 'INVALID_FLAG',
  ARCHIVED = 'ARCHIVED',
}

export const flagError = domainErrors<FlagErrorReason>({
  [FlagErrorReason.FLAG_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [FlagErrorReason.KEY_TAKEN]: ErrorCode.CONFLICT,
  [FlagErrorReason.VERSION_CONFLICT]: ErrorCode.CONFLICT,
  [FlagErrorReason.INVALID_FLAG]: ErrorCode.BAD_USER_INPUT,
  [FlagErrorReason.ARCHIVED]: ErrorCode.CONFLICT,
});
