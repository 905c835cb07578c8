import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** An embedded PostgreSQL (PGlite) served on a loopback port, so the app reaches it through `pg` like any other. */
export interface EmbeddedPostgres {
  url: string;
  /** The folder it keeps its data in, or null in memory. */
  dataDir: string | null;
  stop(): Promise<void>;
}

/**
 * Makes a data folder owner-only: folders 0700, files 0600. PGlite creates its files 0666 whatever
 * the umask (its folders follow the umask), so they are tightened after the fact; the folder being
 * 0700 is what keeps files created since out of others' reach.
 */
export function restrictToOwner(dir: string): void {
  fs.chmodSync(dir, 0o700);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) restrictToOwner(full);
    else if (entry.isFile()) fs.chmodSync(full, 0o600);
  }
}

/** Runs `create` with umask 0077, so that what it makes is owner-only from the start where it honours the umask. */
async function withPrivateUmask<T>(create: () => Promise<T>): Promise<T> {
  const previous = process.umask(0o077);
  try {
    return await create();
  } finally {
    process.umask(previous);
  }
}

/** Starts PGlite with its data in `<dataDir>/pg` (owner-only), or in memory when `dataDir` is null. */
export async function startEmbeddedPostgres(dataDir: string | null): Promise<EmbeddedPostgres> {
  let pgDir: string | undefined;
  if (dataDir) {
    pgDir = path.join(dataDir, 'pg');
    fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  }
  const db = pgDir ? await withPrivateUmask(() => PGlite.create({ dataDir: pgDir })) : await PGlite.create({});
  if (dataDir) restrictToOwner(dataDir);
  // One client at a time: with several, the socket server interleaves their messages on PGlite's
  // single backend (see createDataSource). Further clients wait in its queue.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    dataDir,
    async stop() {
      await server.stop();
      await db.close();
      if (dataDir) restrictToOwner(dataDir);
    },
  };
}
