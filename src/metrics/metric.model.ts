/** The metrics' vocabulary as plain data, free of decorators: the entity and the GraphQL types build on it. */

export enum MetricKind {
  CONVERSION = 'CONVERSION',
  RETENTION = 'RETENTION',
  MEAN = 'MEAN',
  COUNT = 'COUNT',
  RATIO = 'RATIO',
  /** Share of exposed users meeting the teams' genuine-activity rule (GENUINE_ACTIVITY_RULE) within the window. */
  GENUINE_ACTIVITY = 'GENUINE_ACTIVITY',
  /** Share of exposed users active on some day of the window but meeting none of the rule's conditions. */
  HOLLOW_ACTIVITY = 'HOLLOW_ACTIVITY',
}

export enum ValueSource {
  /** How many events. */
  EVENT_COUNT = 'EVENT_COUNT',
  /** The sum of the events' values. */
  VALUE_SUM = 'VALUE_SUM',
}

/** A metric's definition as plain data: what metric.rules.ts and the aggregation reason about. */
export interface MetricConfig {
  name: string;
  description: string | null;
  kind: MetricKind;
  eventTypes: string[];
  windowDays: number | null;
  retentionDay: number | null;
  numeratorSource: ValueSource | null;
  denominatorEventTypes: string[] | null;
  denominatorSource: ValueSource | null;
  capValue: number | null;
  capPercentile: number | null;
  higherIsBetter: boolean;
  alertBelow: number | null;
  alertAbove: number | null;
  /** As a guardrail: a treatment arm this far below control (absolute lift, in the metric's unit) puts the experiment at risk. */
  alertDropBelowControl?: number | null;
}
