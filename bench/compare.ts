/**
 * `npm run bench:compare -- <before-ref> [<after-ref>] [--bench resolve|ingest|results]`: one
 * benchmark on two commits side by side in one run. The after side is the working tree when no
 * second ref is given.
 *
 * resolve (the default): under wrk, each against the same bare Node http baseline (bench:resolve's
 * configuration, load and baseline: bench/http-load.ts), as below.
 *
 * ingest and results: each commit's own `bench/<name>.ts` (its ratio to a baseline measured in
 * the same process: COPY for ingest, a count(*) scan for results), run in turn, before and after
 * alternating (BENCH_ROUNDS pairs, default 3 for ingest and 1 for results, whose data set takes
 * minutes to load), medians of the ratios; the change is in the direction "positive is faster".
 *
 * Each ref is checked out in a temporary git worktree (its node_modules a symlink to this
 * checkout's when the lockfiles are equal, else `npm ci`) and built (`npm run build`): the built
 * dist/ runs, as `npm start` runs it. Both get a fresh database with the same configuration and
 * events; then bare, before and after are loaded in turn (BENCH_ROUNDS rounds, default 3, of
 * BENCH_DURATION s, default 10, each taken in 1-s slices interleaved across the three: see
 * `alternate`), medians. It prints each side's ratio to bare and the change in %; a change within
 * -5% is "no slower". BENCH_RUNS (default 1) repeats the whole comparison, on fresh servers, and
 * prints the median change: one run's change is not steady on a shared host. The worktrees and
 * databases are removed at the end, also on failure. About three minutes plus the builds (two more
 * a run). Needs wrk (`apt-get install wrk`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, build, describeRun, row, scratch, startBare, startTarget, writeLoad, type Target } from './http-load';
import { median } from './database';

const ROOT = path.resolve(__dirname, '..');
/** The bar: resolve's ratio to bare down by no more than this. */
const NO_SLOWER_PERCENT = -5;
/**
 * Whole comparisons for resolve (fresh servers and databases, warm-up, BENCH_ROUNDS rounds): on a
 * shared host one comparison's change moved by 10 points or more from run to run, so a verdict
 * rests on the median of several.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const signed = (change: number) => `${change >= 0 ? '+' : ''}${change.toFixed(1)}`;
const verdict = (change: number) => ` (no slower means >= ${NO_SLOWER_PERCENT}%: ${change >= NO_SLOWER_PERCENT ? 'met' : 'NOT met'})`;

function git(args: string[], cwd = ROOT): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.trim();
}

interface Checkout {
  label: string;
  root: string;
  remove(): void;
}

/** `ref` in a temporary worktree, with node_modules, built. */
function checkout(ref: string): Checkout {
  const sha = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const label = `${sha.slice(0, 10)} ${git(['log', '-1', '--format=%s', sha]).slice(0, 80)}`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `uplift-compare-${sha.slice(0, 7)}-`));
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', root], { cwd: ROOT });
    fs.rmSync(root, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: ROOT });
  };
  try {
    git(['worktree', 'add', '--detach', root, sha]);
    const sameLock = fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8') === fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8');
    if (sameLock) fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    else {
      console.log(`${label}: its package-lock.json differs, npm ci`);
      if (spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error(`npm ci failed for ${ref}`);
    }
    build(root);
    return { label, root, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

function workingTree(): Checkout {
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  build(ROOT);
  return { label: `working tree at ${git(['rev-parse', '--short=10', 'HEAD'])}${dirty ? ' with uncommitted changes' : ''}`, root: ROOT, remove: () => undefined };
}

/** What each script prints as its ratio, and whether a higher ratio is faster. */
const SCRIPT_BENCHES = {
  ingest: { ratioLine: /^ratio trackEvents \/ COPY\s+([\d.]+)/m, higherIsFaster: true, defaultRounds: 3 },
  results: { ratioLine: /^ratio results \/ scan\s+([\d.]+)/m, higherIsFaster: false, defaultRounds: 1 },
} as const;
type ScriptBench = keyof typeof SCRIPT_BENCHES;

/** `bench/<name>.ts` of a checkout, run with ts-node as its npm script runs it; its printed ratio. */
function runScriptBench(name: ScriptBench, root: string): number {
  const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', `bench/${name}.ts`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(run.stdout ?? '');
  const ratio = SCRIPT_BENCHES[name].ratioLine.exec(run.stdout ?? '')?.[1];
  if (run.status !== 0 || ratio === undefined) throw new Error(`bench/${name}.ts failed in ${root} (exit ${run.status})`);
  return Number(ratio);
}

function compareScripts(name: ScriptBench, before: Checkout, after: Checkout): void {
  const { higherIsFaster, defaultRounds } = SCRIPT_BENCHES[name];
  const rounds = Number(process.env.BENCH_ROUNDS ?? defaultRounds);
  const ratios = { before: [] as number[], after: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // The order turns each round, so that neither side always runs on a warmer machine.
    const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const side of order) {
      console.log(`--- ${name}, round ${round + 1} of ${rounds}: ${side}`);
      ratios[side].push(runScriptBench(name, side === 'before' ? before.root : after.root));
    }
  }
  const ratioBefore = median(ratios.before);
  const ratioAfter = median(ratios.after);
  const change = ((higherIsFaster ? ratioAfter / ratioBefore : ratioBefore / ratioAfter) - 1) * 100;
  console.log(`before: ${before.label}`);
  console.log(`after:  ${after.label}`);
  console.log(`${name} ratios (${higherIsFaster ? 'higher' : 'lower'} is faster), before: ${ratios.before.join(', ')}; after: ${ratios.after.join(', ')}`);
  console.log(`median ratio before: ${ratioBefore.toFixed(2)}, after: ${ratioAfter.toFixed(2)}`);
  console.log(`change: ${signed(change)}%${verdict(change)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const benchAt = args.indexOf('--bench');
  const bench = benchAt >= 0 ? args.splice(benchAt, 2)[1] : 'resolve';
  const [beforeRef, afterRef] = args;
  if (!beforeRef || !['resolve', ...Object.keys(SCRIPT_BENCHES)].includes(bench)) {
    throw new Error('usage: npm run bench:compare -- <before-ref> [<after-ref>] [--bench resolve|ingest|results]   (after: the working tree)');
  }
  if (bench !== 'resolve') {
    const checkouts: Checkout[] = [];
    try {
      checkouts.push(checkout(beforeRef));
      checkouts.push(afterRef ? checkout(afterRef) : workingTree());
      compareScripts(bench as ScriptBench, checkouts[0], checkouts[1]);
    } finally {
      for (const c of checkouts) c.remove();
    }
    return;
  }
  const checkouts: Checkout[] = [];
  let targets: Target[] = [];
  const work = scratch();
  try {
    const load = writeLoad(work.dir);
    checkouts.push(checkout(beforeRef));
    checkouts.push(afterRef ? checkout(afterRef) : workingTree());
    const [before, after] = checkouts;
    const changes: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // Fresh processes and databases each run: two processes of the same build differed by up to 8%.
      targets = [await startTarget('before', before.root), await startTarget('after', after.root)];
      const [beforeTarget, afterTarget] = targets;
      targets.unshift(await startBare(afterTarget.sample));
      if (run === 1) {
        console.log(`before: ${before.label}`);
        console.log(`after:  ${after.label}`);
        console.log(describeRun(afterTarget.sample, afterTarget.events));
        if (Buffer.byteLength(beforeTarget.sample) !== Buffer.byteLength(afterTarget.sample)) {
          console.log(`note: the answers differ in size (before ${Buffer.byteLength(beforeTarget.sample)}, after ${Buffer.byteLength(afterTarget.sample)} bytes); bare copies after's`);
        }
      }
      const { rounds, medians } = alternate(targets, load);
      for (const target of targets) await target.stop();
      targets = [];
      const [bare, beforeResult, afterResult] = medians;
      const ratioBefore = beforeResult.rps / bare.rps;
      const ratioAfter = afterResult.rps / bare.rps;
      const change = (ratioAfter / ratioBefore - 1) * 100;
      changes.push(change);
      if (RUNS > 1) console.log(`--- run ${run} of ${RUNS}`);
      console.log(`rounds (req/s, bare / before / after): ${rounds[0].map((_, i) => rounds.map((r) => Math.round(r[i].rps)).join(' / ')).join(', ')}`);
      console.log(row('bare node http, fixed body', bare));
      console.log(row('uplift resolve, before', beforeResult));
      console.log(row('uplift resolve, after', afterResult));
      console.log(`ratio before / bare: ${ratioBefore.toFixed(3)}`);
      console.log(`ratio after / bare:  ${ratioAfter.toFixed(3)}`);
      console.log(`change: ${signed(change)}%${RUNS > 1 ? '' : verdict(change)}`);
    }
    if (RUNS > 1) {
      console.log(`changes of the ${RUNS} runs: ${changes.map(signed).join(', ')}`);
      console.log(`median change: ${signed(median(changes))}%${verdict(median(changes))}`);
    }
  } finally {
    for (const target of targets) await target.stop();
    for (const c of checkouts) c.remove();
    work.cleanup();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
