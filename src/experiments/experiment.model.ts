/** The experiments' vocabulary as plain data, free of decorators: the entity and the rules build on it. */

export enum ExperimentStatus {
  DRAFT = 'DRAFT',
  RUNNING = 'RUNNING',
  PAUSED = 'PAUSED',
  STOPPED = 'STOPPED',
  ARCHIVED = 'ARCHIVED',
}
