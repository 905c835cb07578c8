import fs from 'node:fs';
import path from 'node:path';
import type { ExposureRow } from '../analytics/analytics.model';

/** A spool file is closed and a new one begun past this size, so that replaying one file holds little in memory. */
const FILE_BYTES = 4 * 1024 * 1024;
const PREFIX = 'exposures-';
const SUFFIX = '.jsonl';

/** One line per exposure: a JSON array, so that a line is short and parsing needs no field names. */
type Line = [experimentKey: string, phase: number, userId: string, variantKey: string, tier: string | null, exposedAtMs: number];

export function encodeExposure(row: ExposureRow): string {
  const line: Line = [row.experimentKey, row.phase, row.userId, row.variantKey, row.tier, row.exposedAt.getTime()];
  return `${JSON.stringify(line)}\n`;
}

/** The row of one line, or null for a line that is not one (a torn write). */
export function decodeExposure(text: string): ExposureRow | null {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(line) || line.length !== 6) return null;
  const [experimentKey, phase, userId, variantKey, tier, exposedAtMs] = line as unknown[];
  if (typeof experimentKey !== 'string' || typeof userId !== 'string' || typeof variantKey !== 'string') return null;
  if (!Number.isInteger(phase) || !Number.isFinite(exposedAtMs) || (tier !== null && typeof tier !== 'string')) return null;
  return { experimentKey, phase: phase as number, userId, variantKey, tier: tier as string | null, exposedAt: new Date(exposedAtMs as number) };
}

export interface SpooledFile {
  file: string;
  rows: ExposureRow[];
  /** Lines that were not whole exposures: the last line of a file whose write a crash cut short. */
  tornLines: number;
}

/**
 * Exposures kept on local disk while the database is away: append-only files of one JSON line
 * per exposure, each append fsynced, named so that sorting them by name is the order they were
 * written in (this process's and any earlier process's on the same folder). Only whole lines
 * are replayed: a line a crash cut short is skipped. Files are never appended to after a
 * restart, so a torn end stays the end. Bounded: what would take the folder past `maxBytes`
 * is refused (and counted by the caller). One process per folder.
 *
 * Not safe for concurrent calls: the writer serialises them.
 */
export class ExposureSpool {
  /** Closed files waiting to be replayed, oldest first. */
  private readonly closed: string[] = [];
  private current?: { file: string; handle: fs.promises.FileHandle; bytes: number };
  private sequence = 0;
  /** Bytes on disk in this folder's spool files. */
  bytes = 0;
  peakBytes = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Finds the files an earlier process left, to replay them first. */
  async open(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = (await fs.promises.readdir(this.dir)).filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX)).sort();
    for (const name of names) {
      const file = path.join(this.dir, name);
      this.bytes += (await fs.promises.stat(file)).size;
      this.closed.push(file);
    }
    this.peakBytes = this.bytes;
  }

  /** True while some exposure is on disk. */
  get pending(): boolean {
    return this.closed.length > 0 || this.current !== undefined;
  }

  /** Appends whole lines while the bound allows and fsyncs them; returns how many rows were kept (the rest are refused). */
  async append(rows: readonly ExposureRow[]): Promise<number> {
    let text = '';
    let size = 0;
    let kept = 0;
    for (const row of rows) {
      const line = encodeExposure(row);
      const lineBytes = Buffer.byteLength(line);
      if (this.bytes + size + lineBytes > this.maxBytes) break;
      text += line;
      size += lineBytes;
      kept++;
    }
    if (kept === 0) return 0;
    if (this.current && this.current.bytes >= FILE_BYTES) await this.seal();
    if (!this.current) {
      const name = `${PREFIX}${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(this.sequence++).padStart(9, '0')}${SUFFIX}`;
      const file = path.join(this.dir, name);
      this.current = { file, handle: await fs.promises.open(file, 'a', 0o600), bytes: 0 };
      // The new name must survive a crash too, not only the file's contents.
      const folder = await fs.promises.open(this.dir, 'r');
      await folder.sync().finally(() => folder.close());
    }
    await this.current.handle.write(text);
    // The batch point: once this returns the rows survive a crash of the process or the machine.
    await this.current.handle.datasync();
    this.current.bytes += size;
    this.bytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return kept;
  }

  /** Closes the file being appended to, so that it can be replayed. */
  async seal(): Promise<void> {
    if (!this.current) return;
    const { file, handle } = this.current;
    this.current = undefined;
    await handle.close();
    this.closed.push(file);
  }

  /** The oldest file's rows, sealing the current file if it is the only one left. */
  async oldest(): Promise<SpooledFile | undefined> {
    if (this.closed.length === 0) await this.seal();
    const file = this.closed[0];
    if (file === undefined) return undefined;
    const text = await fs.promises.readFile(file, 'utf8');
    const lines = text.split('\n');
    // A file ends with a newline: whatever follows the last one is a write cut short.
    const torn = lines.pop() === '' ? 0 : 1;
    const rows: ExposureRow[] = [];
    let tornLines = torn;
    for (const line of lines) {
      const row = decodeExposure(line);
      if (row) rows.push(row);
      else tornLines++;
    }
    return { file, rows, tornLines };
  }

  /** Deletes a replayed file: only once all its rows are committed. */
  async remove(file: string): Promise<void> {
    const size = (await fs.promises.stat(file)).size;
    await fs.promises.unlink(file);
    this.bytes -= size;
    const index = this.closed.indexOf(file);
    if (index >= 0) this.closed.splice(index, 1);
  }

  async close(): Promise<void> {
    await this.seal();
  }
}
