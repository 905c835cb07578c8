import pino from 'pino';

/** Structured JSON logs, one object per line on stdout. */
export type Logger = pino.Logger;

/** `destination` is stdout unless a test captures the lines. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'uplift' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
