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
]);

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
