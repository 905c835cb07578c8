import { domainErrors, ErrorCode } from '../common/errors';

export enum ExperimentErrorReason {
  EXPERIMENT_NOT_FOUND = 'EXPERIMENT_NOT_FOUND',
  KEY_TAKEN = 'KEY_TAKEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  FIELD_LOCKED = 'FIELD_LOCKED',
  INVALID_EXPERIMENT = 'INVALID_EXPERIMENT',
  NOT_READY_TO_START = 'NOT_READY_TO_START',
}

/** The module's reasons, mapped to the API's codes in this one place. */
export const experimentError = domainErrors<ExperimentErrorReason>({
  [ExperimentErrorReason.EXPERIMENT_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [ExperimentErrorReason.KEY_TAKEN]: ErrorCode.CONFLICT,
  [ExperimentErrorReason.VERSION_CONFLICT]: ErrorCode.CONFLICT,
  [ExperimentErrorReason.INVALID_TRANSITION]: ErrorCode.CONFLICT,
  [ExperimentErrorReason.FIELD_LOCKED]: ErrorCode.CONFLICT,
  [ExperimentErrorReason.INVALID_EXPERIMENT]: ErrorCode.BAD_USER_INPUT,
  [ExperimentErrorReason.NOT_READY_TO_START]: ErrorCode.BAD_USER_INPUT,
});
