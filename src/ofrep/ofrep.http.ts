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
import express, { type Request, type Response, type Router } from 'express';
import { evaluate, servingAssignment } from '../engine/evaluate';
import { isFailure, ofrepEvaluation, userFromRequest, type OfrepFailure } from './ofrep.rules';
import { Role } from '../auth/principal';
import { refusalHead, type KeyCheck } from '../auth/key-check';
import type { SnapshotService } from '../assignment/snapshot.service';
import type { ExposureWriter } from '../events/exposure.writer';
import type { Logger } from '../common/logger';
import { etagMatches, etagOf } from '../server/etag';

const ROLES: ReadonlySet<Role> = new Set([Role.SDK, Role.CLIENT, Role.ADMIN]);
const MAX_BODY = '64kb';

export interface OfrepOptions {
  checkKey: KeyCheck;
  snapshots: SnapshotService;
  exposures: ExposureWriter;
  logger: Logger;
  now: () => Date;
}

/** 401, 403, 429 and 503 as the rest of the server answers them, in OFREP's body: no flag evaluated. */
async function authorised(checkKey: KeyCheck, req: Request, res: Response): Promise<boolean> {
  const { refused } = await checkKey(req, { roles: ROLES, what: 'OFREP' });
  if (refused) refusalHead(res, refused).json({ errorCode: 'GENERAL', errorDetails: refused.message });
  return !refused;
}

export function ofrepRouter({ checkKey, snapshots, exposures, logger, now }: OfrepOptions): Router {
  const router = express.Router();
  router.use(express.json({ limit: MAX_BODY, type: () => true }));

  router.post('/evaluate/flags/:key', async (req, res) => {
    if (!(await authorised(checkKey, req, res))) return;
    const key = req.params.key;
    const user = userFromRequest(req.body);
    if (isFailure(user)) return void res.status(400).json({ key, ...user });
    const config = snapshots.current();
    const resolution = evaluate(config, user);
    const evaluation = resolution.flags.find((flag) => flag.key === key);
    if (!evaluation) return void res.status(404).json({ key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `No flag "${key}"` } satisfies OfrepFailure & { key: string });
    const assignment = servingAssignment(config, resolution, key);
    if (assignment) exposures.record(user, { ...resolution, experiments: [assignment] }, now());
    res.json(ofrepEvaluation(evaluation, config.version));
  });

  router.post('/evaluate/flags', async (req, res) => {
    if (!(await authorised(checkKey, req, res))) return;
    const user = userFromRequest(req.body);
    if (isFailure(user)) return void res.status(400).json(user);
    const config = snapshots.current();
    const body = JSON.stringify({ flags: evaluate(config, user).flags.map((flag) => ofrepEvaluation(flag, config.version)) });
    // The answer's own hash: it changes exactly when the answer does (configuration or context).
    const etag = etagOf(body);
    res.setHeader('etag', etag);
    res.setHeader('cache-control', 'private, no-cache');
    if (etagMatches(req.headers['if-none-match'], etag)) return void res.status(304).end();
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
