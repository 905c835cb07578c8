/**
 * Live configuration updates over Server-Sent Events: `GET /sdk/v1/stream`. Each event is small,
 * `event: config`, `id: <version>`, `data: {"version":"..."}`; an SDK that sees a version it does
 * not hold fetches `sdkConfig`. Each version's event is serialised once, however many streams
 * listen. Instances learn of changes through the change bus (NOTIFY carries only a topic; each
 * instance rebuilds the same content-hashed version), so no payload nears NOTIFY's 8,000 bytes.
 *
 * - Resume: a client sending `Last-Event-ID` equal to the current version gets nothing until the
 *   next change; any other (or none) gets the current version at once.
 * - Heartbeats (an SSE comment) every 25 s (UPLIFT_STREAM_HEARTBEAT_MS, at most 25 s) keep proxies
 *   from closing idle streams.
 * - `X-Accel-Buffering: no` and `Cache-Control: no-transform`: no proxy buffering or compression.
 * - Browsers' EventSource cannot send headers: a CLIENT key (public) may come as `?key=`
 *   (src/auth/key-check.ts); the request log records a query's names without their values, so the
 *   key is not logged. Secret SDK keys are taken only from the Authorization header.
 * - close() ends every stream first on shutdown, so that draining does not wait for them.
 */
import type { Request, Response } from 'express';
import type { ConfigSnapshot } from '../engine/snapshot';
import type { SnapshotService } from '../assignment/snapshot.service';
import { sendRefusal, type KeyCheck } from '../auth/key-check';
import { Role } from '../auth/principal';

/** Proxies commonly close a connection idle for 30 to 60 s; the longest heartbeat interval allowed. */
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

export function createConfigStream(options: { snapshots: SnapshotService; checkKey: KeyCheck; heartbeatMs?: number }): ConfigStream {
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

  return {
    get size() {
      return streams.size;
    },
    async handle(req, res) {
      const { refused } = await options.checkKey(req, { roles: ROLES, what: 'the update stream', keyInAddress: true });
      if (refused) return void sendRefusal(res, refused);
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
