import path from 'node:path';
import { parseCorsOrigins } from '../server/cors';

/** Everything Uplift reads from the environment, parsed once at start-up. */
export interface UpliftConfig {
  /** PostgreSQL to use; when absent Uplift starts an embedded PostgreSQL (PGlite). */
  databaseUrl?: string;
  /** Folder for the embedded database and its generated admin key; `null` keeps it in memory (tests). */
  dataDir: string | null;
  port: number;
  host: string;
  /** Bootstrap admin key (plaintext); only its hash is stored. */
  adminKey?: string;
  logLevel: string;
  /** How long a user's behavioural facts and grants are reused by resolve, in ms (0: read every time). */
  userStateTtlMs?: number;
  /** Browser origins allowed to call the API (UPLIFT_CORS_ORIGINS, comma-separated), e.g. `https://app.example.com`. */
  corsOrigins?: string[];
  /** The server's clock: exposure and event times, experiment start and stop, entitlements, results' today; tests and the demo inject one. */
  now?: () => Date;
}

export const DEFAULT_USER_STATE_TTL_MS = 5_000;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): UpliftConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 4000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  const ttl = env.UPLIFT_FACTS_TTL_MS === undefined || env.UPLIFT_FACTS_TTL_MS === '' ? DEFAULT_USER_STATE_TTL_MS : Number(env.UPLIFT_FACTS_TTL_MS);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3_600_000) {
    throw new Error(`UPLIFT_FACTS_TTL_MS must be an integer from 0 to 3600000, got "${env.UPLIFT_FACTS_TTL_MS}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.UPLIFT_DATA_DIR || '.uplift/data'),
    port,
    host: env.HOST || '127.0.0.1',
    adminKey: env.UPLIFT_ADMIN_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    userStateTtlMs: ttl,
    corsOrigins: parseCorsOrigins(env.UPLIFT_CORS_ORIGINS),
  };
}
