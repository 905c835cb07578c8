/**
 * `npm run bench:results`: computing every metric of two experiments (1,000,000 exposed users,
 * about 10,000,000 events shaped like the demo scenario (docs/concepts.md)) against one `SELECT count(*) FROM
 * events` in the same run, warm, medians of 3. Target: at most 3x the scan.
 * The data set is bench/results-data.ts. Also printed: the multiple-variant count alone (one of the
 * statements, over the data set's 1% of users seen in another variant), against the same scan.
 *
 * BENCH_RESULTS_DATABASE=<url> reuses a database loaded before (BENCH_KEEP_DATABASE=1 prints one);
 * otherwise a fresh one is loaded (several minutes).
 */
import 'reflect-metadata';
import { startUplift } from '../src/app';
import { generateSecret } from '../src/auth/api-key.service';
import { readExperimentResults } from '../src/results/result.service';
import { aggregationStatements } from '../src/analytics/aggregation.sql';
import { freshBenchDatabase, median } from './database';
import { loadResultsData } from './results-data';

const ROUNDS = 3;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const reused = process.env.BENCH_RESULTS_DATABASE;
  const database = reused ? { url: reused, drop: async () => undefined } : await freshBenchDatabase();
  const adminKey = generateSecret();
  const uplift = await startUplift({ databaseUrl: database.url, dataDir: null, port: 0, host: '127.0.0.1', adminKey, logLevel: 'warn' });
  try {
    if (!reused) await loadResultsData(uplift, database.url, adminKey);
    const [experiment] = await uplift.dataSource.query(`SELECT phase, started_at FROM experiments WHERE key = 'activity-incentives'`);
    const multipleVariants = aggregationStatements({
      experimentKey: 'activity-incentives', phase: experiment.phase, phaseStartedAt: experiment.started_at, metrics: [], today: new Date().toISOString().slice(0, 10), byTier: false,
    }).at(-1)!;
    const countMultipleVariants = () => uplift.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL max_parallel_workers_per_gather = 0');
      await manager.query('SET LOCAL jit = off');
      return manager.query(multipleVariants.text, multipleVariants.parameters);
    });
    const scan: number[] = [];
    const results: number[] = [];
    const multiple: number[] = [];
    const computeAll = async () => {
      for (const key of ['activity-incentives', 'advisor-pilot']) await readExperimentResults(uplift.dataSource, key, {});
    };
    // Warm-up: both once, so that every run reads from memory.
    await uplift.dataSource.query('SELECT count(*) FROM events');
    await computeAll();
    for (let round = 0; round < ROUNDS; round++) {
      scan.push(await timed(() => uplift.dataSource.query('SELECT count(*) FROM events')));
      results.push(await timed(computeAll));
      multiple.push(await timed(countMultipleVariants));
    }
    const ratio = median(results) / median(scan);
    console.log(`warm, medians of ${ROUNDS}`);
    console.log(`SELECT count(*) FROM events                       ${Math.round(median(scan))} ms`);
    console.log(`all metrics of both experiments (7 metrics each)  ${Math.round(median(results))} ms`);
    console.log(`ratio results / scan                              ${ratio.toFixed(2)}  (target <= 3: ${ratio <= 3 ? 'met' : 'NOT met'})`);
    const seen = (await countMultipleVariants()).reduce((sum: number, row: { multiple_variant_users: string }) => sum + Number(row.multiple_variant_users), 0);
    console.log(`multiple-variant count alone (${seen.toLocaleString('en')} users)     ${Math.round(median(multiple))} ms, ${(median(multiple) / median(scan)).toFixed(2)} of the scan`);
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
