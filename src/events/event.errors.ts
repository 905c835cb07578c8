import { domainErrors, ErrorCode } from '../common/errors';

export enum EventErrorReason {
  TOO_MANY_EVENTS = 'TOO_MANY_EVENTS',
}

export const eventError = domainErrors<EventErrorReason>({
  [EventErrorReason.TOO_MANY_EVENTS]: ErrorCode.BAD_USER_INPUT,
});
