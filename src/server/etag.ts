import { createHash } from 'node:crypto';

/** A strong ETag of a body: its own hash, so it changes exactly when the body does. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether `If-None-Match` (a list, weak tags included) names `etag`: the client holds this body, so 304. */
export function holdsEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
