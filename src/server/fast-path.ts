import type http from 'node:http';
import {
  getOperationAST, GraphQLError, parse, specifiedRules, validate,
  type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { DATABASE_UNAVAILABLE, DomainError, ErrorCode, isDatabaseUnavailable, RETRY_AFTER_SECONDS, unavailableStatus } from '../common/errors';
import type { RequestContext } from '../common/context';
import type { Principal } from '../auth/principal';

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
}

interface FastOperation {
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
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
  return isCompiledQuery(compiled) ? { operation, compiled } : null;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  res.writeHead(status, headers);
  res.end(body);
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

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const raw = await readBody(req, options.maxBodyBytes);
    if (raw === null) return sendJson(res, 413, refusal(`Request body larger than ${options.maxBodyBytes} bytes`, ErrorCode.BAD_USER_INPUT, 'PAYLOAD_TOO_LARGE'));
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, refusal('Request body is not valid JSON', ErrorCode.BAD_USER_INPUT, 'INVALID_JSON'));
    }
    const fast = body && !Array.isArray(body) && typeof body.query === 'string' && body.operationName == null ? compiledFor(body.query) : null;
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
      if (isDatabaseUnavailable(error)) return sendJson(res, 503, UNAVAILABLE);
      if (!(error instanceof DomainError)) throw error;
      return sendJson(res, 401, refusal(error.message, error.code, error.reason));
    }
    const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
    // A promise only if a resolver returned one; resolve's do not.
    const execution = fast.compiled.query(undefined, options.contextFor(principal), variables);
    const result = execution instanceof Promise ? await execution : execution;
    if (!result.errors?.length) return sendJson(res, 200, fast.compiled.stringify(result));
    if (result.data === undefined) {
      // graphql-jit refused the variables before executing anything (for the types these documents
      // can use, it refuses exactly what graphql-js does). Only then run graphql-js's coercion, for
      // Apollo's very answer: its messages, BAD_USER_INPUT, a 400.
      const coerced = getVariableValues(options.schema, fast.operation.variableDefinitions ?? [], variables);
      if (coerced.errors) {
        const errors = coerced.errors.map((error) =>
          options.formatError(new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } })),
        );
        return sendJson(res, 400, JSON.stringify({ errors }));
      }
    }
    const errors = result.errors.map((error) => options.formatError(error));
    sendJson(res, unavailableStatus(errors, result.data) ?? 200, JSON.stringify({ errors, data: result.data }));
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
