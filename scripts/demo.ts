/**
 * `npm run demo`: PRODUCT.md's scenario played through the API on a simulated clock (src/demo/demo.ts),
 * its results printed, then the server left running with GraphiQL to explore them. The data lives in
 * memory and is gone when the demo stops. DEMO_USERS (default 4,000), PORT (default 4000),
 * DATABASE_URL (default: embedded).
 */
import { configFromEnv } from '../src/common/config';
import { demoReport, runDemo } from '../src/demo/demo';

async function main(): Promise<void> {
  const config = configFromEnv();
  const users = Number(process.env.DEMO_USERS ?? 4_000);
  if (!Number.isInteger(users) || users < 100) throw new Error(`DEMO_USERS must be a whole number of at least 100, got "${process.env.DEMO_USERS}"`);
  console.log(`Simulating ${users.toLocaleString('en')} users over four weeks through the API...`);
  const started = Date.now();
  const run = await runDemo({ users, seed: 5, port: config.port, host: config.host, dataDir: null, databaseUrl: config.databaseUrl, logLevel: 'warn' });
  console.log(`${run.events.toLocaleString('en')} events tracked in ${Math.round((Date.now() - started) / 1000)} s.`);
  console.log(demoReport(run));
  // The demo's own generated key, in the URL fragment (which the browser keeps to itself), on stderr like Uplift's banner.
  process.stderr.write(`\nGraphiQL (signed in as admin): ${run.uplift.url}/graphql#key=${run.adminKey}\n`);
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
