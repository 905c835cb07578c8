/**
 * OFREP's HTTP endpoints, so that OpenFeature's official OFREP providers evaluate Uplift's flags:
 *
 * - `POST /ofrep/v1/evaluate/flags/{key}`: one flag. Reading one flag is the app reading a value,
 *   so the exposure of the experiment that served it (if any) is logged.
 * - `POST /ofrep/v1/evaluate/flags`: every flag, for providers that cache (web). Bulk evaluation
 *   is prefetching, not reading: it logs no exposure. Answers carry an ETag; a request with
 *   `If-None-Match` of the same answer gets 304.
 *
 * Keys: SDK, CLIENT and ADMIN, in `Authorization: Bearer <key>`.
 */
import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { evaluate, servingAssignment } from '../engine/evaluate';
import { isFailure, ofrepEvaluation, userFromRequest, type OfrepFailure } from './ofrep.rules';
import { DomainError } from '../common/errors';
import { Role, type Principal } from '../auth/principal';
import type { Authenticator } from '../auth/authenticator';
import type { SnapshotService } from '../assignment/snapshot.service';
import type { ExposureWriter } from '../events/exposure.writer';
import type { Logger } from '../common/logger';

const ROLES: ReadonlySet<Role> = new Set([Role.SDK, Role.CLIENT, Role.ADMIN]);
const MAX_BODY = '64kb';

export interface OfrepOptions {
  authenticator: Authenticator;
  snapshots: SnapshotService;
  exposures: ExposureWriter;
  logger: Logger;
  now: () => Date;
}

/** 401 and 403 as OFREP expects them: no flag evaluated. */
async function authorised(authenticator: Authenticator, req: Request, res: Response): Promise<boolean> {
  let principal: Principal | null;
  try {
    principal = await authenticator.authenticate(req.headers.authorization);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    res.status(401).json({ errorCode: 'GENERAL', errorDetails: error.message });
    return false;
  }
  if (!principal) {
    res.status(401).json({ errorCode: 'GENERAL', errorDetails: 'This endpoint needs an API key: send "Authorization: Bearer <key>"' });
    return false;
  }
  if (!ROLES.has(principal.role)) {
    res.status(403).json({ errorCode: 'GENERAL', errorDetails: `Role ${principal.role} may not evaluate flags` });
    return false;
  }
  return true;
}

export function ofrepRouter({ authenticator, snapshots, exposures, logger, now }: OfrepOptions): Router {
  const router = express.Router();
  router.use(express.json({ limit: MAX_BODY, type: () => true }));

  router.post('/evaluate/flags/:key', async (req, res) => {
    if (!(await authorised(authenticator, req, res))) return;
    const key = req.params.key;
    const user = userFromRequest(req.body);
    if (isFailure(user)) return void res.status(400).json({ key, ...user });
    const config = snapshots.current();
    const resolution = evaluate(config, user);
    const evaluation = resolution.flags.find((flag) => flag.key === key);
    if (!evaluation) return void res.status(404).json({ key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `No flag "${key}"` } satisfies OfrepFailure & { key: string });
    const assignment = servingAssignment(config, resolution, key);
    if (assignment) exposures.record(user, { ...resolution, experiments: [assignment] }, now());
    res.json(ofrepEvaluation(evaluation, config.version, assignment));
  });

  router.post('/evaluate/flags', async (req, res) => {
    if (!(await authorised(authenticator, req, res))) return;
    const user = userFromRequest(req.body);
    if (isFailure(user)) return void res.status(400).json(user);
    const config = snapshots.current();
    const resolution = evaluate(config, user);
    const body = JSON.stringify({ flags: resolution.flags.map((flag) => ofrepEvaluation(flag, config.version, servingAssignment(config, resolution, flag.key))) });
    // The answer's own hash: it changes exactly when the answer does (configuration or context).
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    res.setHeader('etag', etag);
    res.setHeader('cache-control', 'private, no-cache');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return void res.status(304).end();
    res.type('json').send(body);
  });

  // Malformed JSON: OFREP's PARSE_ERROR rather than Express's page.
  router.use((error: { type?: string }, _req: Request, res: Response, next: (error?: unknown) => void) => {
    if (error?.type === 'entity.parse.failed') return void res.status(400).json({ errorCode: 'PARSE_ERROR', errorDetails: 'The body is not valid JSON' });
    if (error?.type === 'entity.too.large') return void res.status(400).json({ errorCode: 'PARSE_ERROR', errorDetails: `The body is larger than ${MAX_BODY}` });
    logger.error({ err: error }, 'OFREP request failed');
    next(error);
  });
  return router;
}
