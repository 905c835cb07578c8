import path from 'node:path';
import { MIN_ADMIN_KEY_LENGTH } from '../auth/key-format';
import { parseAllowedHosts } from '../server/host-check';

/** Everything Uplift reads from the environment, parsed once at start-up. */
export interface UpliftConfig {
  /** PostgreSQL to use; when absent Uplift starts an embedded PostgreSQL (PGlite). */
  databaseUrl?: string;
  /** Folder for the embedded database and its generated admin key; `null` keeps it in memory (tests). */
  dataDir: string | null;
  port: number;
  host: string;
  /** UPLIFT_ALLOWED_HOSTS: Host names served besides this machine's (src/server/host-check.ts). */
  allowedHosts?: string[];
  /** Bootstrap admin key (plaintext); only its hash is stored. */
  adminKey?: string;
  logLevel: string;
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: { write(line: string): void };
  /** How long a user's behavioural facts and grants are reused by resolve, in ms (0: read every time). */
  userStateTtlMs?: number;
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
  const adminKey = env.UPLIFT_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < MIN_ADMIN_KEY_LENGTH) {
    throw new Error(`UPLIFT_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters long (it has ${adminKey.length}): generate one with "openssl rand -base64 32"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.UPLIFT_DATA_DIR || '.uplift/data'),
    port,
    host: env.HOST || '127.0.0.1',
    allowedHosts: parseAllowedHosts(env.UPLIFT_ALLOWED_HOSTS),
    adminKey,
    logLevel: env.LOG_LEVEL || 'info',
    userStateTtlMs: ttl,
  };
}
