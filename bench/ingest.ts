/**
 * `npm run bench:ingest`: events per second through trackEvents (HTTP, batches of 1,000) against a
 * raw COPY into the same table, measured in the same run on the same PostgreSQL.
 * Target: trackEvents at least 0.25 of COPY.
 *
 * Every user is exposed to two experiments a week before the events, as in an app where everyone
 * active is in experiments: ingestion then also keeps each exposure's metric values (the built-in
 * metrics: D7 retention on a new active day, payment conversion and revenue).
 */
import 'reflect-metadata';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startUplift } from '../src/app';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';
import { AnalyticsStore } from '../src/analytics/analytics.store';
import { freshBenchDatabase, median } from './database';

const EVENTS = 200_000;
const BATCH = 1_000;
const CONCURRENT_BATCHES = 4;
const ROUNDS = 3;
const USERS = 20_000;
const EVENT_DAY = Date.UTC(2026, 10, 1);
const TRACK = 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates } }';

function event(round: string, i: number) {
  return {
    id: `${round}-${i}`,
    userId: `user-${i % USERS}`,
    type: ['app_open', 'post', 'comment', 'payment'][i % 4],
    value: i % 4 === 3 ? (i % 200) + 0.5 : null,
    properties: i % 4 === 3 ? { currency: 'CNY' } : null,
    occurredAt: new Date(EVENT_DAY + (i % 86_400) * 1000).toISOString(),
  };
}

async function viaTrackEvents(url: string, key: string, round: string): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const from = next;
      next += BATCH;
      const events = Array.from({ length: BATCH }, (_, j) => event(round, from + j));
      const result = await postGraphQL(url, TRACK, { events }, key);
      if (result.errors || result.data.trackEvents.accepted !== BATCH) throw new Error(JSON.stringify(result.errors ?? result.data));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, worker));
  return EVENTS / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function viaCopy(databaseUrl: string, round: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const csv = (value: unknown) => (value === null ? '' : `"${String(value).replace(/"/g, '""')}"`);
  const lines = function* () {
    for (let i = 0; i < EVENTS; i++) {
      const e = event(round, i);
      yield `${[e.id, e.userId, e.type, e.value, e.properties && JSON.stringify(e.properties), e.occurredAt].map(csv).join(',')}\n`;
    }
  };
  const started = process.hrtime.bigint();
  await pipeline(Readable.from(lines()), client.query(copyFrom('COPY events (id, user_id, type, value, properties, occurred_at) FROM STDIN WITH (FORMAT csv)')));
  const rate = EVENTS / (Number(process.hrtime.bigint() - started) / 1e9);
  await client.end();
  return rate;
}

async function main(): Promise<void> {
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  const uplift = await startUplift({ databaseUrl: database.url, dataDir: null, port: 0, host: '127.0.0.1', adminKey, logLevel: 'warn' });
  try {
    const created = await postGraphQL(uplift.url, 'mutation { createApiKey(input: { name: "bench", role: SDK }) { secret } }', undefined, adminKey);
    const sdkKey = created.data.createApiKey.secret as string;
    const exposedAt = new Date(EVENT_DAY - 7 * 86_400_000);
    await new AnalyticsStore(uplift.dataSource.manager).insertExposures(
      ['bench-a', 'bench-b'].flatMap((experimentKey) =>
        Array.from({ length: USERS }, (_, i) => ({ experimentKey, phase: 1, userId: `user-${i}`, variantKey: i % 2 ? 'treatment' : 'control', tier: null, exposedAt })),
      ),
    );
    const track: number[] = [];
    const copy: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await uplift.dataSource.query('TRUNCATE events');
      copy.push(await viaCopy(database.url, `copy${round}`));
      await uplift.dataSource.query('TRUNCATE events');
      track.push(await viaTrackEvents(uplift.url, sdkKey, `track${round}`));
    }
    const ratio = median(track) / median(copy);
    console.log(`events: ${EVENTS} per run, ${ROUNDS} runs each, medians; trackEvents in batches of ${BATCH}, ${CONCURRENT_BATCHES} at a time; ${USERS} users, each exposed to 2 experiments`);
    console.log(`COPY events FROM STDIN      ${Math.round(median(copy)).toLocaleString('en')} events/s`);
    console.log(`trackEvents over HTTP       ${Math.round(median(track)).toLocaleString('en')} events/s`);
    console.log(`ratio trackEvents / COPY    ${ratio.toFixed(2)}  (target >= 0.25: ${ratio >= 0.25 ? 'met' : 'NOT met'})`);
  } finally {
    await uplift.close();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
