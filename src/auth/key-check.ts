/**
 * Who calls one of the plain HTTP endpoints (OFREP, the SDK configuration and its update stream,
 * /metrics): one check, so that each refuses a key with the statuses, codes and counting that
 * /graphql uses (docs/errors.md). Each endpoint only words the refusal in its protocol's body.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode, DATABASE_UNAVAILABLE, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../common/errors';
import { AuthErrorReason, authFailureStatus } from './auth.errors';
import { Role, type Principal } from './principal';
import type { Authenticator } from './authenticator';

export interface KeyRefusal {
  status: 401 | 403 | 429 | 503;
  code: ErrorCode;
  reason: string;
  message: string;
  /** Seconds, for 429 and 503. */
  retryAfter?: number;
}

export type KeyCheckResult = { principal: Principal; refused?: undefined } | { principal?: undefined; refused: KeyRefusal };

/** What the check reads of a request: its headers, and Express's parsed query for `keyInAddress: true` (OFREP, served before Express, has none). */
export type KeyRequest = IncomingMessage & { query?: Request['query'] };

export interface KeyRequirement {
  roles: ReadonlySet<Role>;
  /** What the key is for, as the refusals name it: "OFREP", "/metrics". */
  what: string;
  /**
   * Also take a CLIENT key from the address, when no Authorization header is sent: `true` reads
   * `?key=` (browsers' EventSource cannot send headers); a function reads it where the protocol
   * puts it (GrowthBook's SDKs: `/api/features/<key>`). A secret key in an address ends up in
   * proxies' logs, so no other role may come this way.
   */
  keyInAddress?: true | ((req: KeyRequest) => string | undefined);
}

export type KeyCheck = (req: KeyRequest, requirement: KeyRequirement) => Promise<KeyCheckResult>;

export const KEY_IN_ADDRESS = 'KEY_IN_ADDRESS';

/** `countRefusal` hears the reason of every refusal for credentials (for /metrics), not of a database outage. */
export function createKeyCheck(authenticator: Authenticator, countRefusal: (reason: string) => void): KeyCheck {
  const refuse = (refused: KeyRefusal): KeyCheckResult => {
    if (refused.status !== 503) countRefusal(refused.reason);
    return { refused };
  };
  const queryKey = (req: KeyRequest) => (typeof req.query?.key === 'string' ? req.query.key : undefined);
  return async (req, { roles, what, keyInAddress }) => {
    const inAddress = keyInAddress && !req.headers.authorization ? (keyInAddress === true ? queryKey : keyInAddress)(req) : undefined;
    let principal: Principal | null;
    try {
      principal = await authenticator.authenticate(inAddress !== undefined ? `Bearer ${inAddress}` : req.headers.authorization);
    } catch (error) {
      if (error instanceof DomainError) {
        const status = authFailureStatus(error.code) as 401 | 429;
        return refuse({ status, code: error.code, reason: error.reason, message: error.message, ...(status === 429 ? { retryAfter: 1 } : {}) });
      }
      // A key this instance has not seen cannot be checked while the database is away: retriable.
      if (isDatabaseUnavailable(error)) {
        return refuse({ status: 503, code: ErrorCode.SERVICE_UNAVAILABLE, reason: DATABASE_UNAVAILABLE, message: 'The database is unavailable; nothing was done. Retry later.', retryAfter: RETRY_AFTER_SECONDS });
      }
      throw error;
    }
    if (!principal) {
      return refuse({ status: 401, code: ErrorCode.UNAUTHENTICATED, reason: AuthErrorReason.MISSING_KEY, message: `An API key is required for ${what}: send "Authorization: Bearer <key>"` });
    }
    if (inAddress !== undefined && principal.role !== Role.CLIENT) {
      return refuse({ status: 403, code: ErrorCode.FORBIDDEN, reason: KEY_IN_ADDRESS, message: 'Only a CLIENT key may be in the address; send server-side keys in the Authorization header' });
    }
    if (!roles.has(principal.role)) {
      return refuse({ status: 403, code: ErrorCode.FORBIDDEN, reason: AuthErrorReason.ROLE_NOT_ALLOWED, message: `Role ${principal.role} may not use ${what}` });
    }
    return { principal };
  };
}

/** The refusal's status and Retry-After, before the endpoint writes its body. */
export function refusalHead(res: Response, refused: { status: number; retryAfter?: number }): Response {
  if (refused.retryAfter !== undefined) res.setHeader('retry-after', String(refused.retryAfter));
  return res.status(refused.status);
}

/** A refusal as GraphQL words it: `{ errors: [{ message, extensions: { code, reason } }] }`. */
export function sendRefusal(res: Response, refused: Omit<KeyRefusal, 'status'> & { status: number; field?: string }): void {
  refusalHead(res, refused).json({ errors: [{ message: refused.message, extensions: { code: refused.code, reason: refused.reason, ...(refused.field ? { field: refused.field } : {}) } }] });
}
