/**
 * `npm run bench:memory`: resident memory (RSS) of the built Uplift on PostgreSQL at rest, started
 * on a database holding 1,000 running experiments (50 layers of 20, three variants each), against
 * the same Uplift started on 20 running experiments (1 layer of 20), in the same run. Each is a
 * fresh process, measured BENCH_SETTLE_S (default 5) seconds after its snapshot holds the whole
 * configuration; the 1,000 twice: written before the process starts, and made through the API of
 * the running process (50 createLayer, 1,000 createExperiment and startExperiment), which rebuilds
 * its snapshot as it goes. Then the instance configured through the API serves resolve under wrk
 * (bench:resolve's load: 32 connections, 1,000 users; WARMUP_S then DURATION_S), beside bare Node
 * http answering a body of the same size in the same run, and its peak resident memory under that
 * load is read. Targets: under 200 MB at 1,000 experiments; resolve's p99 under 10 ms there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freshBenchDatabase } from './database';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';
import { benchUser } from './fixture';
import { DURATION_S, RESOLVE, scratch, startBare, WARMUP_S, writeLoad, wrk, type LoadResult } from './http-load';

const ROOT = path.resolve(__dirname, '..');
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 5);
const TARGET_MB = 200;
const TARGET_P99_MS = 10;

/** Starts the built Uplift and waits for its "listening" log line. */
function startUplift(databaseUrl: string, adminKey: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, UPLIFT_ADMIN_KEY: adminKey, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      for (const line of buffered.split('\n').slice(0, -1)) {
        try {
          const url = (JSON.parse(line) as { url?: string }).url;
          if (url) return resolve({ child, url });
        } catch {
          // not a JSON line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`uplift exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process, from the kernel (Linux), in MB. */
function residentMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
  return kb / 1024;
}

/** `layers` layers of `perLayer` running experiments each, on disjoint slices, three variants each; written directly. */
async function configure(databaseUrl: string, layers: number, perLayer: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO layers (key, name, seed) SELECT 'layer-' || l, 'Layer ' || l, 'layer-seed-' || l FROM generate_series(1, $1) l`, [layers]);
    await client.query(
      `INSERT INTO experiments (key, name, seed, status, targeting, layer_key, layer_share, layer_slice_start, layer_slice_end, started_at, owner)
       SELECT 'exp-' || l || '-' || e, 'Experiment ' || l || '-' || e, 'exp-' || l || '-' || e, 'RUNNING',
              '{"tiers":[],"match":"ALL","conditions":[]}'::jsonb, 'layer-' || l, 100.0 / $2, (e - 1)::float8 / $2, e::float8 / $2, now(), 'bench'
       FROM generate_series(1, $1) l, generate_series(1, $2) e`,
      [layers, perLayer],
    );
    await client.query(
      `INSERT INTO experiment_variants (experiment_id, position, key, name, weight, is_control, payload)
       SELECT x.id, v - 1, 'v' || v, 'Variant ' || v, CASE WHEN v = 1 THEN 33.34 ELSE 33.33 END, v = 1, jsonb_build_object('reward', v * 10)
       FROM experiments x, generate_series(1, 3) v`,
    );
  } finally {
    await client.end();
  }
}

/** The same configuration made through the API of a running instance, as a team would: createLayer, createExperiment, startExperiment. */
async function configureThroughApi(url: string, adminKey: string, layers: number, perLayer: number): Promise<void> {
  const must = async (query: string, variables: Record<string, unknown>) => {
    const result = await postGraphQL(url, query, variables, adminKey);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  };
  const variants = [1, 2, 3].map((v) => ({ key: `v${v}`, name: `Variant ${v}`, weight: v === 1 ? 33.34 : 33.33, isControl: v === 1, payload: { reward: v * 10 } }));
  for (let l = 1; l <= layers; l++) await must('mutation ($input: CreateLayerInput!) { createLayer(input: $input) { key } }', { input: { key: `layer-${l}`, name: `Layer ${l}` } });
  const keys = Array.from({ length: layers * perLayer }, (_, i) => ({ key: `exp-${Math.floor(i / perLayer) + 1}-${(i % perLayer) + 1}`, layer: Math.floor(i / perLayer) + 1 }));
  // A few requests in flight, as several people configuring at once would send.
  for (let i = 0; i < keys.length; i += 8) {
    await Promise.all(keys.slice(i, i + 8).map(async ({ key, layer }) => {
      await must('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
        input: { key, name: `Experiment ${key}`, variants, layerKey: `layer-${layer}`, layerShare: 100 / perLayer, primaryMetricKey: 'd7_retention' },
      });
      await must('mutation ($key: String!) { startExperiment(key: $key, version: 1) { status } }', { key });
    }));
  }
}

interface UnderLoad {
  resolve: LoadResult;
  bare: LoadResult;
  peakMb: number;
  answerBytes: number;
}

/** resolve under wrk on the running instance (its RSS sampled meanwhile), then bare Node http with an answer of the same size. */
async function resolveUnderLoad(url: string, adminKey: string, pid: number): Promise<UnderLoad> {
  const created = await postGraphQL(url, 'mutation { createApiKey(input: { name: "bench", role: SDK }) { secret } }', undefined, adminKey);
  const authorization = `Bearer ${(created.data as { createApiKey: { secret: string } }).createApiKey.secret}`;
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: RESOLVE, variables: { user: benchUser(7) } }) });
  const sample = await response.text();
  if (!response.ok || JSON.parse(sample).errors) throw new Error(`resolve: ${sample}`);
  const work = scratch();
  try {
    const load = writeLoad(work.dir);
    // wrk runs synchronously: the sampler runs in a child so that it sees the whole run.
    const sampler = spawn(process.execPath, ['-e', `const fs=require('fs');let peak=0;const read=()=>{try{peak=Math.max(peak,Number(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/${pid}/status','utf8'))[1]))}catch{}};setInterval(read,100);process.on('SIGTERM',()=>{read();process.stdout.write(String(peak/1024));process.exit(0)})`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let sampled = '';
    sampler.stdout!.on('data', (chunk) => (sampled += chunk));
    wrk(url, load, authorization, WARMUP_S, pid);
    const resolve = wrk(url, load, authorization, DURATION_S, pid);
    await new Promise<void>((done) => {
      sampler.once('exit', () => done());
      sampler.kill('SIGTERM');
    });
    const peakMb = Number(sampled);
    const bare = await startBare(sample);
    try {
      wrk(bare.url, load, bare.authorization, WARMUP_S, bare.pid);
      return { resolve, bare: wrk(bare.url, load, bare.authorization, DURATION_S, bare.pid), peakMb, answerBytes: Buffer.byteLength(sample) };
    } finally {
      await bare.stop();
    }
  } finally {
    work.cleanup();
  }
}

/** RSS of an Uplift configured through its own API while running, once its snapshot holds it all; then resolve under load. */
async function measureConfiguredLive(layers: number, perLayer: number): Promise<{ restMb: number; load: UnderLoad }> {
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  try {
    const uplift = await startUplift(database.url, adminKey);
    try {
      await configureThroughApi(uplift.url, adminKey, layers, perLayer);
      await waitForRunning(uplift.url, adminKey, layers * perLayer);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
      const restMb = residentMb(uplift.child.pid!);
      return { restMb, load: await resolveUnderLoad(uplift.url, adminKey, uplift.child.pid!) };
    } finally {
      await stop(uplift.child);
    }
  } finally {
    await database.drop();
  }
}

async function waitForRunning(url: string, adminKey: string, expected: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    const config = await postGraphQL(url, '{ sdkConfig }', undefined, adminKey);
    const running = (config.data as { sdkConfig: { experiments: unknown[] } }).sdkConfig.experiments.length;
    if (running === expected) return;
    if (tries > 100) throw new Error(`expected ${expected} running experiments, the snapshot has ${running}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** RSS of a fresh Uplift on a fresh database with this configuration, once its snapshot holds it. */
async function measure(layers: number, perLayer: number): Promise<number> {
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  try {
    // The first start applies the migrations; the configuration is then written, and a fresh process reads it.
    const first = await startUplift(database.url, adminKey);
    await stop(first.child);
    await configure(database.url, layers, perLayer);
    const uplift = await startUplift(database.url, adminKey);
    try {
      await waitForRunning(uplift.url, adminKey, layers * perLayer);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
      return residentMb(uplift.child.pid!);
    } finally {
      await stop(uplift.child);
    }
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const small = await measure(1, 20);
  const large = await measure(50, 20);
  const { restMb: live, load } = await measureConfiguredLive(50, 20);
  console.log(`resident memory at rest, built Uplift on PostgreSQL, ${SETTLE_S} s after the snapshot holds the configuration`);
  console.log(`20 running experiments (1 layer of 20, 3 variants each), read at start      ${small.toFixed(0)} MB`);
  console.log(`1,000 running experiments (50 layers of 20, 3 variants each), read at start ${large.toFixed(0)} MB`);
  console.log(`the same 1,000 configured through the API of the running instance          ${live.toFixed(0)} MB`);
  const worst = Math.max(large, live);
  console.log(`ratio 1,000 / 20 (the larger of the two)                                   ${(worst / small).toFixed(2)}  (target: 1,000 under ${TARGET_MB} MB: ${worst < TARGET_MB ? 'met' : 'NOT met'})`);
  const p99 = load.resolve.p99;
  console.log(`resolve under wrk at 1,000 experiments (32 connections, ${DURATION_S} s, answer ${load.answerBytes} bytes):`);
  console.log(`  uplift ${Math.round(load.resolve.rps)} req/s, p50 ${load.resolve.p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; peak resident memory ${load.peakMb.toFixed(0)} MB`);
  console.log(`  bare node http ${Math.round(load.bare.rps)} req/s, p99 ${load.bare.p99.toFixed(2)} ms; ratio ${(load.resolve.rps / load.bare.rps).toFixed(3)}`);
  console.log(`  target: p99 under ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'}; peak under ${TARGET_MB} MB: ${load.peakMb < TARGET_MB ? 'met' : 'NOT met'}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
