/**
 * Where resolve's CPU goes, without sockets: the fast path's request handler (the very listener
 * the HTTP server runs) driven in-process with bench:resolve's configuration, users, events and
 * query, one request after another. Three variants in alternating rounds, in one process:
 *   with      the benchmark's query (entitlements { key value source })
 *   without   the same without the entitlements field (resolution still runs, nothing serialised)
 *   noRules   the benchmark's query against an empty entitlement configuration
 * It prints CPU microseconds per request (user + system; lowest, lower quartile and median of the
 * rounds: on shared cores interference only adds). Not a target benchmark: it explains bench:resolve.
 *
 * Run the compiled JavaScript (ts-node slows every promise of the process):
 *   npx tsc -p . && node dist/bench/resolve-inprocess.js
 * Env: ROUNDS (25), N requests a round (4,000); PROFILE=with|without|noRules writes a CPU profile
 * (or with HEAP=1 a sampled allocation profile) of one round of N to /tmp instead.
 */
import http from 'node:http';
import { EventEmitter } from 'node:events';
import inspector from 'node:inspector';
import fs from 'node:fs';
import { startUplift } from '../src/app';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';
import { NO_ENTITLEMENTS } from '../src/entitlements/entitlement.snapshot';
import { freshBenchDatabase, median } from './database';
import { benchEvents, benchUser } from './fixture';
import { configure } from './http-load';

const USERS = 1_000;
const N = Number(process.env.N ?? 4_000);
const ROUNDS = Number(process.env.ROUNDS ?? 25);

const WITH = `query ($user: UserContextInput!) { resolve(user: $user) {
  userId inHoldout experiments { experimentKey variantKey payload reason } flags { key value variant reason } entitlements { key value source } } }`;
const WITHOUT = WITH.replace(' entitlements { key value source }', '');

/** What the fast path reads of a request: headers, method, url, and the body as 'data' then 'end'. */
class Request extends EventEmitter {
  readonly method = 'POST';
  readonly url = '/graphql';
  constructor(readonly headers: Record<string, string>) {
    super();
  }
}

/** What the fast path writes: a status, then the body. */
class Response {
  headersSent = false;
  status = 0;
  body = '';
  constructor(private readonly done: (response: Response) => void) {}
  writeHead(status: number): this {
    this.status = status;
    this.headersSent = true;
    return this;
  }
  end(body: string): void {
    this.body = body;
    this.done(this);
  }
}

async function main(): Promise<void> {
  // The server's request listener, caught as app.ts hands it to http.createServer.
  let listener: http.RequestListener | undefined;
  const createServer = http.createServer;
  (http as { createServer: unknown }).createServer = (options: http.ServerOptions, handler: http.RequestListener) => {
    listener = handler;
    return createServer(options, handler);
  };
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  const uplift = await startUplift({ databaseUrl: database.url, dataDir: null, port: 0, host: '127.0.0.1', adminKey, logLevel: 'warn', userStateTtlMs: 3_600_000 });
  try {
    await configure(uplift.url, adminKey);
    const sdkKey = (await postGraphQL(uplift.url, 'mutation { createApiKey(input: { name: "bench", role: SDK }) { secret } }', undefined, adminKey)).data.createApiKey.secret;
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const events = Array.from({ length: USERS }, (_, i) => benchEvents(i, today)).flat();
    for (let start = 0; start < events.length; start += 5_000) {
      const result = await postGraphQL(uplift.url, 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }', { events: events.slice(start, start + 5_000) }, sdkKey);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    }
    await uplift.snapshots.refresh();

    const handler = listener!;
    const headers = { host: '127.0.0.1', 'content-type': 'application/json', authorization: `Bearer ${sdkKey}` };
    const send = (body: Buffer) =>
      new Promise<Response>((resolve) => {
        const request = new Request(headers);
        handler(request as unknown as http.IncomingMessage, new Response(resolve) as unknown as http.ServerResponse);
        request.emit('data', body);
        request.emit('end');
      });
    const bodiesOf = (query: string) => Array.from({ length: USERS }, (_, i) => Buffer.from(JSON.stringify({ query, variables: { user: benchUser(i) } })));
    const configured = uplift.snapshots.entitlements.bind(uplift.snapshots);
    const variants: Record<string, { bodies: Buffer[]; entitlements: typeof configured }> = {
      with: { bodies: bodiesOf(WITH), entitlements: configured },
      without: { bodies: bodiesOf(WITHOUT), entitlements: configured },
      noRules: { bodies: bodiesOf(WITH), entitlements: () => NO_ENTITLEMENTS },
    };
    const run = async (name: string, requests: number): Promise<number> => {
      const variant = variants[name];
      uplift.snapshots.entitlements = variant.entitlements;
      const before = process.cpuUsage();
      for (let i = 0; i < requests; i++) await send(variant.bodies[i % USERS]);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / requests;
    };
    for (const name of Object.keys(variants)) {
      uplift.snapshots.entitlements = variants[name].entitlements;
      const sample = await send(variants[name].bodies[7]);
      if (sample.status !== 200 || sample.body.includes('"errors"')) throw new Error(sample.body);
      console.log(`${name}: answer ${Buffer.byteLength(sample.body)} bytes`);
      await run(name, 20_000); // warm-up, and every user's facts read into the cache
    }

    if (process.env.PROFILE) {
      const name = process.env.PROFILE;
      const session = new inspector.Session();
      session.connect();
      const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
      const file = `/tmp/resolve-inprocess-${name}.${process.env.HEAP ? 'heapprofile' : 'cpuprofile'}`;
      if (process.env.HEAP) {
        await post('HeapProfiler.enable');
        await post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        await run(name, N);
        const { profile } = await post('HeapProfiler.stopSampling');
        fs.writeFileSync(file, JSON.stringify(profile));
        const total = (node: { selfSize: number; children: any[] }): number => node.selfSize + node.children.reduce((sum, child) => sum + total(child), 0);
        console.log(`${name}: about ${Math.round(total(profile.head) / N)} bytes allocated per request (sampled); ${file}`);
      } else {
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 50 });
        await post('Profiler.start');
        await run(name, N);
        fs.writeFileSync(file, JSON.stringify((await post('Profiler.stop')).profile));
        console.log(file);
      }
      return;
    }

    const rounds: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) for (const name of Object.keys(variants)) (rounds[name] ??= []).push(await run(name, N));
    console.log(`CPU us per request, ${ROUNDS} alternating rounds of ${N} requests (lowest / lower quartile / median):`);
    for (const [name, values] of Object.entries(rounds)) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(`  ${name.padEnd(8)} ${sorted[0].toFixed(2)} / ${sorted[Math.floor(sorted.length / 4)].toFixed(2)} / ${median(sorted).toFixed(2)}`);
    }
  } finally {
    await uplift.close();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
