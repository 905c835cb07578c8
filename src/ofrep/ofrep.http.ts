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
 *
 * Served on Node's own request listener, in front of Express, as resolve's fast path is: web
 * providers ask for every flag on each page load and context change, and Express's routing, body
 * parsing and per-request log line cost several times the evaluation itself. Every other path
 * goes on to `next`.
 */
import type http from 'node:http';
import { evaluate, evaluateFlags, servingAssignment } from '../engine/evaluate';
import type { ConfigSnapshot, FlagEvaluation, JsonValue, Resolution } from '../engine/snapshot';
import { isFailure, ofrepEvaluation, userFromRequest, type OfrepFailure } from './ofrep.rules';
import { Role } from '../auth/principal';
import type { KeyCheck } from '../auth/key-check';
import { BODY_ABORTED, readBody } from '../server/fast-path';
import { etagMatches, etagOf } from '../server/etag';
import { sendJson } from '../server/json-response';
import type { SnapshotService } from '../assignment/snapshot.service';
import type { ExposureWriter } from '../events/exposure.writer';
import type { Logger } from '../common/logger';

const ROLES: ReadonlySet<Role> = new Set([Role.SDK, Role.CLIENT, Role.ADMIN]);
const MAX_BODY_BYTES = 64 * 1024;
const BULK_PATH = '/ofrep/v1/evaluate/flags';
const ONE_FLAG_PREFIX = `${BULK_PATH}/`;

export interface OfrepOptions {
  checkKey: KeyCheck;
  snapshots: SnapshotService;
  exposures: ExposureWriter;
  logger: Logger;
  now: () => Date;
  /** Everything that is not an OFREP evaluation. */
  next: http.RequestListener;
}

const failure = (errorCode: OfrepFailure['errorCode'], errorDetails: string, key?: string) => JSON.stringify(key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails });

/**
 * Each distinct flag answer, serialised once per configuration. A flag has a handful of answers
 * (its rules' values, its variants' values, its default, each with its reason), and the values are
 * the configuration's own objects, so an answer is known by its parts and its value's identity;
 * serialising was the larger part of a bulk answer's cost.
 */
const MAX_VALUES_PER_ANSWER = 64;
const serialisedAnswers = new WeakMap<ConfigSnapshot, Map<string, Map<JsonValue, string>>>();

function serialisedAnswer(config: ConfigSnapshot, resolution: Resolution, evaluation: FlagEvaluation): string {
  let answers = serialisedAnswers.get(config);
  if (answers === undefined) serialisedAnswers.set(config, (answers = new Map()));
  const servedBy = servingAssignment(config, resolution, evaluation.key);
  const parts = `${evaluation.key}\n${evaluation.reason}\n${evaluation.variant}\n${evaluation.errorCode}\n${servedBy?.experimentKey}`;
  let byValue = answers.get(parts);
  if (byValue === undefined) answers.set(parts, (byValue = new Map()));
  let text = byValue.get(evaluation.value);
  if (text === undefined) {
    text = JSON.stringify(ofrepEvaluation(evaluation, config.version, servedBy));
    // Bounded, should the engine ever hand out values that are not the configuration's own.
    if (byValue.size < MAX_VALUES_PER_ANSWER) byValue.set(evaluation.value, text);
  }
  return text;
}

export function ofrepListener({ checkKey, snapshots, exposures, logger, now, next }: OfrepOptions): http.RequestListener {
  /** Whether the key may evaluate; if not, the refusal (401, 403, 429 or 503, as the rest of the server answers) is sent in OFREP's body. */
  const authorised = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const { refused } = await checkKey(req, { roles: ROLES, what: 'OFREP' });
    if (refused) sendJson(res, refused.status, failure('GENERAL', refused.message), refused.retryAfter !== undefined ? { 'retry-after': String(refused.retryAfter) } : {});
    return !refused;
  };

  /** The request's body as JSON, or null once a refusal was sent (or the client went away). */
  const bodyOf = async (req: http.IncomingMessage, res: http.ServerResponse, key: string | undefined): Promise<{ json: unknown } | null> => {
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === BODY_ABORTED) return null;
    if (raw === null) {
      sendJson(res, 400, failure('PARSE_ERROR', `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`, key));
      return null;
    }
    try {
      return { json: JSON.parse(raw) };
    } catch {
      sendJson(res, 400, failure('PARSE_ERROR', 'The body is not valid JSON', key));
      return null;
    }
  };

  const oneFlag = async (req: http.IncomingMessage, res: http.ServerResponse, key: string): Promise<void> => {
    const body = await bodyOf(req, res, key);
    if (!body || !(await authorised(req, res))) return;
    const user = userFromRequest(body.json);
    if (isFailure(user)) return sendJson(res, 400, JSON.stringify({ key, ...user }));
    const config = snapshots.current();
    const resolution = evaluate(config, user);
    const evaluation = resolution.flags.find((flag) => flag.key === key);
    if (!evaluation) return sendJson(res, 404, failure('FLAG_NOT_FOUND', `No flag "${key}"`, key));
    const assignment = servingAssignment(config, resolution, key);
    if (assignment) exposures.record(user, { ...resolution, experiments: [assignment] }, now());
    sendJson(res, 200, JSON.stringify(ofrepEvaluation(evaluation, config.version, assignment)));
  };

  const bulk = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const body = await bodyOf(req, res, undefined);
    if (!body || !(await authorised(req, res))) return;
    const user = userFromRequest(body.json);
    if (isFailure(user)) return sendJson(res, 400, JSON.stringify(user));
    const config = snapshots.current();
    const resolution = evaluateFlags(config, user);
    const answer = `{"flags":[${resolution.flags.map((flag) => serialisedAnswer(config, resolution, flag)).join(',')}]}`;
    // The answer's own hash: it changes exactly when the answer does (configuration or context).
    const etag = etagOf(answer);
    const headers = { etag, 'cache-control': 'private, no-cache' };
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      return void res.end();
    }
    sendJson(res, 200, answer, headers);
  };

  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !url.startsWith(BULK_PATH)) return next(req, res);
    const path = url.split('?', 1)[0];
    let served: Promise<void>;
    if (path === BULK_PATH) served = bulk(req, res);
    else if (path.startsWith(ONE_FLAG_PREFIX) && path.length > ONE_FLAG_PREFIX.length && !path.includes('/', ONE_FLAG_PREFIX.length)) {
      let key: string;
      try {
        key = decodeURIComponent(path.slice(ONE_FLAG_PREFIX.length));
      } catch {
        return sendJson(res, 400, failure('PARSE_ERROR', 'The flag key in the address is not valid percent-encoding'));
      }
      served = oneFlag(req, res, key);
    } else return next(req, res);
    served.catch((error) => {
      logger.error({ err: error }, 'OFREP request failed');
      if (!res.headersSent) sendJson(res, 500, failure('GENERAL', 'Internal server error'));
    });
  };
}
