/**
 * `npm run bench:ofrep`: OFREP bulk evaluation (`POST /ofrep/v1/evaluate/flags`, every flag for
 * one user, as OpenFeature's web provider asks for them) over HTTP on the built server, with
 * bench:resolve's configuration made through the API, against a bare Node http server returning a
 * fixed body of the same size (a real bulk answer's), in the same run, with the same load: wrk,
 * 32 connections, 1,000 users' contexts, alternating rounds (BENCH_ROUNDS, default 3, of
 * BENCH_DURATION s, default 10), medians. Target: ratio at least 0.35. About two minutes.
 */
import path from 'node:path';
import { againstBare, writeLoad, type Target } from './http-load';
import { benchUser } from './fixture';

const ROOT = path.resolve(__dirname, '..');
const BULK = '/ofrep/v1/evaluate/flags';

/** A bench user as OpenFeature's flat context: targetingKey, tier, and the attributes beside them. */
function contextBody(i: number): string {
  const { id, tier, attributes } = benchUser(i);
  return JSON.stringify({ context: { targetingKey: id, tier, ...attributes } });
}

/** A real bulk answer (every flag of bench user 7): what the baseline sends, at its size. */
async function bulkAnswer(uplift: Target): Promise<string> {
  const response = await fetch(`${uplift.url}${BULK}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: uplift.authorization }, body: contextBody(7) });
  const answer = await response.text();
  if (!response.ok || (JSON.parse(answer) as { flags?: unknown[] }).flags?.length !== 10) throw new Error(`OFREP bulk answered ${response.status}: ${answer}`);
  return answer;
}

async function main(): Promise<void> {
  const { ratio } = await againstBare('uplift OFREP bulk', ROOT, (dir) => writeLoad(dir, BULK, contextBody), bulkAnswer);
  console.log(`ratio uplift / bare: ${ratio.toFixed(2)} (target >= 0.35: ${ratio >= 0.35 ? 'met' : 'NOT met'})`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
