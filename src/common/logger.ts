import pino from 'pino';

/** Structured JSON logs, one object per line on stdout. */
export type Logger = pino.Logger;

/** No line is longer than this (bytes, newline included): a bigger one is rebuilt with its fields cut short. */
export const MAX_LOG_LINE_BYTES = 16 * 1024;
/** Each string of an oversized line is cut to this, each array to the first few items. */
const MAX_FIELD_CHARS = 1_024;
const MAX_ARRAY_ITEMS = 10;
const MAX_DEPTH = 4;
export const REDACTED = '[redacted]';

/**
 * What a key looks like, wherever it is: our keys (`upl_…`, and any longer `upl…_` prefix a later
 * format may take), a Bearer credential, and any long run of URL-safe characters mixing upper case,
 * lower case and digits (random secrets do; hex hashes, UUIDs, names and paths do not).
 */
const PREFIXED_KEY = /\b(?:upl_[A-Za-z0-9_-]{6,}|upl[a-z]{1,3}_[A-Za-z0-9_-]{20,})/g;
const BEARER = /(Bearer\s+)[^\s"\\,;]+/gi;
const TOKEN_RUN = /[A-Za-z0-9_-]{32,}/g;
const looksRandom = (run: string) => /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);

/** Replaces everything key-shaped in `text`, and each of `secrets` (exact strings known to be secret). */
export function scrubKeys(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out
    .replace(BEARER, `$1${REDACTED}`)
    .replace(PREFIXED_KEY, REDACTED)
    .replace(TOKEN_RUN, (run) => (looksRandom(run) ? REDACTED : run));
}

/**
 * A URL as logged: every path segment and query value that could be a key is scrubbed (some client
 * protocols carry keys there, e.g. `/api/features/<key>`, `/sub/<key>`, `?apiKey=<key>`); query
 * values are dropped altogether (they may hold a whole GraphQL document), their names kept.
 */
export function redactUrl(url: string): string {
  const [path, query] = splitOnce(url, '?');
  const segments = path.split('/').map((segment) => (segment.length >= 20 && /^[A-Za-z0-9_.~%-]+$/.test(segment) ? REDACTED : segment));
  const names = query === undefined ? '' : `?${query.split('&').map((pair) => splitOnce(pair, '=')[0].slice(0, 64)).join('&')}`;
  return scrubKeys(segments.join('/') + names);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Errors as logged: kind, message, the database's code and detail, and a short stack. Never their
 * other properties (TypeORM's QueryFailedError carries the statement's every parameter: a whole
 * batch of exposures).
 */
function smallError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? error.slice(0, MAX_FIELD_CHARS) : error;
  const withCode = error as Error & { code?: unknown; detail?: unknown; cause?: unknown };
  return {
    type: error.constructor?.name ?? 'Error',
    message: error.message.slice(0, MAX_FIELD_CHARS),
    ...(typeof withCode.code === 'string' || typeof withCode.code === 'number' ? { code: withCode.code } : {}),
    ...(typeof withCode.detail === 'string' ? { detail: withCode.detail.slice(0, MAX_FIELD_CHARS) } : {}),
    ...(error.stack ? { stack: error.stack.split('\n').slice(0, 8).join('\n').slice(0, 2 * MAX_FIELD_CHARS) } : {}),
    ...(withCode.cause instanceof Error ? { cause: { type: withCode.cause.constructor?.name, message: withCode.cause.message.slice(0, MAX_FIELD_CHARS) } } : {}),
  };
}

function shorten(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…[${value.length} chars]` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ARRAY_ITEMS).map((item) => shorten(item, depth + 1));
    return value.length > MAX_ARRAY_ITEMS ? [...kept, `…[${value.length} items]`] : kept;
  }
  return Object.fromEntries(Object.entries(value).slice(0, 50).map(([key, item]) => [key, shorten(item, depth + 1)]));
}

/** A serialised line of at most MAX_LOG_LINE_BYTES: cut field by field, and as a last resort reduced to its level, time and message. */
function capLine(line: string): string {
  if (line.length * 3 <= MAX_LOG_LINE_BYTES || Buffer.byteLength(line) <= MAX_LOG_LINE_BYTES) return line;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `${JSON.stringify({ msg: 'log line too long', truncated: true, start: line.slice(0, MAX_FIELD_CHARS) })}\n`;
  }
  const bytes = Buffer.byteLength(line);
  const shortened = `${JSON.stringify({ ...(shorten(parsed, 0) as object), truncated: true, originalBytes: bytes })}\n`;
  if (Buffer.byteLength(shortened) <= MAX_LOG_LINE_BYTES) return shortened;
  const { level, time, service, msg } = parsed;
  return `${JSON.stringify({ level, time, service, msg: shorten(msg, 0), truncated: true, originalBytes: bytes })}\n`;
}

export interface LoggerOptions {
  /** Exact strings never to write (e.g. the configured admin key, which may have any shape). */
  secrets?: readonly string[];
  /** Where lines go: stdout unless given (tests capture them). */
  destination?: pino.DestinationStream;
}

/**
 * Every module logs through this, so the rules hold everywhere: headers' credentials are redacted
 * by path, errors are kept small, anything key-shaped is scrubbed from the finished line, and no
 * line exceeds MAX_LOG_LINE_BYTES.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 8).flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);
  const settings: pino.LoggerOptions = {
    level,
    base: { service: 'uplift' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: smallError, error: smallError },
    redact: {
      paths: ['authorization', 'headers.authorization', 'req.headers.authorization', '*.headers.authorization', 'adminKey', 'secret', '*.secret'],
      censor: REDACTED,
    },
    hooks: { streamWrite: (line) => capLine(scrubKeys(line, secrets)) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
