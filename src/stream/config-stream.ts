/**
 * Live configuration updates over Server-Sent Events: `GET /sdk/v1/stream`. Each event is small,
 * `event: config`, `id: <version>`, `data: {"version":"..."}`; an SDK that sees a version it does
 * not hold fetches `sdkConfig`. Each version's event is serialised once, however many streams
 * listen. Instances learn of changes through the change bus (NOTIFY carries only a topic; each
 * instance rebuilds the same content-hashed version), so no payload nears NOTIFY's 8,000 bytes.
 *
 * - Resume: a client sending `Last-Event-ID` equal to the current version gets nothing until the
 *   next change; any other (or none) gets the current version at once.
 * - Heartbeats (an SSE comment) every 25 s keep proxies from closing idle streams.
 * - `X-Accel-Buffering: no` and `Cache-Control: no-transform`: no proxy buffering or compression.
 * - Browsers' EventSource cannot send headers: a CLIENT key (public) may come as `?key=`; the
 *   request log records paths without their query, so the key is not logged. Secret SDK keys are
 *   taken only from the Authorization header.
 * - close() ends every stream first on shutdown, so that draining does not wait for them.
 */
import type { Request, Response } from 'express';
import type { ConfigSnapshot } from '../engine/snapshot';
import type { SnapshotService } from '../assignment/snapshot.service';
import type { Authenticator } from '../auth/authenticator';
import { DomainError } from '../common/errors';
import { authError, AuthErrorReason, authRefusal, refusalHeaders } from '../auth/auth.errors';
import { Role, type Principal } from '../auth/principal';

export const HEARTBEAT_MS = 25_000;
const ROLES: ReadonlySet<Role> = new Set([Role.SDK, Role.CLIENT, Role.ADMIN]);

export interface ConfigStream {
  handle(req: Request, res: Response): Promise<void>;
  /** Streams open now. */
  readonly size: number;
  close(): void;
}

function frameOf(version: string): string {
  return `event: config\nid: ${version}\ndata: ${JSON.stringify({ version })}\n\n`;
}

export function createConfigStream(options: { snapshots: SnapshotService; authenticator: Authenticator; heartbeatMs?: number }): ConfigStream {
  const streams = new Set<Response>();
  let current: { version: string; frame: string } | null = null;
  const frameFor = (config: ConfigSnapshot) => (current?.version === config.version ? current : (current = { version: config.version, frame: frameOf(config.version) }));

  options.snapshots.onChange((config) => {
    const { frame } = frameFor(config);
    for (const res of streams) res.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  async function principalOf(req: Request): Promise<Principal | null> {
    if (req.headers.authorization) return options.authenticator.authenticate(req.headers.authorization);
    const key = typeof req.query.key === 'string' ? req.query.key : undefined;
    if (!key) return null;
    const principal = await options.authenticator.authenticate(`Bearer ${key}`);
    // A secret key in an address ends up in proxies' logs: only public keys may come this way.
    if (principal && principal.role !== Role.CLIENT) throw authError(AuthErrorReason.KEY_IN_ADDRESS, 'Only a CLIENT key may be passed as ?key=; send server-side keys in the Authorization header');
    return principal;
  }

  return {
    get size() {
      return streams.size;
    },
    async handle(req, res) {
      let principal: Principal | null;
      try {
        principal = await principalOf(req);
      } catch (error) {
        if (error instanceof DomainError && error.reason === AuthErrorReason.KEY_IN_ADDRESS) return void res.status(403).json({ error: error.message, reason: error.reason });
        const refusal = authRefusal(error);
        return void res.status(refusal.status).set(refusalHeaders(refusal)).json({ error: refusal.message, reason: refusal.reason });
      }
      if (!principal) return void res.status(401).json({ error: 'This stream needs an API key: Authorization: Bearer <key>', reason: 'MISSING_KEY' });
      if (!ROLES.has(principal.role)) return void res.status(403).json({ error: `Role ${principal.role} may not follow the configuration`, reason: 'ROLE_NOT_ALLOWED' });
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n\n');
      const { version, frame } = frameFor(options.snapshots.current());
      if (req.headers['last-event-id'] !== version) res.write(frame);
      streams.add(res);
      res.on('close', () => streams.delete(res));
    },
    close() {
      clearInterval(heartbeat);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
