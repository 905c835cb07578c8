/**
 * `npm run demo`: the demo scenario (docs/concepts.md) played on a simulated clock (src/demo/demo.ts), its results
 * printed, then the server left running with the results pages and GraphiQL to explore them. The
 * data is kept in its own folder (DEMO_DATA_DIR, default .uplift/demo; emptied at each run, and
 * never the folder `npm start` uses), so that the server can be restarted on it.
 * DEMO_USERS (default 40,000), PORT (default 4000), DATABASE_URL (default: embedded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { configFromEnv } from '../src/common/config';
import { DEMO_EXPERIMENT_KEYS, demoReport, runDemo, type DemoProgress } from '../src/demo/demo';

const BAR_WIDTH = 30;

/** One line on stderr, redrawn after each simulated day. */
function drawProgress({ day, days, users, events }: DemoProgress): void {
  const filled = Math.round((day / days) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  process.stderr.write(`\r${bar} day ${String(day).padStart(2)}/${days}  ${users.toLocaleString('en')} users  ${events.toLocaleString('en')} events`);
  if (day === days) process.stderr.write('\n');
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const users = Number(process.env.DEMO_USERS ?? 40_000);
  if (!Number.isInteger(users) || users < 100) throw new Error(`DEMO_USERS must be a whole number of at least 100, got "${process.env.DEMO_USERS}"`);
  const dataDir = path.resolve(process.env.DEMO_DATA_DIR || '.uplift/demo');
  if (!config.databaseUrl) {
    // The folder is emptied: it must never be the one `npm start` keeps its data in.
    if (dataDir === path.resolve('.uplift/data') || dataDir === config.dataDir) throw new Error(`DEMO_DATA_DIR must not be the folder npm start uses (${dataDir})`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`Simulating ${users.toLocaleString('en')} users over eight weeks (four of arrivals)...`);
  const started = Date.now();
  const run = await runDemo({
    users, seed: 5, port: config.port, host: config.host, dataDir: config.databaseUrl ? null : dataDir, databaseUrl: config.databaseUrl, logLevel: 'warn', onDay: drawProgress,
  });
  const { setup, resolve, events, results, cpu } = run.timings;
  const seconds = (value: number) => `${value.toFixed(1)} s`;
  const cpuTotal = cpu.setup + cpu.resolve + cpu.events + cpu.results;
  console.log(`${run.events.toLocaleString('en')} events in ${seconds((Date.now() - started) / 1000)} (wall clock): setup ${seconds(setup)}, resolve ${seconds(resolve)}, events ${seconds(events)}, results ${seconds(results)}.`);
  console.log(`CPU time of this process (embedded database included): ${seconds(cpuTotal)}: setup ${seconds(cpu.setup)}, resolve ${seconds(cpu.resolve)}, events ${seconds(cpu.events)}, results ${seconds(cpu.results)}.`);
  console.log(demoReport(run));
  // The demo's own generated key, in the URL fragment (which the browser keeps to itself), on stderr like Uplift's banner.
  process.stderr.write(`\nResults pages (signed in as admin): ${run.uplift.url}/results#key=${run.adminKey}\n`);
  for (const key of DEMO_EXPERIMENT_KEYS) process.stderr.write(`  ${run.uplift.url}/results/experiments/${key}\n`);
  process.stderr.write(`GraphiQL (signed in as admin): ${run.uplift.url}/graphql#key=${run.adminKey}\n`);
  if (!config.databaseUrl) process.stderr.write(`The data stays in ${dataDir}; restart on it with: UPLIFT_DATA_DIR=${dataDir} npm start\n`);
  console.log('Try experimentResults(key: "activity-incentives"), explainEntitlements, or resolve for user "demo-42". Ctrl+C stops the demo.');
  const stop = () => {
    run.uplift.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
