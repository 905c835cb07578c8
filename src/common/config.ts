import path from 'node:path';
import type { DestinationStream } from 'pino';
import { MIN_ADMIN_KEY_LENGTH } from '../auth/key-format';
import { parseAllowedHosts } from '../server/host-check';
import { parseCorsOrigins } from '../server/cors';
import { HEARTBEAT_MS } from '../stream/config-stream';

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
  /** How long a user's behavioural facts and grants are reused by resolve, in ms (0: read every time). */
  userStateTtlMs?: number;
  /** When set, /metrics is also served without a key on this port (0: any free port), on the same host, for a scraper. */
  metricsPort?: number;
  /** Where log lines go (stdout unless given; tests capture them). */
  logDestination?: DestinationStream;
  /** How often the results job refreshes running experiments' snapshots, in ms (0: never on its own). */
  resultsIntervalMs?: number;
  /** Where exposures wait on local disk while the database is away; default `<dataDir>/spool` (a temporary folder without a data dir). */
  spoolDir?: string;
  /** The spool's bound in bytes (default 1 GiB); beyond it exposures are dropped and counted. */
  spoolMaxBytes?: number;
  /** Exposures waiting in memory beyond which they are spooled even while the database answers (tests lower it). */
  exposureBufferRows?: number;
  /** Browser origins allowed to call the API (UPLIFT_CORS_ORIGINS, comma-separated), e.g. `https://app.example.com`. */
  corsOrigins?: string[];
  /** How often the SDK update stream sends a heartbeat, in ms (UPLIFT_STREAM_HEARTBEAT_MS; default and most 25,000). */
  streamHeartbeatMs?: number;
  /** The server's clock: exposure and event times, experiment start and stop, entitlements, results' today; tests and the demo inject one. */
  now?: () => Date;
}

export const DEFAULT_USER_STATE_TTL_MS = 5_000;
/** The results job's default interval: 10 minutes. */
export const DEFAULT_RESULTS_INTERVAL_MS = 600_000;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): UpliftConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 4000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  const ttl = env.UPLIFT_FACTS_TTL_MS === undefined || env.UPLIFT_FACTS_TTL_MS === '' ? DEFAULT_USER_STATE_TTL_MS : Number(env.UPLIFT_FACTS_TTL_MS);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3_600_000) {
    throw new Error(`UPLIFT_FACTS_TTL_MS must be an integer from 0 to 3600000, got "${env.UPLIFT_FACTS_TTL_MS}"`);
  }
  const metricsPort = env.UPLIFT_METRICS_PORT === undefined || env.UPLIFT_METRICS_PORT === '' ? undefined : Number(env.UPLIFT_METRICS_PORT);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
    throw new Error(`UPLIFT_METRICS_PORT must be an integer from 0 to 65535, got "${env.UPLIFT_METRICS_PORT}"`);
  }
  const resultsInterval = env.UPLIFT_RESULTS_INTERVAL_MS === undefined || env.UPLIFT_RESULTS_INTERVAL_MS === '' ? DEFAULT_RESULTS_INTERVAL_MS : Number(env.UPLIFT_RESULTS_INTERVAL_MS);
  if (!Number.isInteger(resultsInterval) || resultsInterval < 0 || resultsInterval > 86_400_000) {
    throw new Error(`UPLIFT_RESULTS_INTERVAL_MS must be an integer from 0 to 86400000, got "${env.UPLIFT_RESULTS_INTERVAL_MS}"`);
  }
  const adminKey = env.UPLIFT_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < MIN_ADMIN_KEY_LENGTH) {
    throw new Error(`UPLIFT_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters long (it has ${adminKey.length}): generate one with "openssl rand -base64 32"`);
  }
  const spoolMaxBytes = env.UPLIFT_SPOOL_MAX_BYTES ? Number(env.UPLIFT_SPOOL_MAX_BYTES) : undefined;
  if (spoolMaxBytes !== undefined && (!Number.isSafeInteger(spoolMaxBytes) || spoolMaxBytes < 0)) {
    throw new Error(`UPLIFT_SPOOL_MAX_BYTES must be a whole number of bytes, got "${env.UPLIFT_SPOOL_MAX_BYTES}"`);
  }
  const heartbeat = env.UPLIFT_STREAM_HEARTBEAT_MS === undefined || env.UPLIFT_STREAM_HEARTBEAT_MS === '' ? HEARTBEAT_MS : Number(env.UPLIFT_STREAM_HEARTBEAT_MS);
  if (!Number.isInteger(heartbeat) || heartbeat < 1_000 || heartbeat > HEARTBEAT_MS) {
    throw new Error(`UPLIFT_STREAM_HEARTBEAT_MS must be an integer from 1000 to ${HEARTBEAT_MS} (proxies close streams idle for 30 s or more), got "${env.UPLIFT_STREAM_HEARTBEAT_MS}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    spoolDir: env.UPLIFT_SPOOL_DIR ? path.resolve(env.UPLIFT_SPOOL_DIR) : undefined,
    spoolMaxBytes,
    dataDir: path.resolve(env.UPLIFT_DATA_DIR || '.uplift/data'),
    port,
    host: env.HOST || '127.0.0.1',
    allowedHosts: parseAllowedHosts(env.UPLIFT_ALLOWED_HOSTS),
    adminKey,
    logLevel: env.LOG_LEVEL || 'info',
    userStateTtlMs: ttl,
    metricsPort,
    resultsIntervalMs: resultsInterval,
    corsOrigins: parseCorsOrigins(env.UPLIFT_CORS_ORIGINS),
    streamHeartbeatMs: heartbeat,
  };
}
