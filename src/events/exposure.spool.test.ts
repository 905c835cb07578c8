import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeExposure, encodeExposure, ExposureSpool } from './exposure.spool';
import type { ExposureRow } from '../analytics/analytics.model';

const row = (userId: string, at = Date.UTC(2026, 10, 24, 12)): ExposureRow => ({
  experimentKey: 'activity-incentives', phase: 1, userId, variantKey: 'control', tier: null, exposedAt: new Date(at),
});
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ExposureSpool', () => {
  it('round-trips every field of an exposure, odd user ids included', () => {
    for (const exposure of [row('u1'), { ...row('ü\n"\\ 用户'), tier: 'high_value', phase: 3 }]) {
      const line = encodeExposure(exposure);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(decodeExposure(line.slice(0, -1))).toEqual(exposure);
    }
    expect(decodeExposure('["a",1,"u"')).toBeNull();
    expect(decodeExposure('["a","1","u","v",null,0]')).toBeNull();
  });

  it('replays files oldest first, this process’s after an earlier one’s, and forgets a file only when removed', async () => {
    const earlier = new ExposureSpool(dir, 1e6);
    await earlier.open();
    await earlier.append([row('a'), row('b')]);
    await earlier.close();

    const spool = new ExposureSpool(dir, 1e6);
    await spool.open();
    expect(spool.pending).toBe(true);
    expect(spool.bytes).toBe(fs.statSync(path.join(dir, fs.readdirSync(dir)[0])).size);
    await spool.append([row('c')]);
    const first = await spool.oldest();
    expect(first!.rows.map((r) => r.userId)).toEqual(['a', 'b']);
    // Not removed yet: asked again, the same file.
    expect((await spool.oldest())!.file).toBe(first!.file);
    await spool.remove(first!.file);
    const second = await spool.oldest();
    expect(second!.rows.map((r) => r.userId)).toEqual(['c']);
    await spool.remove(second!.file);
    expect(spool.pending).toBe(false);
    expect(spool.bytes).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('skips the line a crash cut short and keeps the whole lines before it', async () => {
    const spool = new ExposureSpool(dir, 1e6);
    await spool.open();
    await spool.append([row('a'), row('b')]);
    await spool.close();
    const [name] = fs.readdirSync(dir);
    fs.appendFileSync(path.join(dir, name), encodeExposure(row('c')).slice(0, 20));

    const restarted = new ExposureSpool(dir, 1e6);
    await restarted.open();
    const spooled = await restarted.oldest();
    expect(spooled!.rows.map((r) => r.userId)).toEqual(['a', 'b']);
    expect(spooled!.tornLines).toBe(1);
    // New rows never go after a torn end: a new process writes new files.
    await restarted.append([row('d')]);
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });

  it('refuses what would take it past its bound, and says how many it kept', async () => {
    const lineBytes = Buffer.byteLength(encodeExposure(row('u0')));
    const spool = new ExposureSpool(dir, lineBytes * 3);
    await spool.open();
    expect(await spool.append([row('u1'), row('u2')])).toBe(2);
    expect(await spool.append([row('u3'), row('u4')])).toBe(1);
    expect(await spool.append([row('u5')])).toBe(0);
    expect(spool.bytes).toBe(lineBytes * 3);
    expect(spool.peakBytes).toBe(lineBytes * 3);
  });
});
