/**
 * `npm run bench:resolve`: resolve over HTTP on the built server (20 running experiments in 3
 * layers, 10 flags, a holdout, 12 entitlements and 30 entitlement rules, 12 of them behavioural,
 * all configured through the API; the users' events tracked through the API before the load),
 * against a bare Node http server returning a fixed JSON body of the same size, in the same run,
 * with the same load: wrk (`apt-get install wrk`; WRK=path to use another), 32 connections,
 * alternating rounds (BENCH_ROUNDS, default 3, of BENCH_DURATION s, default 10), medians.
 * Targets: ratio at least 0.35, p99 under 10 ms. About two minutes.
 * To compare two commits side by side, `npm run bench:compare` (bench/compare.ts).
 */
import path from 'node:path';
import { againstBare, writeLoad } from './http-load';

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const { uplift, ratio } = await againstBare('uplift resolve', ROOT, (dir) => writeLoad(dir));
  console.log(`ratio uplift / bare: ${ratio.toFixed(2)} (target >= 0.35: ${ratio >= 0.35 ? 'met' : 'NOT met'}); p99 ${uplift.p99.toFixed(2)} ms (target < 10 ms: ${uplift.p99 < 10 ? 'met' : 'NOT met'})`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
