/**
 * `npm run soak:outage`: a PostgreSQL outage of SOAK_OUTAGE_SECONDS (default 600) under 1,000
 * resolves/s of distinct users (SOAK_RESOLVES_PER_SECOND) and a trickle of trackEvents, against a
 * throwaway PostgreSQL and a built Uplift process this script starts itself. At the end of the
 * outage the instance is stopped with SIGTERM (it spools what it holds), the database comes back,
 * a new instance starts on the same data directory and replays the spool. Prints what was lost:
 * exposures answered versus stored, events acknowledged versus stored, the spool's peak size on
 * disk and each instance's peak RSS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { generateSecret } from '../src/auth/api-key.service';
import { pmExamples } from '../src/graphiql/graphiql';
import { postGraphQL } from '../src/testing/harness';
import { ThrowawayPostgres } from '../src/testing/throwaway-postgres';
import { freePort } from '../src/testing/ports';

const OUTAGE_S = Number(process.env.SOAK_OUTAGE_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RESOLVES_PER_SECOND ?? 1_000);
const BEFORE_S = 10;
const AFTER_S = 10;
const TRACKS_PER_SECOND = 20;
const ROOT = path.resolve(__dirname, '..');
const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { experiments { experimentKey phase reason } } }';
const TRACK = 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  child: ChildProcess;
  url: string;
  peakRssBytes(): number;
}

/** The built Uplift, on `port`, as `npm start` runs it; its log goes to a file. */
async function startUplift(env: NodeJS.ProcessEnv, log: string): Promise<Instance> {
  const out = fs.openSync(log, 'a');
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${env.PORT}`;
  let peak = 0;
  const sample = setInterval(() => {
    try {
      // VmHWM: the process's peak resident set so far.
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
    } catch {
      // exited
    }
  }, 500);
  child.once('exit', () => clearInterval(sample));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`Uplift exited with ${child.exitCode}; see ${log}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('Uplift did not become ready');
    await sleep(100);
  }
  return { child, url, peakRssBytes: () => peak };
}

function stopUplift(instance: Instance): Promise<number | null> {
  if (instance.child.exitCode !== null) return Promise.resolve(instance.child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => instance.child.kill('SIGKILL'), 30_000);
    instance.child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    instance.child.kill('SIGTERM');
  });
}

function folderBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

/** Open-loop load: RATE resolves/s of new users whatever the answers, and trackEvents batches beside them. */
class Load {
  readonly exposures = new Set<string>();
  readonly ackedEvents: string[] = [];
  readonly statuses = new Map<string, number>();
  url = '';
  private next = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly sdkKey: string) {}

  start(): void {
    const tickMs = 10;
    let due = 0;
    const started = Date.now();
    let sent = 0;
    this.timer = setInterval(() => {
      due = ((Date.now() - started) / 1000) * RATE;
      // At most 256 requests waiting: an unanswered instance must not make the script itself the bottleneck.
      while (sent < due && this.inFlight.size < 256) {
        sent++;
        this.fire(sent % Math.round(RATE / TRACKS_PER_SECOND) === 0 ? this.track() : this.resolve());
      }
    }, tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  private fire(request: Promise<void>): void {
    const tracked = request.catch((error: Error) => this.count(`no answer (${(error.cause as Error | undefined)?.message ?? error.message})`)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private count(outcome: string): void {
    this.statuses.set(outcome, (this.statuses.get(outcome) ?? 0) + 1);
  }

  private async post(query: string, variables: Record<string, unknown>) {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.sdkKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, body };
  }

  private async resolve(): Promise<void> {
    const userId = `soak-user-${this.next++}`;
    const { status, body } = await this.post(RESOLVE, { user: { id: userId, tier: 'regular', attributes: { appVersion: '5.3.0' } } });
    this.count(`resolve ${status}`);
    for (const assignment of body.data?.resolve?.experiments ?? []) {
      if (assignment.reason === 'SPLIT') this.exposures.add(`${assignment.experimentKey}|${assignment.phase}|${userId}`);
    }
  }

  private async track(): Promise<void> {
    const n = this.next++;
    const events = Array.from({ length: 10 }, (_, i) => ({ id: `soak-event-${n}-${i}`, userId: `soak-user-${n - 1}`, type: 'app_open', occurredAt: new Date().toISOString() }));
    const { status, body } = await this.post(TRACK, { events });
    this.count(`trackEvents ${status}${body.errors ? ` ${body.errors[0].extensions?.code}` : ''}`);
    const result = body.data?.trackEvents;
    if (status === 200 && !body.errors && result.accepted + result.duplicates === events.length) this.ackedEvents.push(...events.map((e) => e.id));
  }
}

async function stored(databaseUrl: string, load: Load): Promise<{ exposures: number; events: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const keys = [...load.exposures].map((key) => key.split('|'));
    const exposures = (
      await client.query(
        `SELECT count(*)::int AS n FROM exposures e JOIN unnest($1::text[], $2::int[], $3::text[]) AS u(experiment_key, phase, user_id) USING (experiment_key, phase, user_id)`,
        [keys.map((k) => k[0]), keys.map((k) => Number(k[1])), keys.map((k) => k[2])],
      )
    ).rows[0].n as number;
    const events = (await client.query('SELECT count(*)::int AS n FROM events WHERE id = ANY($1::text[])', [load.ackedEvents])).rows[0].n as number;
    return { exposures, events };
  } finally {
    await client.end();
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  if (!ThrowawayPostgres.available()) throw new Error('needs the PostgreSQL server binaries in /usr/lib/postgresql/15/bin');
  if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-soak-'));
  const dataDir = path.join(work, 'data');
  const spoolDir = path.join(dataDir, 'spool');
  const log = path.join(work, 'uplift.log');
  const pg = await ThrowawayPostgres.create();
  const instances: Instance[] = [];
  let spoolPeak = 0;
  const spoolSampler = setInterval(() => (spoolPeak = Math.max(spoolPeak, folderBytes(spoolDir))), 1_000);
  try {
    const adminKey = generateSecret();
    const env = { DATABASE_URL: pg.url, UPLIFT_DATA_DIR: dataDir, UPLIFT_ADMIN_KEY: adminKey, PORT: String(await freePort()), LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const first = await startUplift(env, log);
    instances.push(first);
    for (const example of pmExamples().filter((e) => /^0[1-4]-/.test(e.name))) {
      const result = await postGraphQL(first.url, example.query, example.variables ? JSON.parse(example.variables) : undefined, adminKey);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    }
    const sdkKey = (await postGraphQL(first.url, 'mutation { createApiKey(input: { name: "soak", role: SDK }) { secret } }', undefined, adminKey)).data.createApiKey.secret as string;
    // The configuration reaches the snapshot within its refresh; wait for resolve to see the experiment.
    await sleep(1_000);

    const load = new Load(sdkKey);
    load.url = first.url;
    console.log(`soak:outage: ${RATE} resolves/s of distinct users, ${BEFORE_S} s up, ${OUTAGE_S} s with the database stopped, instance restarted at its end, ${AFTER_S} s after`);
    load.start();
    await sleep(BEFORE_S * 1000);
    await pg.stop('immediate');
    const outageStarted = Date.now();
    await sleep(OUTAGE_S * 1000);
    // The restart during the outage: SIGTERM, so that the instance spools what it holds.
    await load.stop();
    const exitCode = await stopUplift(first);
    const spooledAtExit = folderBytes(spoolDir);
    await pg.start();
    const outageMs = Date.now() - outageStarted;
    const second = await startUplift(env, log);
    instances.push(second);
    load.url = second.url;
    load.start();
    const replayStarted = Date.now();
    while (folderBytes(spoolDir) > 0 && Date.now() - replayStarted < 600_000) await sleep(250);
    const replayMs = Date.now() - replayStarted;
    await sleep(AFTER_S * 1000);
    await load.stop();
    // Let the last exposures reach the database: SIGTERM flushes them.
    await stopUplift(second);
    const inDatabase = await stored(pg.url, load);

    const loadSeconds = BEFORE_S + outageMs / 1000 + replayMs / 1000 + AFTER_S;
    const report = {
      outageSeconds: Math.round(outageMs / 1000),
      resolvesPerSecond: { asked: RATE, answered: Math.round((load.statuses.get('resolve 200') ?? 0) / loadSeconds) },
      answers: Object.fromEntries([...load.statuses].sort()),
      exposures: { expected: load.exposures.size, stored: inDatabase.exposures, lost: load.exposures.size - inDatabase.exposures },
      events: { acked: load.ackedEvents.length, stored: inDatabase.events, lost: load.ackedEvents.length - inDatabase.events },
      spool: { peak: mib(spoolPeak), atShutdownDuringOutage: mib(spooledAtExit), replaySeconds: Math.round(replayMs / 100) / 10 },
      firstInstance: { exitCode, peakRss: mib(first.peakRssBytes()) },
      secondInstance: { peakRss: mib(second.peakRssBytes()) },
    };
    console.log(JSON.stringify(report, null, 2));
    console.log(
      `lost: ${report.exposures.lost} of ${report.exposures.expected} exposures, ${report.events.lost} of ${report.events.acked} acknowledged events; ` +
        `spool peak ${report.spool.peak}; peak RSS ${report.firstInstance.peakRss} / ${report.secondInstance.peakRss}`,
    );
    if (report.exposures.lost !== 0 || report.events.lost !== 0) process.exitCode = 1;
    if (process.exitCode === 1 || process.env.SOAK_KEEP) console.log(`Uplift's log: ${log}`);
  } finally {
    clearInterval(spoolSampler);
    for (const instance of instances) await stopUplift(instance);
    await pg.destroy();
    if (process.exitCode !== 1 && !process.env.SOAK_KEEP) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
