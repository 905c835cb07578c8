import { hash } from 'node:crypto';

/** A strong ETag of a body: its own hash, so it changes exactly when the body does. */
export function etagOf(body: string): string {
  // One-shot: half the cost of createHash().update().digest() on OFREP's bulk path.
  return `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
}

/**
 * If-None-Match against the answer's ETag, compared weakly (RFC 9110 13.1.2: `W/"x"` matches
 * `"x"`). Not Express's `req.fresh`: it always says stale when the request carries
 * `Cache-Control: no-cache`, which `fetch` adds to every request that sets If-None-Match itself.
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}
