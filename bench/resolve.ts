/**
 * `npm run bench:resolve`: resolve over HTTP (20 running experiments in 3 layers, 10 flags, a
 * holdout, 12 entitlements and 30 entitlement rules, 12 of them behavioural, all configured through
 * the API; the users' events tracked through the API before the load), against a bare Node http
 * server returning a fixed JSON body of the same size, in the same run, with the same load:
 * autocannon, 32 connections, alternating rounds (BENCH_ROUNDS, default 3), medians.
 * Targets: ratio at least 0.35, p99 under 10 ms.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { benchCatalogue, benchEntitlementRules, benchEvents, benchSnapshot, benchUser } from './fixture';
import { freshBenchDatabase, median } from './database';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';
import type { FlagRuleSnapshot } from '../src/assignment/snapshot';

const CONNECTIONS = 32;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const USERS = 1_000;
const ROOT = path.resolve(__dirname, '..');

const RESOLVE = `query ($user: UserContextInput!) { resolve(user: $user) {
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
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Starts a Node process and waits for the JSON line in which it says where it listens. */
function startProcess(args: string[], env: NodeJS.ProcessEnv, urlOf: (line: Record<string, unknown>) => string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        try {
          const url = urlOf(JSON.parse(line));
          if (url) return resolve({ child, url });
        } catch {
          // not a JSON line
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code}`)));
  });
}

/** SIGTERM, and SIGKILL if it has not exited within 15 s: a benchmark never leaves a process behind. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
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

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, headers: Record<string, string>, bodies: string[], seconds: number): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'POST', headers, setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  // Measure what npm start runs: the built JavaScript. (ts-node loads Node's repl and with it the
  // domain module, which slows every promise and event emitter of the process.)
  if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  const children: ChildProcess[] = [];
  try {
    const uplift = await startProcess(
      ['dist/src/main.js'],
      { DATABASE_URL: database.url, UPLIFT_ADMIN_KEY: adminKey, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production' },
      (line) => (line.msg === 'Uplift is ready' ? (line.url as string) : undefined),
    );
    children.push(uplift.child);
    await configure(uplift.url, adminKey);
    const sdkKey = (await postGraphQL(uplift.url, 'mutation { createApiKey(input: { name: "bench", role: SDK }) { secret } }', undefined, adminKey)).data.createApiKey.secret;
    const tracked = await trackBenchEvents(uplift.url, sdkKey);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the snapshot rebuild after the last change

    const bodies = Array.from({ length: USERS }, (_, i) => JSON.stringify({ query: RESOLVE, variables: { user: benchUser(i) } }));
    const sample = await fetch(`${uplift.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${sdkKey}` }, body: bodies[7] });
    const sampleBody = await sample.text();
    const parsed = JSON.parse(sampleBody);
    if (parsed.errors) throw new Error(sampleBody);
    const bare = await startProcess(['-e', BARE_SERVER], { BARE_BODY: sampleBody }, (line) => line.url as string);
    children.push(bare.child);

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${sdkKey}` };
    await load(bare.url, headers, bodies, WARMUP_S);
    await load(uplift.url, headers, bodies, WARMUP_S);
    // Alternating rounds, medians: on two shared cores one round of either can be hit by a neighbour.
    const bareRounds: LoadResult[] = [];
    const upliftRounds: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bareRounds.push(await load(bare.url, headers, bodies, DURATION_S));
      upliftRounds.push(await load(uplift.url, headers, bodies, DURATION_S));
    }
    const medianOf = (rounds: LoadResult[]): LoadResult => ({ rps: median(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)) });
    const bareResult = medianOf(bareRounds);
    const upliftResult = medianOf(upliftRounds);

    const ratio = upliftResult.rps / bareResult.rps;
    const row = (name: string, r: LoadResult) =>
      `${name.padEnd(34)} ${Math.round(r.rps).toLocaleString('en').padStart(8)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms`;
    console.log(
      `autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s each after ${WARMUP_S} s warm-up, medians; ${benchSnapshot.experiments.length} experiments in ${benchSnapshot.layers.length} layers, ` +
        `${benchSnapshot.flags.length} flags, ${benchEntitlementRules.length} entitlement rules; ${USERS} distinct users with ${tracked} events; answer ${Buffer.byteLength(sampleBody)} bytes`,
    );
    console.log(`rounds (req/s, bare / uplift): ${bareRounds.map((r, i) => `${Math.round(r.rps)} / ${Math.round(upliftRounds[i].rps)}`).join(', ')}`);
    console.log(row('bare node http, fixed body', bareResult));
    console.log(row('uplift resolve', upliftResult));
    console.log(`ratio uplift / bare: ${ratio.toFixed(2)} (target >= 0.35: ${ratio >= 0.35 ? 'met' : 'NOT met'}); p99 ${upliftResult.p99} ms (target < 10 ms: ${upliftResult.p99 < 10 ? 'met' : 'NOT met'})`);
  } finally {
    for (const child of children) await stop(child);
    await database.drop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
