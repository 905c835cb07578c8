import type http from 'node:http';
import { RETRY_AFTER_SECONDS } from '../common/errors';

/**
 * A JSON answer written straight to Node's response (the listeners in front of Express: the fast
 * path, OFREP, the Host check). A 503 always says when to retry: RETRY_AFTER_SECONDS unless the
 * caller gives its own.
 */
export function sendJson(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  const head: http.OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers };
  if (status === 503 && head['retry-after'] === undefined) head['retry-after'] = String(RETRY_AFTER_SECONDS);
  res.writeHead(status, head);
  res.end(body);
}
