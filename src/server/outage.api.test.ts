import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startUplift, type RunningUplift } from '../app';
import { generateSecret } from '../auth/api-key.service';
import { postGraphQL } from '../testing/harness';
import { ThrowawayPostgres } from '../testing/throwaway-postgres';
import { UpliftClient } from '@uplift/sdk';

/**
 * A PostgreSQL outage under load, on a server of the test's own (a shared one cannot be stopped):
 * stopped as in a crash mid-load, started again, with an instance restart during the outage in the
 * second scenario. Limits are lowered (a 20-row memory buffer) so that exposures go through the spool.
 */
const available = ThrowawayPostgres.available();
if (!available) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED: the outage test needs the PostgreSQL server binaries (/usr/lib/postgresql/15/bin); CI installs them');
}
const describeWithPostgres = available ? describe : describe.skip;
jest.setTimeout(120_000);

const RESOLVE = 'query ($user: UserContextInput!) { resolve(user: $user) { experiments { experimentKey phase reason } } }';
const TRACK = 'mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates rejected { index } } }';
const EVENTS_PER_CALL = 5;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}


/** An experiment running on all traffic with no targeting: every resolve of a new user is a SPLIT exposure. */
async function startEveryoneExperiment(url: string, adminKey: string): Promise<void> {
  const input = {
    key: 'outage-incentives',
    name: 'Incentives during an outage',
    trafficAllocation: 100,
    primaryMetricKey: 'd7_retention',
    variants: [
      { key: 'control', name: 'Control', weight: 50, isControl: true },
      { key: 'task-system', name: 'Task system', weight: 50 },
    ],
  };
  const created = await postGraphQL(url, 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { version } }', { input }, adminKey);
  expect(created.errors).toBeUndefined();
  const started = await postGraphQL(url, `mutation { startExperiment(key: "outage-incentives", version: ${created.data.createExperiment.version}) { status } }`, undefined, adminKey);
  expect(started.errors).toBeUndefined();
}

async function post(url: string, query: string, variables: Record<string, unknown>, key: string | null, authorization?: string): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

/** Resolves of distinct users and trackEvents batches, from a few concurrent clients, recording what the server acknowledged. */
class Load {
  /** Every load started, so that a failed test still stops its clients. */
  static readonly started = new Set<Load>();
  /** `experiment|phase|user` of every SPLIT assignment a resolve answered. */
  readonly exposures = new Set<string>();
  readonly ackedEvents: string[] = [];
  /** Every trackEvents answer that was not an acknowledgement: status and code. */
  readonly refusedTracks: Answer[] = [];
  readonly resolveStatuses = new Map<number, number>();
  private running = false;
  private workers: Promise<void>[] = [];
  private next = 0;

  constructor(
    private url: string,
    private readonly sdkKey: string,
    private readonly prefix: string,
  ) {}

  retarget(url: string): void {
    this.url = url;
  }

  start(clients = 4): void {
    this.running = true;
    Load.started.add(this);
    this.workers = Array.from({ length: clients }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    Load.started.delete(this);
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (this.running) {
      const n = this.next++;
      try {
        if (n % 4 === 3) await this.track(n);
        else await this.resolve(n);
      } catch {
        // The instance itself is away (restart scenario): nothing was acknowledged.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  private async resolve(n: number): Promise<void> {
    const userId = `${this.prefix}-user-${n}`;
    const answer = await post(this.url, RESOLVE, { user: { id: userId, tier: 'regular', attributes: { appVersion: '5.3.0' } } }, this.sdkKey);
    this.resolveStatuses.set(answer.status, (this.resolveStatuses.get(answer.status) ?? 0) + 1);
    for (const assignment of answer.body.data?.resolve?.experiments ?? []) {
      if (assignment.reason === 'SPLIT') this.exposures.add(`${assignment.experimentKey}|${assignment.phase}|${userId}`);
    }
  }

  private async track(n: number): Promise<void> {
    const events = Array.from({ length: EVENTS_PER_CALL }, (_, i) => ({
      id: `${this.prefix}-event-${n}-${i}`, userId: `${this.prefix}-user-${n - 1}`, type: 'app_open', occurredAt: new Date().toISOString(),
    }));
    const answer = await post(this.url, TRACK, { events }, this.sdkKey);
    const result = answer.body.data?.trackEvents;
    if (answer.status === 200 && !answer.body.errors && result && result.accepted + result.duplicates === events.length) {
      this.ackedEvents.push(...events.map((event) => event.id));
    } else {
      this.refusedTracks.push(answer);
    }
  }

  /** What the database lacks of what was acknowledged. */
  async lost(databaseUrl: string): Promise<{ events: number; exposures: number }> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const [{ stored: storedEvents }] = (await client.query('SELECT count(*)::int AS stored FROM events WHERE id = ANY($1::text[])', [this.ackedEvents])).rows;
      const keys = [...this.exposures].map((key) => key.split('|'));
      const [{ stored: storedExposures }] = (
        await client.query(
          `SELECT count(*)::int AS stored FROM exposures e
           JOIN unnest($1::text[], $2::int[], $3::text[]) AS u(experiment_key, phase, user_id) USING (experiment_key, phase, user_id)`,
          [keys.map((k) => k[0]), keys.map((k) => Number(k[1])), keys.map((k) => k[2])],
        )
      ).rows;
      return { events: this.ackedEvents.length - storedEvents, exposures: keys.length - storedExposures };
    } finally {
      await client.end();
    }
  }
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const readyStatus = async (url: string) => (await fetch(`${url}/readyz`)).status;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('a database outage under load', () => {
  let pg: ThrowawayPostgres;
  let spoolRoot: string;
  const adminKey = generateSecret();
  const running: RunningUplift[] = [];

  const start = async (spoolDir: string): Promise<RunningUplift> => {
    const uplift = await startUplift({
      databaseUrl: pg.url, dataDir: null, spoolDir, exposureBufferRows: 20, port: 0, host: '127.0.0.1', adminKey, logLevel: process.env.LOG_LEVEL ?? 'silent',
    });
    running.push(uplift);
    return uplift;
  };
  const close = async (uplift: RunningUplift) => {
    running.splice(running.indexOf(uplift), 1);
    await uplift.close();
  };

  beforeAll(async () => {
    pg = await ThrowawayPostgres.create();
    spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-outage-'));
  });
  afterAll(async () => {
    for (const load of Load.started) await load.stop();
    for (const uplift of running) await uplift.close().catch(() => undefined);
    await pg?.destroy();
    if (spoolRoot) fs.rmSync(spoolRoot, { recursive: true, force: true });
  });

  it('answers retriable codes while it is down, keeps resolving, and loses nothing it acknowledged once it is back', async () => {
    const uplift = await start(path.join(spoolRoot, 'first'));
    await startEveryoneExperiment(uplift.url, adminKey);
    await uplift.snapshots.refresh();
    const created = async (name: string, role = 'SDK') => (await postGraphQL(uplift.url, 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', { input: { name, role } }, adminKey)).data.createApiKey.secret as string;
    const sdkKey = await created('app');
    // Created before the outage, first used during it: its lookup cannot be done.
    const unseenKey = await created('unseen-until-the-outage');
    const unseenClientKey = await created('unseen-browser', 'CLIENT');
    const clientKey = await created('browser', 'CLIENT');
    const growthBookFeatures = (key: string) => fetch(`${uplift.url}/api/features/${key}`);
    expect((await growthBookFeatures(clientKey)).status).toBe(200);

    const load = new Load(uplift.url, sdkKey, 'first');
    load.start();
    await sleep(1_000);
    await pg.stop('immediate');

    await waitFor('/readyz to go red', async () => (await readyStatus(uplift.url)) === 503);
    await waitFor('a refused trackEvents', () => load.refusedTracks.length > 0);
    const refused = load.refusedTracks.at(-1)!;
    expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' } })]);
    expect(refused).toMatchObject({ status: 503, retryAfter: '5', body: { data: null } });
    expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
    // Every refusal is the retriable one, never INTERNAL_SERVER_ERROR or a 500.
    expect(new Set(load.refusedTracks.map((answer) => `${answer.status} ${codeOf(answer)}`))).toEqual(new Set(['503 SERVICE_UNAVAILABLE']));

    // Management mutations and queries (Apollo's path), and an SDK key first seen now (both paths).
    const mutation = await post(uplift.url, 'mutation { createFlag(input: { key: "outage-flag", name: "x", type: BOOLEAN, defaultValue: false }) { key } }', {}, adminKey);
    const query = await post(uplift.url, '{ experiment(key: "outage-incentives") { key status } }', {}, adminKey);
    const unseenResolve = await post(uplift.url, RESOLVE, { user: { id: 'someone' } }, unseenKey);
    const unseenTrack = await post(uplift.url, TRACK, { events: [] }, unseenKey);
    for (const answer of [mutation, query, unseenResolve, unseenTrack]) {
      expect({ status: answer.status, retryAfter: answer.retryAfter, code: codeOf(answer) }).toEqual({ status: 503, retryAfter: '5', code: 'SERVICE_UNAVAILABLE' });
    }
    // The SDK's plain HTTP endpoints alike: a known key keeps reading the configuration, an unseen one is told to retry.
    expect((await fetch(`${uplift.url}/sdk/v1/config`, { headers: { authorization: `Bearer ${sdkKey}` } })).status).toBe(200);
    expect((await growthBookFeatures(clientKey)).status).toBe(200);
    const unseenAnswers = [
      ...['/sdk/v1/config', '/sdk/v1/stream'].map((endpoint) => fetch(`${uplift.url}${endpoint}`, { headers: { authorization: `Bearer ${unseenKey}` } })),
      growthBookFeatures(unseenClientKey),
    ];
    for (const unseen of await Promise.all(unseenAnswers)) {
      const body = (await unseen.json()) as Answer['body'];
      expect({ url: unseen.url.slice(0, 40), status: unseen.status, retryAfter: unseen.headers.get('retry-after'), code: body.errors?.[0].extensions?.code }).toEqual({ url: unseen.url.slice(0, 40), status: 503, retryAfter: '5', code: 'SERVICE_UNAVAILABLE' });
    }
    const unseenOfrep = await fetch(`${uplift.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers: { authorization: `Bearer ${unseenKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ context: { targetingKey: 'someone' } }) });
    expect({ status: unseenOfrep.status, retryAfter: unseenOfrep.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    // Partial data stays 200, with the code on the field that failed.
    const partial = await post(uplift.url, '{ sdkConfig holdout { percentage } }', {}, adminKey);
    expect(partial.status).toBe(200);
    expect(partial.body.data.sdkConfig.experiments.length).toBeGreaterThan(0);
    expect(partial.body.data.holdout).toBeNull();
    expect(codeOf(partial)).toBe('SERVICE_UNAVAILABLE');
    // A permanent error keeps its own code.
    const malformed = await post(uplift.url, RESOLVE, { user: { id: 'someone' } }, null, 'Basic abc');
    expect({ status: malformed.status, code: codeOf(malformed) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

    // Resolve keeps serving from the snapshot, and its exposures go to the spool.
    const exposuresBefore = load.exposures.size;
    await waitFor('exposures in the spool', () => uplift.exposures.spoolBytes > 0);
    // More than the 20-row memory buffer holds.
    await waitFor('exposures answered during the outage', () => load.exposures.size - exposuresBefore > 60, 40_000);

    // The SDK retries SERVICE_UNAVAILABLE until the database is back: every answer it got is recorded.
    const statuses: number[] = [];
    const client = new UpliftClient({
      url: uplift.url,
      key: sdkKey,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      },
      batch: { maxBatchSize: 10, flushIntervalMs: 10, maxQueueSize: 100, maxAttempts: 100, baseBackoffMs: 50, maxBackoffMs: 300 },
    });
    client.track({ userId: 'patient-user', type: 'app_open' });
    const tracked = client.flush();
    await waitFor('the SDK to retry', () => statuses.includes(503));

    await pg.start();
    await waitFor('/readyz to go green', async () => (await readyStatus(uplift.url)) === 200);
    await tracked;
    expect(client.stats().events).toMatchObject({ sent: 1, failed: 0, dropped: 0 });
    expect(new Set(statuses)).toEqual(new Set([503, 200]));
    await client.close();
    await sleep(500);
    await load.stop();
    await waitFor('the spool to be replayed', async () => (await uplift.exposures.flush()) && uplift.exposures.spoolBytes === 0);

    expect(load.resolveStatuses.get(200)).toBeGreaterThan(0);
    expect([...load.resolveStatuses.keys()]).toEqual([200]);
    expect(load.ackedEvents.length).toBeGreaterThan(0);
    expect(uplift.exposures.spoolPeakBytes).toBeGreaterThan(0);
    expect(uplift.exposures.replayedRows).toBeGreaterThan(0);
    expect(uplift.exposures.dropped).toBe(0);
    expect(await load.lost(pg.url)).toEqual({ events: 0, exposures: 0 });
    // Recovered without a restart: the unseen key works now.
    expect((await post(uplift.url, RESOLVE, { user: { id: 'someone' } }, unseenKey)).status).toBe(200);
    await close(uplift);
  });

  it('replays on the next start what an instance closed during the outage spooled', async () => {
    if (!pg.running) await pg.start();
    const spoolDir = path.join(spoolRoot, 'restart');
    const first = await start(spoolDir);
    const sdkKey = (await postGraphQL(first.url, 'mutation { createApiKey(input: { name: "restart-app", role: SDK }) { secret } }', undefined, adminKey)).data.createApiKey.secret as string;
    const load = new Load(first.url, sdkKey, 'restart');
    load.start();
    await sleep(700);
    await pg.stop('immediate');
    await waitFor('/readyz to go red', async () => (await readyStatus(first.url)) === 503);
    const exposuresBefore = load.exposures.size;
    await waitFor('exposures answered during the outage', () => load.exposures.size - exposuresBefore > 60, 40_000);
    await load.stop();
    // SIGTERM's path: the database is away, so what is in memory goes to disk.
    await close(first);
    const spooled = fs.readdirSync(spoolDir);
    expect(spooled.length).toBeGreaterThan(0);

    // An instance cannot start without its database (its process manager starts it again); the spool waits untouched.
    await expect(start(spoolDir)).rejects.toThrow();
    expect(fs.readdirSync(spoolDir)).toEqual(spooled);

    await pg.start();
    const second = await start(spoolDir);
    await waitFor('the earlier spool to be replayed', async () => (await second.exposures.flush()) && fs.readdirSync(spoolDir).length === 0);
    expect(second.exposures.replayedRows).toBeGreaterThan(0);
    expect(await load.lost(pg.url)).toEqual({ events: 0, exposures: 0 });
    await close(second);
  });
});
