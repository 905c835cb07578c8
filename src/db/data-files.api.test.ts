import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startUplift } from '../app';

/** Every folder and file under `dir` whose mode lets anyone but the owner in. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stat = fs.statSync(entry);
    if ((stat.mode & 0o777) !== (stat.isDirectory() ? 0o700 : 0o600)) found.push(`${(stat.mode & 0o777).toString(8)} ${path.relative(dir, entry) || '.'}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(entry)) visit(path.join(entry, name));
  };
  visit(dir);
  return found;
}

describe('the embedded database’s files', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-files-'));
  const dataDir = path.join(parent, 'data');
  let umask: number;
  beforeAll(() => {
    // The usual umask, under which PGlite made its files 0666.
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('are owner-only (folders 0700, files 0600) while running and after, and a loose admin-key file is tightened with a warning and no key', async () => {
    const start = (lines: string[]) =>
      startUplift({ dataDir, port: 0, host: '127.0.0.1', logLevel: 'warn', logDestination: { write: (line) => lines.push(line) } });

    const first = await start([]);
    const adminKey = first.adminKey!;
    expect(first.adminKeyGenerated).toBe(true);
    expect(openToOthers(dataDir)).toEqual([]);
    await first.close();
    expect(openToOthers(dataDir)).toEqual([]);

    fs.chmodSync(path.join(dataDir, 'admin-key'), 0o644);
    const lines: string[] = [];
    const second = await start(lines);
    expect(second.adminKey).toBe(adminKey);
    await second.close();
    expect(fs.statSync(path.join(dataDir, 'admin-key')).mode & 0o777).toBe(0o600);
    const warnings = lines.map((line) => JSON.parse(line)).filter((line) => /admin key file/.test(line.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, mode: '644' });
    expect(lines.join('\n')).not.toContain(adminKey);
    expect(openToOthers(dataDir)).toEqual([]);
  });
});
