/**
 * CORS for browser apps on configured origins (UPLIFT_CORS_ORIGINS). It wraps the whole request
 * listener, so that the fast resolve path, Express routes and Apollo all answer with the same
 * headers, and it answers preflights itself.
 *
 * Keys travel in the Authorization header, never in cookies, so no credentials are allowed.
 * GraphQL's CSRF rule (Apollo's csrfPrevention) still holds: a browser can only send
 * `content-type: application/json` or the `apollo-require-preflight` header after a preflight,
 * and a preflight succeeds only from a configured origin.
 */
import type http from 'node:http';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, if-none-match';
const EXPOSED_HEADERS = 'etag';
const PREFLIGHT_MAX_AGE_S = '600';

/** `scheme://host[:port]`, as a browser sends it in `Origin`; anything else in the setting is a mistake. */
const ORIGIN_PATTERN = /^https?:\/\/[^/\s:]+(?::\d{1,5})?$/;

/** Parses UPLIFT_CORS_ORIGINS: exact origins, comma-separated. Throws on anything that is not an origin. */
export function parseCorsOrigins(value: string | undefined): string[] {
  if (!value || value.trim() === '') return [];
  return value.split(',').map((entry) => {
    const origin = entry.trim().replace(/\/$/, '');
    if (!ORIGIN_PATTERN.test(origin)) throw new Error(`UPLIFT_CORS_ORIGINS: "${entry.trim()}" is not an origin such as https://app.example.com`);
    return origin.toLowerCase();
  });
}

export function withCors(origins: readonly string[], next: http.RequestListener): http.RequestListener {
  if (origins.length === 0) return next;
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next(req, res);
    res.setHeader('vary', 'Origin');
    const isAllowed = allowed.has(origin.toLowerCase());
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (!isAllowed) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Origin not allowed');
        return;
      }
      res.writeHead(204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE_S,
        'content-length': '0',
      });
      res.end();
      return;
    }
    if (isAllowed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    }
    next(req, res);
  };
}
