import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** An embedded PostgreSQL (PGlite) served on a loopback port, so the app reaches it through `pg` like any other. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Starts PGlite with its data in `<dataDir>/pg`, or in memory when `dataDir` is null. */
export async function startEmbeddedPostgres(dataDir: string | null): Promise<EmbeddedPostgres> {
  let pgDir: string | undefined;
  if (dataDir) {
    pgDir = path.join(dataDir, 'pg');
    fs.mkdirSync(pgDir, { recursive: true });
  }
  const db = await PGlite.create(pgDir ? { dataDir: pgDir } : {});
  // One client at a time: with several, the socket server interleaves their messages on PGlite's
  // single backend (see createDataSource). Further clients wait in its queue.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
