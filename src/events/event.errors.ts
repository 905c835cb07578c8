import { domainErrors, ErrorCode } from '../common/errors';

export enum EventErrorReason {
  TOO_MANY_EVENTS = 'TOO_MANY_EVENTS',
  TOO_MANY_EXPOSURES = 'TOO_MANY_EXPOSURES',
}

export const eventError = domainErrors<EventErrorReason>({
  [EventErrorReason.TOO_MANY_EVENTS]: ErrorCode.BAD_USER_INPUT,
  [EventErrorReason.TOO_MANY_EXPOSURES]: ErrorCode.BAD_USER_INPUT,
});
