import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startUplift, type RunningUplift } from '../app';
import type { UpliftConfig } from '../common/config';
import { generateSecret } from '../auth/api-key.service';
import { AnalyticsStore } from '../analytics/analytics.store';
import type { ExposureRow } from '../analytics/analytics.model';
import { freePort } from './ports';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  uplift: RunningUplift;
  url: string;
  /** The test database on DATABASE_URL's server; undefined on the embedded database. */
  databaseUrl?: string;
  /** The admin key `gql` sends by default. */
  adminKey: string;
  /** POSTs an operation to /graphql as `key` (the admin key by default; null sends none). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GraphQLResponse<T>>;
  /** The same as the admin, for a test's set-up: its data, or a throw with the errors. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Creates an API key with `role` through the API and returns its secret. */
  createKey(role: 'ADMIN' | 'ANALYST' | 'SDK' | 'CLIENT', name?: string): Promise<string>;
  /**
   * Backdated exposures with chosen arms, which only fixtures need: written the way exposure
   * logging writes them (src/analytics/analytics.store.ts), metric values included.
   */
  expose(exposures: ExposureRow[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh database for one test file: with DATABASE_URL, a new database on that server (dropped at
 * the end); without, an in-memory embedded PostgreSQL.
 */
export async function freshDatabase(embedded: boolean): Promise<{ databaseUrl?: string; drop(): Promise<void> }> {
  const serverUrl = embedded ? undefined : process.env.DATABASE_URL;
  if (!serverUrl) return { drop: async () => undefined };
  const name = `uplift_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function postGraphQL(url: string, query: string, variables: Record<string, unknown> | undefined, key: string | null) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse;
}

/** Another Uplift on the same database, as a second instance behind a load balancer would be. */
export function startSecondInstance(first: TestServer): Promise<RunningUplift> {
  return startUplift({ databaseUrl: first.databaseUrl, dataDir: null, port: 0, host: '127.0.0.1', logLevel: process.env.LOG_LEVEL ?? 'silent', resultsIntervalMs: 0 });
}

/**
 * The real server, over real HTTP, on a real PostgreSQL. `embedded` forces the embedded default
 * even when DATABASE_URL is set, for tests of what only the embedded default does; `now` is the
 * clock entitlement resolution uses; `config` sets anything else (e.g. a metrics port, a log destination).
 */
export async function startTestServer(options: { embedded?: boolean; now?: () => Date; config?: Partial<UpliftConfig> } = {}): Promise<TestServer> {
  const database = await freshDatabase(options.embedded ?? false);
  const adminKey = options.config?.adminKey ?? generateSecret();
  const uplift = await startUplift({
    databaseUrl: database.databaseUrl,
    dataDir: null,
    port: 0,
    host: '127.0.0.1',
    adminKey,
    logLevel: process.env.LOG_LEVEL ?? 'silent',
    now: options.now,
    ...options.config,
    // Tests run the results job themselves (uplift.resultsJob.runOnce()), never on a timer.
    resultsIntervalMs: 0,
  });
  const server: TestServer = {
    uplift,
    url: uplift.url,
    databaseUrl: database.databaseUrl,
    adminKey,
    gql: (query, variables, key = server.adminKey) => postGraphQL(uplift.url, query, variables, key),
    async ok(query, variables) {
      const result = await server.gql(query, variables);
      if (result.errors || result.data == null) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    async createKey(role, name = `${role.toLowerCase()}-key`) {
      const result = await server.gql(
        `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
        { input: { name, role } },
      );
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return result.data.createApiKey.secret as string;
    },
    expose: (exposures) => new AnalyticsStore(uplift.dataSource.manager).insertExposures(exposures),
    async close() {
      await uplift.close();
      await database.drop();
    },
  };
  return server;
}

/** An address where nothing listens (a port just freed): connections are refused at once. */
export async function closedPort(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** The `extensions.code` of the first error, to assert on refusals. */
export function errorCode(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
