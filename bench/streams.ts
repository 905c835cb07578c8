/**
 * `npm run bench:streams`: how long a configuration change takes to reach 1,000 subscribed SDK
 * streams (target: p99 under 1 s). The built server (dist/, as `npm start` runs it) on a fresh
 * PostgreSQL database, configured through its API with bench:resolve's configuration; 1,000
 * `GET /sdk/v1/stream` streams held by two client processes (raw node:http, so that the clients
 * cost as little as possible on two shared cores); then an `updateFlag` mutation. Measured from
 * just before the mutation is sent to each stream's `config` event, and to the configuration in
 * hand (each stream then fetches `GET /sdk/v1/config`, as the SDK does), each from a change of
 * its own, so that the clients' fetches do not delay their reading of the events.
 *
 * The baseline, in the same run with the same clients: a bare Node http server holding the same
 * number of streams, which writes one fixed frame to each when told, and serves a fixed body of
 * the configuration's size. BENCH_ROUNDS (default 3) rounds, each connecting every stream afresh,
 * the two targets in turn; BENCH_STREAMS (default 1,000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build, configure, startProcess, stop } from './http-load';
import { freshBenchDatabase, median } from './database';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';

const ROOT = path.resolve(__dirname, '..');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 1_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENT_PROCESSES = 2;
/** Milliseconds since the epoch, sub-millisecond, comparable between processes of one machine. */
const now = () => performance.timeOrigin + performance.now();

/**
 * One client process: opens its share of the streams (50 at a time), and once armed records, per
 * stream, when the next `config` event arrived and when the configuration it then fetched had
 * fully arrived. Plain JavaScript, run by node itself.
 */
const CLIENT = `
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const now = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
let streams = [];
let plan;
let timer;

function report() {
  clearTimeout(timer);
  process.send({ type: 'done', events: streams.map((s) => s.eventAt), configs: streams.map((s) => s.configAt) });
}

function fetchConfig(s) {
  http.get(plan.url + plan.configPath, { headers: { authorization: plan.authorization }, agent }, (res) => {
    res.resume();
    res.on('end', () => {
      s.configAt = res.statusCode === 200 ? now() : -1;
      if (streams.every((t) => t.configAt !== 0)) report();
    });
  }).on('error', () => (s.configAt = -1));
}

function heard(s) {
  s.eventAt = now();
  if (plan.fetch) fetchConfig(s);
  else if (streams.every((t) => t.eventAt !== 0)) report();
}

function open() {
  return new Promise((resolve, reject) => {
    const s = { eventAt: 0, configAt: 0, armed: false, buffer: '', first: true };
    s.req = http.get(plan.url + plan.streamPath, { headers: { authorization: plan.authorization, accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error('the stream answered HTTP ' + res.statusCode));
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        s.buffer += chunk;
        for (let end; (end = s.buffer.indexOf('\\n\\n')) >= 0; ) {
          const frame = s.buffer.slice(0, end);
          s.buffer = s.buffer.slice(end + 2);
          if (!frame.startsWith('event: config')) continue;
          if (s.first) {
            s.first = false;
            resolve();
          } else if (s.armed && s.eventAt === 0) {
            heard(s);
          }
        }
      });
      res.on('error', () => undefined);
    });
    s.req.on('error', reject);
    streams.push(s);
  });
}

process.on('message', async (message) => {
  try {
    if (message.type === 'connect') {
      plan = message.plan;
      for (let i = 0; i < plan.count; i += 50) await Promise.all(Array.from({ length: Math.min(50, plan.count - i) }, open));
      process.send({ type: 'connected' });
    } else if (message.type === 'arm') {
      plan.fetch = message.fetch;
      for (const s of streams) Object.assign(s, { armed: true, eventAt: 0, configAt: 0 });
      // Whatever has not arrived in 30 s is reported missing.
      timer = setTimeout(report, 30000);
      process.send({ type: 'armed' });
    } else if (message.type === 'close') {
      for (const s of streams) s.req.destroy();
      streams = [];
      process.send({ type: 'closed' });
    }
  } catch (error) {
    process.send({ type: 'error', message: String(error && error.message) });
  }
});
`;

/** The baseline: streams held by bare Node http, one fixed frame written to each on POST /broadcast, a fixed body on GET /config. */
const BARE_SSE = `
const http = require('node:http');
const body = process.env.BARE_BODY;
const length = Buffer.byteLength(body);
const streams = new Set();
let version = 0;
const frame = () => 'event: config\\nid: ' + version + '\\ndata: {"version":"' + version + '"}\\n\\n';
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  if (req.url === '/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(frame());
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  if (req.url === '/config') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
    return res.end(body);
  }
  if (req.method === 'POST' && req.url === '/broadcast') {
    version++;
    const f = frame();
    for (const s of streams) s.write(f);
    res.writeHead(204);
    return res.end();
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

interface Plan {
  url: string;
  streamPath: string;
  configPath: string;
  authorization: string;
}

interface Target {
  name: string;
  plan: Plan;
  /** Makes the change the streams are to hear of. */
  change(): Promise<void>;
  stop(): Promise<void>;
}

type Message = { type: 'connected' | 'armed' | 'closed' } | { type: 'done'; events: number[]; configs: number[] } | { type: 'error'; message: string };

class ClientProcess {
  private readonly child: ChildProcess = spawn(process.execPath, ['-e', CLIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  /** The next message of `type` (an error message rejects). */
  next<T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> {
    return new Promise((resolve, reject) => {
      const listener = (message: Message) => {
        if (message.type !== type && message.type !== 'error') return;
        this.child.off('message', listener);
        if (message.type === 'error') reject(new Error(`client process: ${message.message}`));
        else resolve(message as Extract<Message, { type: T }>);
      };
      this.child.on('message', listener);
    });
  }

  ask<T extends Message['type']>(message: object, reply: T): Promise<Extract<Message, { type: T }>> {
    const answer = this.next(reply);
    this.child.send(message);
    return answer;
  }

  stop(): Promise<void> {
    return stop(this.child);
  }
}

/** The built Uplift on a fresh database with bench:resolve's configuration, an SDK key, and a flag to change. */
async function startUplift(): Promise<Target> {
  const database = await freshBenchDatabase();
  let child: ChildProcess | undefined;
  try {
    const adminKey = generateSecret();
    const started = await startProcess(ROOT, ['dist/src/main.js'], { DATABASE_URL: database.url, UPLIFT_ADMIN_KEY: adminKey, LOG_LEVEL: 'info', NODE_ENV: 'production' });
    child = started.child;
    const { url } = started;
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const result = await postGraphQL(url, query, variables, adminKey);
      if (!result.data || result.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
      return result.data;
    };
    await configure(url, adminKey);
    const sdkKey = (await gql('mutation { createApiKey(input: { name: "bench-streams", role: SDK }) { secret } }')).createApiKey.secret as string;
    let version = (await gql('mutation { createFlag(input: { key: "bench-live", name: "Live", type: NUMBER, defaultValue: 0, enabled: true }) { version } }')).createFlag.version as number;
    let value = 0;
    const stopAll = async () => {
      if (child) await stop(child);
      await database.drop();
    };
    return {
      name: 'uplift (updateFlag mutation)',
      plan: { url, streamPath: '/sdk/v1/stream', configPath: '/sdk/v1/config', authorization: `Bearer ${sdkKey}` },
      async change() {
        version = (await gql('mutation ($v: Int!, $d: JSON!) { updateFlag(key: "bench-live", version: $v, input: { defaultValue: $d }) { version } }', { v: version, d: ++value })).updateFlag.version;
      },
      stop: stopAll,
    };
  } catch (error) {
    if (child) await stop(child);
    await database.drop();
    throw error;
  }
}

async function startBare(configBody: string): Promise<Target> {
  const { child, url } = await startProcess(os.tmpdir(), ['-e', BARE_SSE], { BARE_BODY: configBody });
  return {
    name: 'bare node http SSE (fixed frame)',
    plan: { url, streamPath: '/stream', configPath: '/config', authorization: 'Bearer none' },
    async change() {
      const response = await fetch(`${url}/broadcast`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`broadcast answered ${response.status}`);
    },
    stop: () => stop(child),
  };
}

interface Round {
  /** Milliseconds from just before a change to each stream's event. */
  events: number[];
  /** The same for another change, to each stream's configuration in hand (fetched on hearing of it). */
  configs: number[];
  missing: number;
  changeMs: number;
}

/** One change heard of by every stream: when each heard (and, with `fetch`, had the configuration), since just before the change. */
async function change(target: Target, clients: ClientProcess[], fetch: boolean): Promise<{ times: number[]; changeMs: number }> {
  await Promise.all(clients.map((client) => client.ask({ type: 'arm', fetch }, 'armed')));
  const reports = clients.map((client) => client.next('done'));
  const before = now();
  await target.change();
  const changeMs = now() - before;
  const done = await Promise.all(reports);
  return { times: done.flatMap((d) => (fetch ? d.configs : d.events)).filter((t) => t > 0).map((t) => t - before), changeMs };
}

/**
 * Every stream connected afresh, then two changes: the first measures the events alone (the
 * clients do nothing else meanwhile), the second the configuration in hand.
 */
async function measure(target: Target, clients: ClientProcess[]): Promise<Round> {
  const shares = clients.map((_, i) => Math.floor(STREAMS / clients.length) + (i < STREAMS % clients.length ? 1 : 0));
  await Promise.all(clients.map((client, i) => client.ask({ type: 'connect', plan: { ...target.plan, count: shares[i] } }, 'connected')));
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the connections settle
  const events = await change(target, clients, false);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const configs = await change(target, clients, true);
  await Promise.all(clients.map((client) => client.ask({ type: 'close' }, 'closed')));
  return { events: events.times, configs: configs.times, missing: 2 * STREAMS - events.times.length - configs.times.length, changeMs: events.changeMs };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
};
const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
const summary = (values: number[]) => `p50 ${ms(percentile(values, 0.5))}  p99 ${ms(percentile(values, 0.99))}  max ${ms(Math.max(...values))}`;

async function main(): Promise<void> {
  build(ROOT);
  const targets: Target[] = [];
  const clients = Array.from({ length: CLIENT_PROCESSES }, () => new ClientProcess());
  try {
    const uplift = await startUplift();
    targets.push(uplift);
    const configBody = await (await fetch(`${uplift.plan.url}${uplift.plan.configPath}`, { headers: { authorization: uplift.plan.authorization } })).text();
    const bare = await startBare(configBody);
    targets.unshift(bare);
    const rounds = new Map<Target, Round[]>(targets.map((target) => [target, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length];
        const result = await measure(target, clients);
        rounds.get(target)!.push(result);
        console.log(`round ${round + 1} ${target.name.padEnd(34)} event ${summary(result.events)} | config in hand ${summary(result.configs)} | change answered in ${ms(result.changeMs)}${result.missing ? ` | ${result.missing} MISSING` : ''}`);
      }
    }
    console.log(`\n${STREAMS.toLocaleString('en')} streams from ${CLIENT_PROCESSES} client processes, ${ROUNDS} rounds (medians of the rounds' percentiles); configuration ${Buffer.byteLength(configBody).toLocaleString('en')} bytes`);
    const p99 = (target: Target, of: 'events' | 'configs') => median(rounds.get(target)!.map((r) => percentile(r[of], 0.99)));
    const p50 = (target: Target, of: 'events' | 'configs') => median(rounds.get(target)!.map((r) => percentile(r[of], 0.5)));
    for (const target of targets) {
      console.log(`${target.name.padEnd(34)} event p50 ${ms(p50(target, 'events'))} p99 ${ms(p99(target, 'events'))} | config in hand p50 ${ms(p50(target, 'configs'))} p99 ${ms(p99(target, 'configs'))}`);
    }
    const missing = [...rounds.values()].flat().reduce((sum, r) => sum + r.missing, 0);
    const upliftP99 = p99(uplift, 'events');
    console.log(
      `uplift event p99 ${upliftP99.toFixed(0)} ms (target < 1,000 ms: ${upliftP99 < 1_000 && missing === 0 ? 'met' : 'NOT met'}); ` +
        `ratio of p99s uplift / bare: events ${(upliftP99 / p99(bare, 'events')).toFixed(1)}x, config in hand ${(p99(uplift, 'configs') / p99(bare, 'configs')).toFixed(1)}x` +
        (missing ? `; ${missing} streams never heard of a change` : ''),
    );
  } finally {
    for (const client of clients) await client.stop();
    for (const target of targets) await target.stop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
