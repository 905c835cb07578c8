import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server benchmarks run on: BENCH_DATABASE_URL, DATABASE_URL, or this machine's. */
export const BENCH_SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database on the benchmark server, dropped by the returned function. */
export async function freshBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `uplift_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: BENCH_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: BENCH_SERVER_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
