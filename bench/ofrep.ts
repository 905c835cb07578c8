/**
 * `npm run bench:ofrep`: OFREP bulk evaluation (`POST /ofrep/v1/evaluate/flags`, every flag for
 * one user, as OpenFeature's web provider asks for them) over HTTP on the built server, with
 * bench:resolve's configuration made through the API, against a bare Node http server returning a
 * fixed body of the same size (a real bulk answer's), in the same run, with the same load: wrk,
 * 32 connections, 1,000 users' contexts, alternating rounds (BENCH_ROUNDS, default 3, of
 * BENCH_DURATION s, default 10), medians. Target: ratio at least 0.35. About two minutes.
 */
import path from 'node:path';
import { alternate, build, describeRun, row, scratch, startBare, startTarget, writeLoad, type Target } from './http-load';
import { benchUser } from './fixture';

const ROOT = path.resolve(__dirname, '..');
const BULK = '/ofrep/v1/evaluate/flags';

/** A bench user as OpenFeature's flat context: targetingKey, tier, and the attributes beside them. */
function contextBody(i: number): string {
  const { id, tier, attributes } = benchUser(i);
  return JSON.stringify({ context: { targetingKey: id, tier, ...attributes } });
}

async function main(): Promise<void> {
  build(ROOT);
  const work = scratch();
  const targets: Target[] = [];
  try {
    const load = writeLoad(work.dir, BULK, contextBody);
    const uplift = await startTarget('uplift OFREP bulk', ROOT);
    targets.push(uplift);
    const response = await fetch(`${uplift.url}${BULK}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: uplift.authorization }, body: contextBody(7) });
    const sample = await response.text();
    if (!response.ok || (JSON.parse(sample) as { flags?: unknown[] }).flags?.length !== 10) throw new Error(`OFREP bulk answered ${response.status}: ${sample}`);
    const bare = await startBare(sample);
    targets.unshift(bare);
    const { rounds, medians } = alternate(targets, load);
    const [bareResult, upliftResult] = medians;
    const ratio = upliftResult.rps / bareResult.rps;
    console.log(describeRun(sample, uplift.events));
    console.log(`rounds (req/s, bare / uplift): ${rounds[0].map((r, i) => `${Math.round(r.rps)} / ${Math.round(rounds[1][i].rps)}`).join(', ')}`);
    console.log(row(bare.name, bareResult));
    console.log(row(uplift.name, upliftResult));
    console.log(`ratio uplift / bare: ${ratio.toFixed(2)} (target >= 0.35: ${ratio >= 0.35 ? 'met' : 'NOT met'})`);
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
