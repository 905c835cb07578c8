import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postGraphQL } from './testing/harness';
import { projectRoot } from './common/paths';

/** Uplift as `npm start` runs it, on the embedded default: no DATABASE_URL, no UPLIFT_ADMIN_KEY. */
function startProcess(dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, UPLIFT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.UPLIFT_ADMIN_KEY;
  // As under npm start: jest's NODE_ENV=test changes what libraries do (Apollo's signal handling did).
  delete env.NODE_ENV;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], { cwd: projectRoot, env });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const ready = new Promise<{ url: string; adminKey: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output}`)), 50_000);
    child.stdout.on('data', () => {
      const graphiql = /GraphiQL: +(\S+)\/graphql/.exec(output);
      const key = /Admin key: +(\S+)/.exec(output);
      if (graphiql && key) {
        clearTimeout(timer);
        resolve({ url: graphiql[1], adminKey: key[1] });
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

  it('prints GraphiQL’s address and a generated admin key, logs JSON, keeps its data and key across restarts, and stops cleanly on SIGTERM', async () => {
    const first = startProcess(dataDir);
    const { url, adminKey } = await first.ready;
    expect(adminKey).toMatch(/^upl_/);
    expect(fs.readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim()).toBe(adminKey);

    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain(`Bearer ${adminKey}`);
    const created = await postGraphQL(url, 'mutation { createExperiment(input: { key: "persisted", name: "n", variants: [{ key: "a", name: "A", weight: 50, isControl: true }, { key: "b", name: "B", weight: 50 }] }) { key } }', undefined, adminKey);
    expect(created.errors).toBeUndefined();

    expect(await stop(first.child)).toBe(0);
    const logLines = first.output().split('\n').filter((line) => line.startsWith('{'));
    const messages = logLines.map((line) => JSON.parse(line).msg);
    expect(messages).toEqual(expect.arrayContaining(['Uplift is ready', 'request', 'shutting down', 'shutdown complete']));

    const second = startProcess(dataDir);
    const restarted = await second.ready;
    expect(restarted.adminKey).toBe(adminKey);
    const read = await postGraphQL(restarted.url, '{ experiment(key: "persisted") { key } }', undefined, adminKey);
    expect(read.data.experiment.key).toBe('persisted');
    expect(await stop(second.child)).toBe(0);
  });
});
