/**
 * `npm run bench:pages`: how soon an experiment's results page shows its first chart, with
 * 1,000,000 exposed users (the bench:results data set, bench/results-data.ts), in Debian's
 * Chromium. Target: the first chart within 2 s of opening the page. The page shows the latest
 * stored snapshot, which the results job keeps (run once here before measuring).
 * The baseline, measured in the same run, is the same page with nothing to read: the shell,
 * scripts and sign-in, up to the moment it asks the API for the experiment.
 *
 * BENCH_RESULTS_DATABASE=<url> reuses a database loaded before (bench:results with
 * BENCH_KEEP_DATABASE=1 prints one); otherwise a fresh one is loaded (several minutes).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { startUplift } from '../src/app';
import { generateSecret } from '../src/auth/api-key.service';
import { refreshExperimentResults } from '../src/results/result.service';
import { freshBenchDatabase, median } from './database';
import { loadResultsData } from './results-data';

const ROUNDS = 3;
const TARGET_MS = 2_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`bench:pages needs Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const reused = process.env.BENCH_RESULTS_DATABASE;
  const database = reused ? { url: reused, drop: async () => undefined } : await freshBenchDatabase();
  const adminKey = generateSecret();
  const uplift = await startUplift({ databaseUrl: database.url, dataDir: null, port: 0, host: '127.0.0.1', adminKey, logLevel: 'warn' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    // On a reused database, starting with a new bootstrap key is enough: it replaces the old one.
    if (!reused) await loadResultsData(uplift, database.url, adminKey);
    // The snapshots the page reads, of all the data, as the results job stores them on its schedule
    // (called directly: a scheduled run during a long load may have stored one of part of it).
    const stored = Date.now();
    for (const key of ['activity-incentives', 'advisor-pilot']) await refreshExperimentResults(uplift.dataSource, key, {});
    console.log(`both experiments' snapshots stored in ${Date.now() - stored} ms`);
    const address = `${uplift.url}/results/experiments/activity-incentives#key=${adminKey}`;
    const firstChart: number[] = [];
    const shell: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      let asked = 0;
      page.on('request', (request) => {
        if (asked === 0 && request.method() === 'POST' && request.url().endsWith('/graphql')) asked = Date.now();
      });
      const opened = Date.now();
      await page.goto(address);
      await page.locator('[data-testid=srm-chart] svg, [data-testid=forest-chart] svg').first().waitFor({ timeout: 60_000 });
      const shown = Date.now();
      await page.close();
      // Round 0 warms the caches (browser and database) and is not counted.
      if (round === 0) continue;
      firstChart.push(shown - opened);
      shell.push(asked - opened);
    }
    console.log(`Chromium, 1,000,000 exposed users, medians of ${ROUNDS} after one warm-up`);
    console.log(`page shell until it asks the API (baseline)   ${Math.round(median(shell))} ms`);
    console.log(`opening the experiment page to its first chart  ${Math.round(median(firstChart))} ms  (target <= ${TARGET_MS} ms: ${median(firstChart) <= TARGET_MS ? 'met' : 'NOT met'})`);
  } finally {
    await browser.close();
    await uplift.close();
    if (process.env.BENCH_KEEP_DATABASE || reused) console.log(`kept ${database.url}`);
    else await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
