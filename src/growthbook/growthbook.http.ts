/**
 * `GET /api/features/<key>`: the running configuration in GrowthBook's payload format
 * (growthbook.rules.ts), where GrowthBook's SDKs fetch it, so that an app on GrowthBook's SDK can
 * point `apiHost` at Uplift and use a CLIENT key as its `clientKey`.
 *
 * - GrowthBook's SDKs put the key in the address, where proxies' logs keep it: only public CLIENT
 *   keys are accepted (the payload names no user, so it is the same for every key); secret keys
 *   get 403 KEY_IN_ADDRESS. Uplift's request log records the path with the key redacted.
 * - Built and serialised once per configuration, with an ETag: a browser revalidating gets 304.
 * - No `x-sse-support` header: GrowthBook's SDKs then never open their stream (`/sub/<key>`);
 *   they refresh when the payload is a minute old, or on `pollingInterval`.
 */
import type { RequestHandler, Response } from 'express';
import type { ConfigSnapshot } from '../engine/snapshot';
import type { Authenticator } from '../auth/authenticator';
import type { SnapshotService } from '../assignment/snapshot.service';
import { Role } from '../auth/principal';
import { AuthErrorReason, authRefusal, refusalHeaders } from '../auth/auth.errors';
import { etagOf, holdsEtag } from '../server/etag';
import { growthBookPayload } from './growthbook.rules';

const served = new WeakMap<ConfigSnapshot, { body: string; etag: string }>();

function servedFor(config: ConfigSnapshot): { body: string; etag: string } {
  let entry = served.get(config);
  if (entry === undefined) {
    const body = JSON.stringify(growthBookPayload(config));
    entry = { body, etag: etagOf(body) };
    served.set(config, entry);
  }
  return entry;
}

const refuse = (res: Response, status: number, reason: string, error: string, headers: Record<string, string> = {}) => void res.status(status).set(headers).json({ error, reason });

export function growthBookFeatures(options: { authenticator: Authenticator; snapshots: SnapshotService }): RequestHandler<{ key: string }> {
  return async (req, res) => {
    let role: Role;
    try {
      // Never null: the header is not empty.
      role = (await options.authenticator.authenticate(`Bearer ${req.params.key}`))!.role;
    } catch (error) {
      const refusal = authRefusal(error);
      return refuse(res, refusal.status, refusal.reason, refusal.message, refusalHeaders(refusal));
    }
    if (role !== Role.CLIENT) {
      return refuse(res, 403, AuthErrorReason.KEY_IN_ADDRESS, 'Only a CLIENT key may be in the address (GrowthBook’s clientKey): create one with createApiKey(input: { name, role: CLIENT })');
    }
    const { body, etag } = servedFor(options.snapshots.current());
    res.setHeader('etag', etag);
    // Revalidated on every use: a revoked key must stop reading at once.
    res.setHeader('cache-control', 'private, no-cache');
    if (holdsEtag(req.headers['if-none-match'], etag)) return void res.status(304).end();
    res.type('json').send(body);
  };
}
