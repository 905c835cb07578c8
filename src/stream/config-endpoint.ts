/**
 * `GET /sdk/v1/config`: the SDK configuration over plain HTTP, for polling. The body is exactly
 * what GraphQL's `sdkConfig` returns for the same key (and `?userId=` for CLIENT keys), serialised
 * once per version (src/assignment/sdk-config.ts). Answers carry an ETag; a request whose
 * `If-None-Match` names the current one gets 304 with no body, so a poll that finds nothing new
 * costs a few hundred bytes.
 */
import type { RequestHandler } from 'express';
import { DomainError } from '../common/errors';
import { Role } from '../auth/principal';
import { sendRefusal, type KeyCheck } from '../auth/key-check';
import { sdkConfigEtag, sdkConfigJson, type SdkConfigReader } from '../assignment/sdk-config';
import type { SnapshotService } from '../assignment/snapshot.service';
import { etagMatches } from '../server/etag';

/** Those of sdkConfig (its @Authorized roles). */
const ROLES: ReadonlySet<Role> = new Set([Role.SDK, Role.CLIENT, Role.ADMIN]);

export function configEndpoint({ snapshots, checkKey }: { snapshots: SnapshotService; checkKey: KeyCheck }): RequestHandler {
  return async (req, res) => {
    const { principal, refused } = await checkKey(req, { roles: ROLES, what: 'the SDK configuration' });
    if (refused) return void sendRefusal(res, refused);
    const config = snapshots.current();
    const reader: SdkConfigReader = { clientSide: principal.role === Role.CLIENT, userId: typeof req.query.userId === 'string' ? req.query.userId : undefined };
    let body: string;
    try {
      body = sdkConfigJson(config, reader);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return void sendRefusal(res, { status: 400, code: error.code, reason: error.reason, message: error.message, field: error.field });
    }
    const etag = sdkConfigEtag(config, reader);
    res.setHeader('etag', etag);
    // Each key reads its own answer: caches must ask again, and never hand one key's to another.
    res.setHeader('cache-control', 'private, no-cache');
    res.vary('Authorization');
    if (etagMatches(req.headers['if-none-match'], etag)) return void res.status(304).end();
    res.type('json').send(body);
  };
}
