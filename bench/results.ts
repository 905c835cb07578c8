/**
 * `npm run bench:results`: computing every metric of two experiments (1,000,000 exposed users,
 * about 10,000,000 events shaped like the demo scenario (docs/concepts.md)) against one `SELECT count(*) FROM
 * events` in the same run, warm, medians of 3. Target: at most 3x the scan.
 * The data set is bench/results-data.ts.
 */
import 'reflect-metadata';
import { startUplift } from '../src/app';
import { generateSecret } from '../src/auth/api-key.service';
import { readExperimentResults } from '../src/results/result.service';
import { freshBenchDatabase, median } from './database';
import { loadResultsData } from './results-data';

const ROUNDS = 3;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  const uplift = await startUplift({ databaseUrl: database.url, dataDir: null, port: 0, host: '127.0.0.1', adminKey, logLevel: 'warn' });
  try {
    await loadResultsData(uplift, database.url, adminKey);
    const scan: number[] = [];
    const results: number[] = [];
    const computeAll = async () => {
      for (const key of ['activity-incentives', 'advisor-pilot']) await readExperimentResults(uplift.dataSource, key, {});
    };
    // Warm-up: both once, so that every run reads from memory.
    await uplift.dataSource.query('SELECT count(*) FROM events');
    await computeAll();
    for (let round = 0; round < ROUNDS; round++) {
      scan.push(await timed(() => uplift.dataSource.query('SELECT count(*) FROM events')));
      results.push(await timed(computeAll));
    }
    const ratio = median(results) / median(scan);
    console.log(`warm, medians of ${ROUNDS}`);
    console.log(`SELECT count(*) FROM events                       ${Math.round(median(scan))} ms`);
    console.log(`all metrics of both experiments (7 metrics each)  ${Math.round(median(results))} ms`);
    console.log(`ratio results / scan                              ${ratio.toFixed(2)}  (target <= 3: ${ratio <= 3 ? 'met' : 'NOT met'})`);
  } finally {
    await uplift.close();
    if (process.env.BENCH_KEEP_DATABASE) console.log(`kept ${database.url}`);
    else await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
