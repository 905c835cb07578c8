/**
 * What the HTTP benchmarks share: a built Uplift started as `npm start` starts it, configured
 * through its API; the bare Node baseline; and load driven by wrk (`apt-get install wrk`), with
 * the request bodies sent by a Lua script.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchCatalogue, benchEntitlementRules, benchEvents, benchSnapshot, benchUser } from './fixture';
import { freshBenchDatabase, median } from './database';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';
import { freePort } from '../src/testing/ports';
import type { FlagRuleSnapshot } from '../src/assignment/snapshot';

export const CONNECTIONS = 32;
/** One wrk thread: on two cores the load generator must leave the server a core. */
const WRK_THREADS = 1;
export const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
export const WARMUP_S = 3;
/** alternate()'s slice: the targets take turns this often. */
export const SLICE_S = 1;
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const USERS = 1_000;
export const WRK = process.env.WRK ?? '/usr/bin/wrk';

export const RESOLVE = `query ($user: UserContextInput!) { resolve(user: $user) {
  userId inHoldout experiments { experimentKey variantKey payload reason } flags { key value variant reason } entitlements { key value source } } }`;

/**
 * The baseline: bare Node http answering every request, once read, with one fixed JSON body.
 * Plain JavaScript run by node itself, like the built Uplift it is compared with.
 */
const BARE_SERVER = `
const http = require('node:http');
const body = process.env.BARE_BODY;
const length = Buffer.byteLength(body);
const server = http.createServer((req, res) => {
  if (req.method === 'GET') return res.end('ok');
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/**
 * The latency percentiles wrk reports for each run, fine in the tail: runs (the slices of a round)
 * are pooled by their quantiles (pooledQuantile), so that a round's p99 is its requests' p99, not
 * an average of the slices'.
 */
const QUANTILE_GRID = [
  ...Array.from({ length: 98 }, (_, i) => i + 1),
  ...Array.from({ length: 20 }, (_, i) => Math.round((99 + i * 0.05) * 100) / 100),
  99.99, 100,
];

/**
 * wrk's script: every connection cycles through the bodies (one JSON document a line), POSTed to
 * the path, formatted into requests once at start; `done` prints the totals and the latency at
 * each percentile of QUANTILE_GRID as one JSON line.
 */
const WRK_SCRIPT = `
local requests = {}
local next = 0
function init(args)
  local headers = { ["content-type"] = "application/json", ["authorization"] = args[2] }
  for line in io.lines(args[1]) do requests[#requests + 1] = wrk.format("POST", args[3], headers, line) end
  next = math.random(#requests)
end
function request()
  next = next % #requests + 1
  return requests[next]
end
function done(summary, latency, requests)
  local e = summary.errors
  local q = {}
  for _, p in ipairs(${JSON.stringify(QUANTILE_GRID).replace('[', '{').replace(']', '}')}) do q[#q + 1] = latency:percentile(p) end
  io.write(string.format('{"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"quantilesUs":[%s]}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, table.concat(q, ",")))
end
`;

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  seconds: number;
  /** Latency (ms) at each percentile of QUANTILE_GRID, for pooling runs. */
  quantiles: number[];
  /** The server process's CPU time (user + system) per answered request, in µs; NaN when unknown. On shared cores it moves less than req/s. */
  cpuUs: number;
}

/** CPU time (user + system) of process `pid` so far, in µs, from /proc (Linux); NaN elsewhere. */
function processCpuUs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** A scratch folder for the wrk script and bodies, removed by `cleanup`. */
export function scratch(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-bench-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** What wrk sends: the script, the bodies (one a line) and the path they are POSTed to. */
export interface Load {
  script: string;
  bodies: string;
  path: string;
}

/** The bench users' resolve request. */
const resolveBody = (i: number) => JSON.stringify({ query: RESOLVE, variables: { user: benchUser(i) } });

/** One body per bench user (resolve's by default) and the wrk script, written to `dir`. */
export function writeLoad(dir: string, requestPath = '/graphql', bodyOf: (user: number) => string = resolveBody): Load {
  if (spawnSync(WRK, ['--version']).error) throw new Error(`${WRK} not found: install wrk (apt-get install wrk) or set WRK`);
  const script = path.join(dir, 'load.lua');
  const bodies = path.join(dir, 'bodies.jsonl');
  fs.writeFileSync(script, WRK_SCRIPT);
  fs.writeFileSync(bodies, `${Array.from({ length: USERS }, (_, i) => bodyOf(i)).join('\n')}\n`);
  return { script, bodies, path: requestPath };
}

/** wrk against `url` + the load's path for `seconds`; any non-2xx answer or socket error fails the benchmark. */
export function wrk(url: string, load: Load, authorization: string, seconds: number, pid?: number): LoadResult {
  const cpuBefore = processCpuUs(pid);
  const run = spawnSync(WRK, ['-t', String(WRK_THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '10s', '-s', load.script, `${url}${load.path}`, '--', load.bodies, authorization, load.path], { encoding: 'utf8' });
  const line = run.stdout?.split('\n').find((l) => l.startsWith('{'));
  if (run.status !== 0 || !line) throw new Error(`wrk failed (${run.status}): ${run.stderr}${run.stdout}`);
  const r = JSON.parse(line) as { requests: number; durationUs: number; non2xx: number; socketErrors: number; quantilesUs: number[] };
  if (r.non2xx > 0 || r.socketErrors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.socketErrors} socket errors`);
  const quantiles = r.quantilesUs.map((us) => us / 1000);
  const at = (p: number) => quantiles[QUANTILE_GRID.indexOf(p)];
  const took = r.durationUs / 1e6;
  return { rps: r.requests / took, p50: at(50), p99: at(99), requests: r.requests, seconds: took, quantiles, cpuUs: (processCpuUs(pid) - cpuBefore) / r.requests };
}

/**
 * The p-th percentile of the requests of several runs, from each run's quantiles: each grid point
 * stands for the requests between it and the one below, weighted by its run's request count.
 */
export function pooledQuantile(runs: readonly LoadResult[], p: number): number {
  const points = runs.flatMap((run) => run.quantiles.map((ms, k) => ({ ms, weight: ((QUANTILE_GRID[k] - (QUANTILE_GRID[k - 1] ?? 0)) / 100) * run.requests })));
  points.sort((a, b) => a.ms - b.ms);
  const rank = (p / 100) * points.reduce((sum, point) => sum + point.weight, 0);
  let seen = 0;
  for (const point of points) {
    seen += point.weight;
    if (seen >= rank - 1e-9) return point.ms;
  }
  return points[points.length - 1].ms;
}

/** Several runs as one: their requests over their time, their requests' percentiles, CPU per request. */
export function pooled(runs: readonly LoadResult[]): LoadResult {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  return {
    rps: requests / seconds,
    p50: pooledQuantile(runs, 50),
    p99: pooledQuantile(runs, 99),
    requests,
    seconds,
    quantiles: QUANTILE_GRID.map((p) => pooledQuantile(runs, p)),
    cpuUs: runs.reduce((sum, run) => sum + run.cpuUs * run.requests, 0) / requests,
  };
}

export const medianOf = (rounds: LoadResult[]): LoadResult => ({
  rps: median(rounds.map((r) => r.rps)),
  p50: median(rounds.map((r) => r.p50)),
  p99: median(rounds.map((r) => r.p99)),
  requests: median(rounds.map((r) => r.requests)),
  seconds: median(rounds.map((r) => r.seconds)),
  quantiles: QUANTILE_GRID.map((_, k) => median(rounds.map((r) => r.quantiles[k]))),
  cpuUs: median(rounds.map((r) => r.cpuUs)),
});

export const row = (name: string, r: LoadResult) =>
  `${name.padEnd(34)} ${Math.round(r.rps).toLocaleString('en').padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms` +
  (Number.isNaN(r.cpuUs) ? '' : `   CPU ${r.cpuUs.toFixed(1).padStart(5)} µs/request`);


/** Starts a Node process on a free port and waits until it answers GET /healthz (60 s at most). */
export async function startProcess(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && !exited; ) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${args.join(' ')} in ${cwd} did not start`);
}

/** SIGTERM, and SIGKILL if it has not exited within 15 s: a benchmark never leaves a process behind. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Builds a checkout (`npm run build`): the benchmarks measure what `npm start` runs, never ts-node (which slows every promise of the process). */
export function build(root: string): void {
  if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error(`build failed in ${root}`);
}

/** The benchmark's configuration, made through the public API as a product manager would. */
export async function configure(url: string, adminKey: string): Promise<void> {
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const result = await postGraphQL(url, query, variables, adminKey);
    if (result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const { holdout, layers, experiments, flags } = benchSnapshot;
  if (holdout) await gql('mutation ($input: HoldoutInput!) { setHoldout(input: $input) { percentage } }', { input: holdout });
  for (const layer of layers) await gql('mutation ($input: CreateLayerInput!) { createLayer(input: $input) { key } }', { input: { key: layer.key, name: layer.key, seed: layer.seed } });
  for (const experiment of experiments) {
    const input = {
      key: experiment.key,
      name: experiment.key,
      primaryMetricKey: 'd7_retention',
      trafficAllocation: experiment.trafficAllocation,
      variants: experiment.variants.map((v) => ({ key: v.key, name: v.key, weight: v.weight, isControl: v.isControl, payload: v.payload })),
      targeting: experiment.targeting,
      // Slices are allocated in whole hash buckets (1/10,000): round the fixture's sevenths down so that they fit.
      ...(experiment.layer ? { layerKey: experiment.layer.key, layerShare: Math.floor((experiment.layer.end - experiment.layer.start) * 10_000) / 100 } : {}),
    };
    await gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', { input });
    await gql(`mutation { startExperiment(key: "${experiment.key}", version: 1) { key } }`);
  }
  const ruleInput = (rule: FlagRuleSnapshot) =>
    rule.kind === 'EXPERIMENT'
      ? { id: rule.id, kind: rule.kind, targeting: rule.targeting, experimentKey: rule.experimentKey, variantValues: Object.entries(rule.values).map(([variantKey, value]) => ({ variantKey, value })) }
      : rule;
  for (const flag of flags) {
    const input = { key: flag.key, name: flag.key, type: flag.type, defaultValue: flag.defaultValue ?? {}, enabled: flag.enabled, seed: flag.seed, rules: flag.rules.map(ruleInput) };
    await gql('mutation ($input: CreateFlagInput!) { createFlag(input: $input) { key } }', { input });
  }
  for (const { key, kind, period, defaultValue } of benchCatalogue) {
    await gql('mutation ($input: CreateEntitlementInput!) { createEntitlement(input: $input) { key } }', { input: { key, name: key, kind, period, defaultValue } });
  }
  for (const rule of benchEntitlementRules) {
    await gql('mutation ($input: CreateEntitlementRuleInput!) { createEntitlementRule(input: $input) { key } }', { input: { ...rule, name: rule.key } });
  }
}

/** The bench users' recent behaviour, so that resolve reads and uses real facts. */
async function trackBenchEvents(url: string, key: string): Promise<number> {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const events = Array.from({ length: USERS }, (_, i) => benchEvents(i, today)).flat();
  for (let start = 0; start < events.length; start += 5_000) {
    const result = await postGraphQL(url, 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted rejected { message } } }', { events: events.slice(start, start + 5_000) }, key);
    if (result.errors || result.data.trackEvents.rejected.length) throw new Error(`trackEvents: ${JSON.stringify(result.errors ?? result.data.trackEvents.rejected[0])}`);
  }
  return events.length;
}

/** A built Uplift under load: its URL, the SDK key's header, one answer, and how to stop it and drop its database. */
export interface Target {
  name: string;
  url: string;
  authorization: string;
  /** The answer to one of the bodies, whose size the bare baseline copies. */
  sample: string;
  events: number;
  /** The server's process id, for its CPU time. */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * Starts the built Uplift of checkout `root` (dist/src/main.js) on a fresh database, configures it
 * through its API with the benchmark's configuration, creates an SDK key and tracks the users' events.
 */
export async function startTarget(name: string, root: string): Promise<Target> {
  const database = await freshBenchDatabase();
  let child: ChildProcess | undefined;
  const stopAll = async () => {
    if (child) await stop(child);
    await database.drop();
  };
  try {
    const adminKey = generateSecret();
    const started = await startProcess(root, ['dist/src/main.js'], { DATABASE_URL: database.url, UPLIFT_ADMIN_KEY: adminKey, LOG_LEVEL: 'info', NODE_ENV: 'production' });
    child = started.child;
    const { url } = started;
    await configure(url, adminKey);
    const created = await postGraphQL(url, 'mutation { createApiKey(input: { name: "bench", role: SDK }) { secret } }', undefined, adminKey);
    if (!created.data) throw new Error(`createApiKey: ${JSON.stringify(created.errors)}`);
    const sdkKey = created.data.createApiKey.secret as string;
    const events = await trackBenchEvents(url, sdkKey);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the snapshot rebuild after the last change
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sdkKey}` },
      body: JSON.stringify({ query: RESOLVE, variables: { user: benchUser(7) } }),
    });
    const sample = await response.text();
    if (!response.ok || JSON.parse(sample).errors) throw new Error(`${name}: ${sample}`);
    return { name, url, authorization: `Bearer ${sdkKey}`, sample, events, pid: child.pid, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The bare baseline, answering every request with `body`. */
export async function startBare(body: string): Promise<Target> {
  const { child, url } = await startProcess(os.tmpdir(), ['-e', BARE_SERVER], { BARE_BODY: body });
  return { name: 'bare node http, fixed body', url, authorization: 'Bearer none', sample: body, events: 0, pid: child.pid, stop: () => stop(child) };
}

/**
 * Warm-up, then `ROUNDS` rounds in which every target is loaded for DURATION_S; medians. A round's
 * time is taken in slices of SLICE_S, the targets' slices interleaved, the order turning by one
 * each slice, and pooled (requests over time, the requests' percentiles): on a shared host the
 * machine's speed drifts over seconds (here consecutive 10-s runs of the same server differed by
 * up to 40%), and interleaving gives every target the same machine.
 */
export function alternate(targets: Target[], load: Load): { rounds: LoadResult[][]; medians: LoadResult[] } {
  for (const target of targets) wrk(target.url, load, target.authorization, WARMUP_S, target.pid);
  const sliceS = Math.min(SLICE_S, DURATION_S);
  const slices = Math.max(1, Math.round(DURATION_S / sliceS));
  const rounds: LoadResult[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    const runs: LoadResult[][] = targets.map(() => []);
    for (let slice = 0; slice < slices; slice++) {
      for (let i = 0; i < targets.length; i++) {
        const t = (i + round + slice) % targets.length;
        runs[t].push(wrk(targets[t].url, load, targets[t].authorization, sliceS, targets[t].pid));
      }
    }
    runs.forEach((slicesOfTarget, t) => rounds[t].push(pooled(slicesOfTarget)));
  }
  return { rounds, medians: rounds.map(medianOf) };
}

/**
 * A whole benchmark against the bare baseline: builds `root`, starts its Uplift (startTarget), takes
 * the answer the baseline copies (`sampleOf`; by default startTarget's resolve answer), starts the
 * baseline, loads both in alternating rounds (bare first), prints the run, the rounds and both
 * rows, and stops everything. The caller prints its targets.
 */
export async function againstBare(name: string, root: string, loadIn: (dir: string) => Load, sampleOf?: (uplift: Target) => Promise<string>): Promise<{ bare: LoadResult; uplift: LoadResult; ratio: number }> {
  build(root);
  const work = scratch();
  const targets: Target[] = [];
  try {
    const load = loadIn(work.dir);
    const uplift = await startTarget(name, root);
    targets.push(uplift);
    const sample = sampleOf ? await sampleOf(uplift) : uplift.sample;
    const bare = await startBare(sample);
    targets.unshift(bare);
    const { rounds, medians } = alternate(targets, load);
    const [bareResult, upliftResult] = medians;
    console.log(describeRun(sample, uplift.events));
    console.log(`rounds (req/s, bare / uplift): ${rounds[0].map((r, i) => `${Math.round(r.rps)} / ${Math.round(rounds[1][i].rps)}`).join(', ')}`);
    console.log(row(bare.name, bareResult));
    console.log(row(uplift.name, upliftResult));
    return { bare: bareResult, uplift: upliftResult, ratio: upliftResult.rps / bareResult.rps };
  } finally {
    for (const target of targets) await target.stop();
    work.cleanup();
  }
}

export function describeRun(sample: string, events: number): string {
  return (
    `wrk, ${WRK_THREADS} thread, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s each (in ${Math.min(SLICE_S, DURATION_S)}-s slices, the targets' interleaved) after ${WARMUP_S} s warm-up, medians; ` +
    `${benchSnapshot.experiments.length} experiments in ${benchSnapshot.layers.length} layers, ${benchSnapshot.flags.length} flags, ${benchEntitlementRules.length} entitlement rules; ` +
    `${USERS} distinct users with ${events} events; answer ${Buffer.byteLength(sample)} bytes`
  );
}
