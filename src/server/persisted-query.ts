import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ErrorCode } from '../common/errors';
import { refusal } from './fast-path';

export const PERSISTED_QUERY_HASH_MISMATCH = 'PERSISTED_QUERY_HASH_MISMATCH';

/**
 * Automatic persisted queries: a query sent with a hash that is not its SHA-256 is the client's
 * mistake. Apollo answers it with a GraphQLError without a code, which our formatter would mask as
 * INTERNAL_SERVER_ERROR; refused here with a code the client can act on.
 */
export const persistedQueryHashCheck: RequestHandler = (req, res, next) => {
  const body = req.body as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } } | undefined;
  const hash = body?.extensions?.persistedQuery?.sha256Hash;
  if (typeof body?.query === 'string' && typeof hash === 'string' && createHash('sha256').update(body.query).digest('hex') !== hash) {
    res.status(400).type('json').send(refusal('provided sha256Hash does not match the query', ErrorCode.BAD_USER_INPUT, PERSISTED_QUERY_HASH_MISMATCH));
    return;
  }
  next();
};
