import { MetricKind, type MetricConfig } from './metric.model';
import { EVENT_TYPE_PATTERN } from '../events/event.rules';
import type { Problem } from '../targeting/targeting.rules';

export const MAX_EVENT_TYPES = 20;
/** The longest window or retention day: events are kept 400 days, and a year covers every use seen. */
export const MAX_DAYS = 365;
/** The pre-exposure period compared against for variance reduction (CUPED), in UTC days. */
export const PRE_PERIOD_DAYS = 14;

type NumericField = 'windowDays' | 'retentionDay';
type OwnField = NumericField | 'numeratorSource' | 'denominatorEventTypes' | 'denominatorSource' | 'capValue' | 'capPercentile';

/** Which optional fields each kind uses: any other one set is a mistake worth refusing. */
const FIELDS_OF: Record<MetricKind, OwnField[]> = {
  [MetricKind.CONVERSION]: ['windowDays'],
  [MetricKind.RETENTION]: ['retentionDay'],
  [MetricKind.MEAN]: ['windowDays', 'capValue', 'capPercentile'],
  [MetricKind.COUNT]: ['windowDays', 'capValue', 'capPercentile'],
  [MetricKind.RATIO]: ['windowDays', 'numeratorSource', 'denominatorEventTypes', 'denominatorSource'],
  [MetricKind.GENUINE_ACTIVITY]: ['windowDays'],
  [MetricKind.HOLLOW_ACTIVITY]: ['windowDays'],
};

/**
 * The teams' genuine-activity rule (docs/concepts.md): within the window a user paid more than
 * `paidAbove` (the sum of `payment` values), or made `posts` or more `post` events within some
 * `postDays` consecutive days, or left `reactions` or more `comment` and `like` events together.
 * Raw activity misleads (an app doubled DAU while paid conversion fell), so this, not activity, is
 * what GENUINE_ACTIVITY and HOLLOW_ACTIVITY metrics measure.
 */
export const GENUINE_ACTIVITY_RULE = {
  paymentEvent: 'payment',
  paidAbove: 100,
  postEvent: 'post',
  posts: 3,
  postDays: 7,
  reactionEvents: ['comment', 'like'],
  reactions: 10,
} as const;

/** Kinds whose per-user value is the activity rule's verdict: recomputed whole, never summed (src/analytics/metric-values.ts). */
export function isActivityQuality(kind: MetricKind): boolean {
  return kind === MetricKind.GENUINE_ACTIVITY || kind === MetricKind.HOLLOW_ACTIVITY;
}
const OPTIONAL_FIELDS: OwnField[] = ['windowDays', 'retentionDay', 'numeratorSource', 'denominatorEventTypes', 'denominatorSource', 'capValue', 'capPercentile'];

function eventTypeProblems(field: string, types: string[], allowEmpty: boolean): Problem[] {
  const problems: Problem[] = [];
  if (!allowEmpty && types.length === 0) problems.push({ field, message: 'needs at least one event type' });
  if (types.length > MAX_EVENT_TYPES) problems.push({ field, message: `at most ${MAX_EVENT_TYPES} event types` });
  types.forEach((type, i) => {
    if (!EVENT_TYPE_PATTERN.test(type)) problems.push({ field: `${field}.${i}`, message: `"${type}" is not an event type (lower-case letters, digits, _ . : or -)` });
  });
  if (new Set(types).size !== types.length) problems.push({ field, message: 'event types must not repeat' });
  return problems;
}

/** Problems any saved metric definition must be free of. */
export function metricProblems(config: MetricConfig): Problem[] {
  const own = FIELDS_OF[config.kind];
  const problems: Problem[] = [];
  for (const field of OPTIONAL_FIELDS) {
    if (!own.includes(field) && config[field] !== null) problems.push({ field, message: `is not used by ${config.kind} metrics; leave it out` });
  }
  if (isActivityQuality(config.kind)) {
    if (config.eventTypes.length > 0) problems.push({ field: 'eventTypes', message: `is not used by ${config.kind} metrics (the activity rule names its events); leave it empty` });
  } else problems.push(...eventTypeProblems('eventTypes', config.eventTypes, config.kind === MetricKind.RETENTION));
  const days = (field: NumericField) => {
    const value = config[field];
    if (value === null) problems.push({ field, message: `is required for ${config.kind} metrics` });
    else if (!Number.isInteger(value) || value < 1 || value > MAX_DAYS) problems.push({ field, message: `must be a whole number of days from 1 to ${MAX_DAYS}` });
  };
  if (own.includes('windowDays')) days('windowDays');
  if (own.includes('retentionDay')) days('retentionDay');
  if (config.kind === MetricKind.RATIO) {
    if (config.numeratorSource === null) problems.push({ field: 'numeratorSource', message: 'is required for RATIO metrics' });
    if (config.denominatorSource === null) problems.push({ field: 'denominatorSource', message: 'is required for RATIO metrics' });
    if (config.denominatorEventTypes === null) problems.push({ field: 'denominatorEventTypes', message: 'is required for RATIO metrics' });
    else problems.push(...eventTypeProblems('denominatorEventTypes', config.denominatorEventTypes, false));
  }
  if (config.capValue !== null && config.capPercentile !== null) problems.push({ field: 'capPercentile', message: 'cap at a value or at a percentile, not both' });
  if (config.capValue !== null && !(config.capValue > 0)) problems.push({ field: 'capValue', message: 'must be above 0' });
  if (config.capPercentile !== null && !(config.capPercentile > 0 && config.capPercentile < 1)) {
    problems.push({ field: 'capPercentile', message: 'must be strictly between 0 and 1, e.g. 0.99' });
  }
  if (config.alertBelow !== null && config.alertAbove !== null && config.alertBelow >= config.alertAbove) {
    problems.push({ field: 'alertAbove', message: 'must be above alertBelow' });
  }
  const drop = config.alertDropBelowControl ?? null;
  if (drop !== null && !(drop > 0 && Number.isFinite(drop))) problems.push({ field: 'alertDropBelowControl', message: 'must be above 0: how far below control an arm may fall' });
  return problems;
}

/** Conversion and retention measure a share of users (0/1 per user); the others a mean or a ratio of sums. */
export function isProportion(kind: MetricKind): boolean {
  return kind === MetricKind.CONVERSION || kind === MetricKind.RETENTION || isActivityQuality(kind);
}

/**
 * How many UTC days after the exposure day a user's value needs before it is final: a user enters a
 * metric's analysis only once this many days, counting the exposure day as day 0, have passed.
 */
export function daysObserved(config: Pick<MetricConfig, 'kind' | 'windowDays' | 'retentionDay'>): number {
  return config.kind === MetricKind.RETENTION ? config.retentionDay! + 1 : config.windowDays!;
}
