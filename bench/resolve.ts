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
import { alternate, build, describeRun, row, scratch, startBare, startTarget, writeLoad, type Target } from './http-load';

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  build(ROOT);
  const work = scratch();
  const targets: Target[] = [];
  try {
    const load = writeLoad(work.dir);
    const uplift = await startTarget('uplift resolve', ROOT);
    targets.push(uplift);
    const bare = await startBare(uplift.sample);
    targets.unshift(bare);
    const { rounds, medians } = alternate(targets, load);
    const [bareResult, upliftResult] = medians;
    const ratio = upliftResult.rps / bareResult.rps;
    console.log(describeRun(uplift.sample, uplift.events));
    console.log(`rounds (req/s, bare / uplift): ${rounds[0].map((r, i) => `${Math.round(r.rps)} / ${Math.round(rounds[1][i].rps)}`).join(', ')}`);
    console.log(row(bare.name, bareResult));
    console.log(row(uplift.name, upliftResult));
    console.log(`ratio uplift / bare: ${ratio.toFixed(2)} (target >= 0.35: ${ratio >= 0.35 ? 'met' : 'NOT met'}); p99 ${upliftResult.p99.toFixed(2)} ms (target < 10 ms: ${upliftResult.p99 < 10 ? 'met' : 'NOT met'})`);
  } finally {
    for (const target of targets) await target.stop();
    work.cleanup();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
