import type http from 'node:http';
import {
  getOperationAST, GraphQLError, parse, specifiedRules, validate,
  type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { DATABASE_UNAVAILABLE, DomainError, ErrorCode, isDatabaseUnavailable, unavailableStatus } from '../common/errors';
import { sendJson } from './json-response';
import type { RequestContext } from '../common/context';
import type { Principal } from '../auth/principal';
import { operationKindOf, type OperationKind } from '../observability/metrics';
import { authFailureStatus } from '../auth/auth.errors';
import { InputErrorReason } from '../input/input.errors';
import { costDependsOnVariables, MAX_REQUEST_COST, requestCost, tooCostlyMessage } from './query-cost';

/** The operations apps send all the time; everything else goes through Apollo. */
const FAST_ROOT_FIELDS = new Set(['resolve', 'resolveMany']);
/** Distinct documents kept compiled; apps send a handful, so past this the cache starts over. */
const MAX_COMPILED = 500;

export interface FastPathOptions {
  schema: GraphQLSchema;
  /** The same validation rules (limits) Apollo applies. */
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  maxBodyBytes: number;
  /** Synchronous when the answer is cached. */
  authenticate(authorization: string | undefined): Principal | null | Promise<Principal | null>;
  contextFor(principal: Principal | null): RequestContext;
  formatError(error: unknown): GraphQLFormattedError;
  /** Where everything the fast path does not serve goes (Express and Apollo), with `req.body` already parsed. */
  fallback: http.RequestListener;
  /** Told once per request served here (Apollo's requests are counted by its plugin). */
  metrics: {
    record(kind: OperationKind, failed: boolean, seconds: number): void;
    authFailure(reason: unknown): void;
  };
}

interface FastOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
  /** resolve or resolveMany, worked out once per document. */
  kind: OperationKind;
  /** The request cost when the variables cannot change it (resolve); null when it is counted per request (resolveMany's list). */
  cost: number | null;
}

/** A document is served here only if it parses, validates, and asks for nothing but the fast fields. */
export function compileIfFast(schema: GraphQLSchema, rules: readonly ValidationRule[], maxTokens: number, query: string): FastOperation | null {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch {
    return null;
  }
  const operation = document.definitions.length === 1 ? getOperationAST(document) : null;
  if (!operation || operation.operation !== 'query') return null;
  if (!operation.selectionSet.selections.every((s) => s.kind === 'Field' && FAST_ROOT_FIELDS.has(s.name.value))) return null;
  if (validate(schema, document, [...specifiedRules, ...rules]).length > 0) return null;
  // graphql-jit's compiled serialiser cannot type the JSON scalar (payloads, flag values): plain JSON.stringify.
  const compiled = compileQuery(schema, document);
  if (!isCompiledQuery(compiled)) return null;
  return {
    document,
    operation,
    compiled,
    kind: operationKindOf(operation.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : ''))),
    cost: costDependsOnVariables(operation) ? null : requestCost(schema, document, operation, undefined),
  };
}

/** The body was not received whole: the client went away, or the server's request timeout cut it (REQUEST_TIMEOUTS in http.ts). */
export const BODY_ABORTED = Symbol('body aborted');

/** The body as text, null when above the limit, BODY_ABORTED when the connection closed first. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string | null | typeof BODY_ABORTED> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8')));
    // A connection closed before the body was whole (the client went away, or the request timeout
    // cut it) is an 'aborted' error on the request.
    req.on('error', (error) => (req.complete ? reject(error) : resolve(BODY_ABORTED)));
  });
}

const UNAVAILABLE = refusal('The database is unavailable; nothing was done. Retry later.', ErrorCode.SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE);

export function refusal(message: string, code: ErrorCode, reason: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, reason } }] });
}

/**
 * The lean path for resolve, behind the same `/graphql` endpoint and with the same GraphQL
 * semantics (same schema, resolvers, role checks, validation, limits and error formatting), but
 * without Express and Apollo's per-request pipeline: each distinct document is parsed, validated
 * and compiled (graphql-jit) once.
 */
export function createFastPath(options: FastPathOptions): http.RequestListener {
  const compiled = new Map<string, FastOperation | null>();

  const compiledFor = (query: string): FastOperation | null => {
    let entry = compiled.get(query);
    if (entry === undefined) {
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      entry = compileIfFast(options.schema, options.validationRules, options.maxTokens, query);
      compiled.set(query, entry);
    }
    return entry;
  };

  const { metrics } = options;
  /** The answer, and the request counted: one clock reading at each end (performance.now(): monotonic, and no BigInt to allocate). */
  const reply = (res: http.ServerResponse, status: number, body: string, kind: OperationKind, failed: boolean, started: number): void => {
    sendJson(res, status, body);
    metrics.record(kind, failed, (performance.now() - started) / 1000);
  };

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = performance.now();
    const raw = await readBody(req, options.maxBodyBytes);
    if (raw === BODY_ABORTED) return;
    if (raw === null) return reply(res, 413, refusal(`Request body larger than ${options.maxBodyBytes} bytes`, ErrorCode.BAD_USER_INPUT, 'PAYLOAD_TOO_LARGE'), 'other', true, started);
    let body: { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown };
    try {
      body = JSON.parse(raw);
    } catch {
      return reply(res, 400, refusal('Request body is not valid JSON', ErrorCode.BAD_USER_INPUT, 'INVALID_JSON'), 'other', true, started);
    }
    // Extensions (persisted queries) are Apollo's to check.
    const fast = body && !Array.isArray(body) && typeof body.query === 'string' && body.operationName == null && body.extensions == null ? compiledFor(body.query) : null;
    if (!fast) {
      (req as http.IncomingMessage & { body: unknown }).body = body;
      return options.fallback(req, res);
    }
    let principal: Principal | null;
    try {
      // Awaited only when it is a promise: every await costs a turn of the microtask queue.
      const answer = options.authenticate(req.headers.authorization);
      principal = answer instanceof Promise ? await answer : answer;
    } catch (error) {
      if (isDatabaseUnavailable(error)) return reply(res, 503, UNAVAILABLE, fast.kind, true, started);
      if (!(error instanceof DomainError)) throw error;
      metrics.authFailure(error.reason);
      const status = authFailureStatus(error.code);
      if (status === 429) res.setHeader('retry-after', '1');
      return reply(res, status, refusal(error.message, error.code, error.reason), fast.kind, true, started);
    }
    const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
    const cost = fast.cost ?? requestCost(options.schema, fast.document, fast.operation, variables);
    if (cost > MAX_REQUEST_COST) return reply(res, 400, refusal(tooCostlyMessage(cost), ErrorCode.BAD_USER_INPUT, InputErrorReason.QUERY_TOO_COSTLY), fast.kind, true, started);
    // A promise only if a resolver returned one; resolve's do not.
    const context = options.contextFor(principal);
    const execution = fast.compiled.query(undefined, context, variables);
    const result = execution instanceof Promise ? await execution : execution;
    // A refused request (data null, e.g. one alias of resolve failed) logs no exposures.
    if (result.data != null) context.commitExposures();
    if (!result.errors?.length) return reply(res, 200, fast.compiled.stringify(result), fast.kind, false, started);
    if (result.data === undefined) {
      // graphql-jit refused the variables before executing anything (for the types these documents
      // can use, it refuses exactly what graphql-js does). Only then run graphql-js's coercion, for
      // Apollo's very answer: its messages, BAD_USER_INPUT, a 400.
      const coerced = getVariableValues(options.schema, fast.operation.variableDefinitions ?? [], variables);
      if (coerced.errors) {
        const errors = coerced.errors.map((error) =>
          options.formatError(new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } })),
        );
        return reply(res, 400, JSON.stringify({ errors }), fast.kind, true, started);
      }
    }
    const errors = result.errors.map((error) => options.formatError(error));
    // As Apollo answers (src/server/http.ts): an operation that needed a key it did not get is a 401;
    // one that produced nothing because the database is away, a 503.
    const status = errors.some((error) => error.extensions?.code === ErrorCode.UNAUTHENTICATED) ? 401 : (unavailableStatus(errors, result.data) ?? 200);
    reply(res, status, JSON.stringify({ errors, data: result.data }), fast.kind, true, started);
  };

  return (req, res) => {
    const contentType = req.headers['content-type'] ?? '';
    if (req.method !== 'POST' || req.url !== '/graphql' || !contentType.startsWith('application/json')) return options.fallback(req, res);
    serve(req, res).catch((error) => {
      options.formatError(error);
      if (!res.headersSent && isDatabaseUnavailable(error)) sendJson(res, 503, UNAVAILABLE);
      else if (!res.headersSent) sendJson(res, 500, refusal('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR, 'INTERNAL'));
    });
  };
}
