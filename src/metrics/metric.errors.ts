import { domainErrors, ErrorCode } from '../common/errors';

export enum MetricErrorReason {
  METRIC_NOT_FOUND = 'METRIC_NOT_FOUND',
  KEY_TAKEN = 'KEY_TAKEN',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  INVALID_METRIC = 'INVALID_METRIC',
  METRIC_IN_USE = 'METRIC_IN_USE',
}

export const metricError = domainErrors<MetricErrorReason>({
  [MetricErrorReason.METRIC_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [MetricErrorReason.KEY_TAKEN]: ErrorCode.CONFLICT,
  [MetricErrorReason.VERSION_CONFLICT]: ErrorCode.CONFLICT,
  [MetricErrorReason.INVALID_METRIC]: ErrorCode.BAD_USER_INPUT,
  [MetricErrorReason.METRIC_IN_USE]: ErrorCode.CONFLICT,
});
