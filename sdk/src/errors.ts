/**
 * What can go wrong, as codes an app can branch on. `retriable` says whether trying the same call
 * again later may succeed (the network, a server restarting or shedding load) or not (a bad key,
 * bad input, a server bug).
 */
export type UpliftErrorCode =
  /** The request did not reach the server or the answer did not come back. Retriable. */
  | 'NETWORK_ERROR'
  /** No answer within the timeout. Retriable. */
  | 'TIMEOUT'
  /** HTTP 502, 503, 504, 408 or 429, or the GraphQL code SERVICE_UNAVAILABLE. Retriable. */
  | 'SERVICE_UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  /** Any other refusal or an HTTP 500: retrying the same request would fail the same way. */
  | 'SERVER_ERROR'
  /** The answer was not the JSON the SDK expects. */
  | 'INVALID_RESPONSE'
  /** Local mode before a configuration arrived (no bootstrap, first fetch not done or failed). */
  | 'NOT_READY'
  /** The client was closed. */
  | 'CLOSED'
  /** No such flag (or experiment) in the configuration. */
  | 'FLAG_NOT_FOUND'
  /** The flag's value is not of the type of the default the app passed. */
  | 'TYPE_MISMATCH'
  /** The configuration uses an operator, rule kind or schema version this SDK does not know: the default is served. */
  | 'UNSUPPORTED_CONFIGURATION'
  /** Only the server can answer (an entitlement that needs the user's behaviour or per-user grants). */
  | 'NEEDS_SERVER'
  /** The app's configuration cache (LocalOptions.cache) failed to load or save; told to onError only, the client goes on without it. */
  | 'CACHE_ERROR';

const RETRIABLE: ReadonlySet<UpliftErrorCode> = new Set(['NETWORK_ERROR', 'TIMEOUT', 'SERVICE_UNAVAILABLE']);

export class UpliftError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly code: UpliftErrorCode,
    message: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
    /** The server's `extensions.reason`, when it gave one. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'UpliftError';
    this.retriable = RETRIABLE.has(code);
  }
}

export function asUpliftError(error: unknown): UpliftError {
  if (error instanceof UpliftError) return error;
  return new UpliftError('SERVER_ERROR', error instanceof Error ? error.message : String(error));
}

const RETRIABLE_STATUSES = new Set([408, 429, 502, 503, 504]);

/** The error an HTTP answer stands for: the GraphQL code when there is one, else the status. */
export function errorFromAnswer(status: number, graphqlCode: string | undefined, message: string, reason?: string): UpliftError {
  if (graphqlCode === 'SERVICE_UNAVAILABLE' || RETRIABLE_STATUSES.has(status)) return new UpliftError('SERVICE_UNAVAILABLE', message, status, reason);
  if (graphqlCode === 'UNAUTHENTICATED' || status === 401) return new UpliftError('UNAUTHENTICATED', message, status, reason);
  if (graphqlCode === 'FORBIDDEN' || status === 403) return new UpliftError('FORBIDDEN', message, status, reason);
  if (graphqlCode === 'BAD_USER_INPUT' || graphqlCode === 'GRAPHQL_VALIDATION_FAILED' || graphqlCode === 'GRAPHQL_PARSE_FAILED') {
    return new UpliftError('BAD_USER_INPUT', message, status, reason);
  }
  return new UpliftError('SERVER_ERROR', message, status, reason);
}
