import type http from 'node:http';
import { ErrorCode } from '../common/errors';
import { sendJson } from './json-response';

/** Names that always mean this machine: a page elsewhere cannot make a browser send them (DNS rebinding sends its own name). */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Always answered, whatever the Host: probes of load balancers and orchestrators use addresses or service names. */
const EXEMPT_PATHS = new Set(['/healthz', '/readyz']);

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The name in a Host header, lower-cased, without its port or a trailing dot. */
export function hostName(header: string): string {
  const lower = header.trim().toLowerCase();
  const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** UPLIFT_ALLOWED_HOSTS: comma-separated names, e.g. `uplift.internal,uplift.example.com`. */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '').split(',').map((name) => hostName(name)).filter((name) => name !== '');
}

/**
 * Which Host headers are served. Listening on loopback, only this machine's names and the allowed
 * list: a DNS-rebinding page (a site whose name the attacker points at 127.0.0.1) is refused.
 * Listening elsewhere (0.0.0.0, behind a proxy), the list decides, and with no list any name is.
 */
export function guardHosts(options: { listenHost: string; allowedHosts: readonly string[] }, next: http.RequestListener): http.RequestListener {
  const allowed = new Set([...LOOPBACK_NAMES, ...options.allowedHosts]);
  const checking = isLoopbackAddress(options.listenHost) || options.allowedHosts.length > 0;
  if (!checking) return next;
  // Host headers already let through, as sent: the hot path costs one Set lookup. Bounded, since
  // only allowed names (with their ports) get in.
  const seen = new Set<string>();
  return (req, res) => {
    const header = req.headers.host;
    if (header !== undefined && seen.has(header)) return next(req, res);
    if (header !== undefined && allowed.has(hostName(header))) {
      if (seen.size < 1_000) seen.add(header);
      return next(req, res);
    }
    if (EXEMPT_PATHS.has((req.url ?? '/').split('?')[0])) return next(req, res);
    const body = JSON.stringify({
      errors: [{
        message: `Host ${JSON.stringify((header ?? '').slice(0, 100))} is not served here: use 127.0.0.1, localhost or [::1], or add the name to UPLIFT_ALLOWED_HOSTS`,
        extensions: { code: ErrorCode.FORBIDDEN, reason: 'HOST_NOT_ALLOWED' },
      }],
    });
    sendJson(res, 403, body);
  };
}
