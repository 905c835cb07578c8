import pino from 'pino';

/** Structured JSON logs, one object per line on stdout. */
export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'uplift' }, timestamp: pino.stdTimeFunctions.isoTime });
}
