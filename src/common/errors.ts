import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import type { Logger } from './logger';

/**
 * The codes a client can rely on. Each module names its own reasons (an enum in `x.errors.ts`)
 * and says here, through `DomainError`, which of these codes a reason maps to.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  CONFLICT = 'CONFLICT',
  /** Too many requests of a kind in a short time (HTTP 429, with Retry-After): retry later. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The database is away: nothing was done; retry after `Retry-After` seconds (HTTP 503). */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** A refusal the client caused and can act on: its message is safe to show. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Module-specific reason, e.g. `VERSION_CONFLICT`; stable like `code`. */
    readonly reason: string,
    message: string,
    /** The offending argument, or a path inside the `input` argument, e.g. `variants.1.weight`. */
    readonly field?: string,
    /** Every problem, when there are several (`extensions.problems`): one answer names them all. */
    readonly problems?: FieldProblem[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A module's error constructor: its reasons, each mapped once to the code clients see. */
export function domainErrors<Reason extends string>(codes: Record<Reason, ErrorCode>) {
  return (reason: Reason, message: string, field?: string, problems?: FieldProblem[]): DomainError => new DomainError(codes[reason], reason, message, field, problems);
}

/** Codes produced by graphql-js, Apollo or type-graphql that are safe to pass through as they are. */
const PASS_THROUGH_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.SERVICE_UNAVAILABLE,
]);

/** What a client is told to wait before retrying when the database is away (the `Retry-After` header). */
export const RETRY_AFTER_SECONDS = 5;

/** The reason beside SERVICE_UNAVAILABLE. */
export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

/** Node's socket errors for a server that is not there or went away. */
const UNREACHABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * SQLSTATEs of a server shutting down or starting (57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now) and of class 08, connection exceptions.
 */
const UNAVAILABLE_SQLSTATE = /^(57P0[123]|08[0-9A-Z]{3})$/;
/** pg, pg-pool, PGlite and TypeORM say it in words only. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|PGlite is clos|Cannot use a pool after calling end|connection is not (yet )?established|Connection ended/i;

/**
 * The one place that tells "the database is away" (retriable: SERVICE_UNAVAILABLE) from every
 * other failure. Looks through the wrappers TypeORM, graphql-js and AggregateError put around the
 * driver's error.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown; originalError?: unknown; thrownValue?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNREACHABLE_ERRNOS.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  if (e.name === 'CannotExecuteNotConnectedError') return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // thrownValue: graphql-js's wrapper for a value that is not an Error of its realm (as under jest's VM).
  const inner = [e.driverError, e.cause, e.originalError, e.thrownValue, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((cause) => cause !== undefined && cause !== error && isDatabaseUnavailable(cause, depth + 1));
}

/** What a client meets when the database is away; `http` sets the status on Apollo's path. */
export function serviceUnavailableError(): GraphQLError {
  return new GraphQLError('The database is unavailable; nothing was done. Retry later.', {
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      reason: DATABASE_UNAVAILABLE,
      http: { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) },
    },
  });
}

/**
 * The HTTP status of an executed operation's answer: 503 when it produced no data because the
 * database is away, so that clients and load balancers retry; otherwise undefined (200 stays,
 * with a code on each error, when there is partial data).
 */
export function unavailableStatus(errors: readonly GraphQLFormattedError[] | undefined, data: unknown): 503 | undefined {
  if (!errors?.some((error) => error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) return undefined;
  const produced = data !== null && data !== undefined && Object.values(data as object).some((value) => value !== null);
  return produced ? undefined : 503;
}

export interface FieldProblem {
  field: string;
  message: string;
}

function flattenValidationErrors(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** The error as thrown: graphql-js and Apollo wrap resolver and plugin errors in GraphQLErrors. */
function originalOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/** The one place where every error becomes what the client sees: known refusals keep their code, the rest is masked. */
export function createErrorFormatter(logger: Logger) {
  const unavailable = new OncePerInterval(logger, 'database unavailable: requests answered SERVICE_UNAVAILABLE');
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = originalOf(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

    if (original instanceof DomainError) {
      return {
        ...base,
        message: original.message,
        extensions: {
          code: original.code,
          reason: original.reason,
          ...(original.field ? { field: original.field } : {}),
          ...(original.problems ? { problems: original.problems } : {}),
        },
      };
    }
    if (original instanceof ArgumentValidationError) {
      const problems = flattenValidationErrors(original.extensions.validationErrors as ValidationError[], '');
      const first = problems[0];
      return {
        ...base,
        message: first ? `Invalid value for ${first.field}: ${first.message}` : 'Invalid input',
        extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'VALIDATION_FAILED', field: first?.field, fields: problems },
      };
    }
    if (isDatabaseUnavailable(original)) {
      unavailable.note(original);
      return { message: 'The database is unavailable; nothing was done. Retry later.', path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, reason: DATABASE_UNAVAILABLE } };
    }
    const code = formatted.extensions?.code;
    if (code === 'UNAUTHORIZED') {
      // type-graphql's name for a valid caller without the role; we promise FORBIDDEN.
      return { ...base, extensions: { code: ErrorCode.FORBIDDEN } };
    }
    if (typeof code === 'string' && PASS_THROUGH_CODES.has(code) && (original instanceof GraphQLError || !(original instanceof Error))) {
      const reason = formatted.extensions?.reason;
      return { ...base, extensions: { code, ...(typeof reason === 'string' ? { reason } : {}) } };
    }
    logger.error({ err: original, path: formatted.path }, 'internal error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

/** A warning logged at most once per interval, with how many times it happened since: outages must not flood the log. */
export class OncePerInterval {
  private count = 0;
  private lastAt = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly intervalMs = 10_000,
  ) {}

  note(error?: unknown, count = 1): void {
    this.count += count;
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs) return;
    this.lastAt = now;
    const e = error as { message?: unknown; code?: unknown } | undefined;
    this.logger.warn({ count: this.count, error: e ? { message: String(e.message ?? e), code: e.code } : undefined }, this.message);
    this.count = 0;
  }
}
