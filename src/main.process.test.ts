import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postGraphQL } from './testing/harness';
import { projectRoot } from './common/paths';

/** Every process a test started, killed at the end if a failed test left it running. */
const started: ChildProcess[] = [];
/** Process groups of `npm start`s. */
const groups: number[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Uplift as `npm start` runs it, on the embedded default: no DATABASE_URL, no UPLIFT_ADMIN_KEY. */
function startProcess(dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, UPLIFT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.UPLIFT_ADMIN_KEY;
  // As under npm start: jest's NODE_ENV=test changes what libraries do (Apollo's signal handling did).
  delete env.NODE_ENV;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], { cwd: projectRoot, env });
  started.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const ready = new Promise<{ url: string; adminKey: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output}`)), 90_000);
    child.stderr.on('data', () => {
      const graphiql = /GraphiQL \(signed in as admin\): +(\S+)\/graphql#key=(\S+)/.exec(output);
      if (graphiql) {
        clearTimeout(timer);
        resolve({ url: graphiql[1], adminKey: graphiql[2] });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('the uplift process on the embedded default', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-main-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints GraphiQL’s address with the generated admin key in its fragment on stderr, serves a page without it, logs JSON, keeps its data and key across restarts, and stops cleanly on SIGTERM', async () => {
    const first = startProcess(dataDir);
    const { url, adminKey } = await first.ready;
    expect(adminKey).toMatch(/^upl_/);
    expect(fs.readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim()).toBe(adminKey);

    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('/graphiql/init.js');
    expect(html).not.toContain(adminKey);
    const created = await postGraphQL(url, 'mutation { createExperiment(input: { key: "persisted", name: "n", variants: [{ key: "a", name: "A", weight: 50, isControl: true }, { key: "b", name: "B", weight: 50 }] }) { key } }', undefined, adminKey);
    expect(created.errors).toBeUndefined();

    expect(await stop(first.child)).toBe(0);
    const logLines = first.output().split('\n').filter((line) => line.startsWith('{'));
    const messages = logLines.map((line) => JSON.parse(line).msg);
    // The key is only in the banner for the person at the terminal, never in a log line.
    expect(logLines.join('\n')).not.toContain(adminKey);
    expect(messages).toEqual(expect.arrayContaining(['Uplift is ready', 'request', 'shutting down', 'shutdown complete']));

    const second = startProcess(dataDir);
    const restarted = await second.ready;
    expect(restarted.adminKey).toBe(adminKey);
    const read = await postGraphQL(restarted.url, '{ experiment(key: "persisted") { key } }', undefined, adminKey);
    expect(read.data.experiment.key).toBe('persisted');
    expect(await stop(second.child)).toBe(0);
  }, 180_000);
});

/** Resolves true once nothing accepts connections on the port any more. */
async function portClosed(port: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (!open) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** `npm start` itself, as a process manager runs it: SIGTERM goes to npm's pid. */
function npmStart(dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, UPLIFT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.UPLIFT_ADMIN_KEY;
  delete env.NODE_ENV;
  // Its own process group, so that whatever a failed test leaves behind (a server npm orphaned) is killed with it.
  const child = spawn('npm', ['start'], { cwd: projectRoot, env, detached: true });
  groups.push(child.pid!);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(code === 0 ? 'exit 0' : `exit ${code} ${signal}:\n${output}`)));
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    // The first start may build dist/ (tsc): minutes on a busy machine.
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output}`)), 200_000);
    child.stderr.on('data', () => {
      const graphiql = /GraphiQL \(signed in as admin\): +(http:\/\/[^/\s]+)\/graphql#key=/.exec(output);
      if (graphiql) {
        clearTimeout(timer);
        resolve({ url: graphiql[1], port: Number(new URL(graphiql[1]).port) });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, ready, exited, output: () => output };
}

describe('npm start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-npm-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('stops the server when npm gets SIGTERM, and starts a built checkout without compiling', async () => {
    const first = npmStart(dataDir);
    const { url, port } = await first.ready;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await portClosed(port, 10_000)).toBe(true);
    expect(await first.exited).toBe('exit 0');

    const builtAt = fs.statSync(path.join(projectRoot, 'dist', 'src', 'main.js')).mtimeMs;
    const second = npmStart(dataDir);
    const again = await second.ready;
    expect(second.output()).toContain('dist/ is up to date with the sources: not rebuilding');
    expect(second.output()).not.toContain('Building dist/');
    expect(fs.statSync(path.join(projectRoot, 'dist', 'src', 'main.js')).mtimeMs).toBe(builtAt);
    second.child.kill('SIGTERM');
    expect(await portClosed(again.port, 10_000)).toBe(true);
    expect(await second.exited).toBe('exit 0');
  }, 400_000);
});
