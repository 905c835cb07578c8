/**
 * `GET /api/features/<key>`: the running configuration in GrowthBook's payload format
 * (growthbook.rules.ts), where GrowthBook's SDKs fetch it, so that an app on GrowthBook's SDK can
 * point `apiHost` at Uplift and use a CLIENT key as its `clientKey`.
 *
 * - GrowthBook's SDKs put the key in the address, where proxies' logs keep it: only public CLIENT
 *   keys are accepted (the payload names no user, so it is the same for every key); secret keys
 *   get 403 KEY_IN_ADDRESS (src/auth/key-check.ts, which also gives the other refusals as the rest
 *   of the server does). Uplift's request log records the path with the key redacted.
 * - Built and serialised once per configuration, with an ETag: a browser revalidating gets 304.
 * - No `x-sse-support` header: GrowthBook's SDKs then never open their stream (`/sub/<key>`);
 *   they refresh when the payload is a minute old, or on `pollingInterval`.
 */
import type { RequestHandler } from 'express';
import type { ConfigSnapshot } from '../engine/snapshot';
import type { SnapshotService } from '../assignment/snapshot.service';
import { Role } from '../auth/principal';
import { sendRefusal, type KeyCheck } from '../auth/key-check';
import { etagMatches, etagOf } from '../server/etag';
import { growthBookPayload } from './growthbook.rules';

const CLIENT_ONLY: ReadonlySet<Role> = new Set([Role.CLIENT]);

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

export function growthBookFeatures(options: { snapshots: SnapshotService; checkKey: KeyCheck }): RequestHandler<{ key: string }> {
  return async (req, res) => {
    const { refused } = await options.checkKey(req, { roles: CLIENT_ONLY, what: "GrowthBook's features endpoint", keyInAddress: () => req.params.key });
    if (refused) return void sendRefusal(res, refused);
    const { body, etag } = servedFor(options.snapshots.current());
    res.setHeader('etag', etag);
    // Revalidated on every use: a revoked key must stop reading at once.
    res.setHeader('cache-control', 'private, no-cache');
    if (etagMatches(req.headers['if-none-match'], etag)) return void res.status(304).end();
    res.type('json').send(body);
  };
}
