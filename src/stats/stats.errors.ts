import { domainErrors, ErrorCode } from '../common/errors';

export enum StatsErrorReason {
  /** Inputs no data could produce (more conversions than users, alpha outside (0, 1), ...). */
  INVALID_STATISTICS_INPUT = 'INVALID_STATISTICS_INPUT',
  /** Valid inputs with no answer, e.g. no rate reaches the requested power with that many users. */
  NOT_ACHIEVABLE = 'NOT_ACHIEVABLE',
}

export const statsError = domainErrors<StatsErrorReason>({
  [StatsErrorReason.INVALID_STATISTICS_INPUT]: ErrorCode.BAD_USER_INPUT,
  [StatsErrorReason.NOT_ACHIEVABLE]: ErrorCode.BAD_USER_INPUT,
});
