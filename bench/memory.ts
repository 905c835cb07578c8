/**
 * `npm run bench:memory`: resident memory (RSS) of the built Uplift on PostgreSQL at rest, started
 * on a database holding 1,000 running experiments (50 layers of 20, three variants each), against
 * the same Uplift started on 20 running experiments (1 layer of 20), in the same run. Each is a
 * fresh process, measured BENCH_SETTLE_S (default 5) seconds after its snapshot holds the whole
 * configuration; the 1,000 twice: written before the process starts, and made through the API of
 * the running process (50 createLayer, 1,000 createExperiment and startExperiment), which rebuilds
 * its snapshot as it goes. Target: under 200 MB at 1,000 experiments.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freshBenchDatabase } from './database';
import { generateSecret } from '../src/auth/api-key.service';
import { postGraphQL } from '../src/testing/harness';

const ROOT = path.resolve(__dirname, '..');
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 5);
const TARGET_MB = 200;

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

/** RSS of an Uplift configured through its own API while running, once its snapshot holds it all. */
async function measureConfiguredLive(layers: number, perLayer: number): Promise<number> {
  const database = await freshBenchDatabase();
  const adminKey = generateSecret();
  try {
    const uplift = await startUplift(database.url, adminKey);
    try {
      await configureThroughApi(uplift.url, adminKey, layers, perLayer);
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
  const live = await measureConfiguredLive(50, 20);
  console.log(`resident memory at rest, built Uplift on PostgreSQL, ${SETTLE_S} s after the snapshot holds the configuration`);
  console.log(`20 running experiments (1 layer of 20, 3 variants each), read at start      ${small.toFixed(0)} MB`);
  console.log(`1,000 running experiments (50 layers of 20, 3 variants each), read at start ${large.toFixed(0)} MB`);
  console.log(`the same 1,000 configured through the API of the running instance          ${live.toFixed(0)} MB`);
  const worst = Math.max(large, live);
  console.log(`ratio 1,000 / 20 (the larger of the two)                                   ${(worst / small).toFixed(2)}  (target: 1,000 under ${TARGET_MB} MB: ${worst < TARGET_MB ? 'met' : 'NOT met'})`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
