import type { DataSource } from 'typeorm';
import { AnalyticsStore } from '../analytics/analytics.store';
import type { ExposureRow } from '../analytics/analytics.model';
import { ExposureSpool } from './exposure.spool';
import { isDatabaseUnavailable, OncePerInterval } from '../common/errors';
import type { Logger } from '../common/logger';
import type { Resolution, UserContext } from '../assignment/snapshot';

const FLUSH_EVERY_MS = 250;
const BATCH = 5_000;
/** Rows kept in memory before they go to the spool, when the database does not keep up. */
export const DEFAULT_BUFFER_ROWS = 20_000;
/** The spool's bound on disk: 1 GiB is about 12 million exposures. */
export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;
/** Memory's hard bound, reached only if the spool cannot keep up either: beyond it new exposures are dropped and counted. */
const MAX_MEMORY_ROWS = 200_000;
/** Exposures already sent, to skip re-sending the same ones; forgotten wholesale when it fills. */
const MAX_REMEMBERED = 1_000_000;
/** SIGTERM's budget for writing what is left before spooling it instead. */
const STOP_TIMEOUT_MS = 10_000;
/** While the database is away, a write is tried at most this often. */
const MAX_RETRY_MS = 2_000;

export interface ExposureWriterOptions {
  /** The spool's folder: one process per folder. */
  spoolDir: string;
  spoolMaxBytes?: number;
  /** Rows waiting in memory beyond which they are spooled even while the database answers (tests lower it). */
  bufferRows?: number;
}


/** SQLSTATE classes 22 (data exception, e.g. a NUL byte) and 23 (integrity): the rows, not the connection, are at fault. */
function refusedForContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Writes the rows the database takes by halving the batch around refused ones; returns how many it refused. */
async function insertGoodRows(store: AnalyticsStore, rows: ExposureRow[]): Promise<number> {
  try {
    await store.insertExposures(rows);
    return 0;
  } catch (error) {
    if (!refusedForContent(error)) throw error;
    if (rows.length === 1) return 1;
    const half = Math.ceil(rows.length / 2);
    return (await insertGoodRows(store, rows.slice(0, half))) + (await insertGoodRows(store, rows.slice(half)));
  }
}

/**
 * Records exposures off the request path: resolve only appends to a buffer, and a timer writes
 * batches. The table's primary key (experiment, phase, user) keeps exactly the first one, and the
 * insert is ON CONFLICT DO NOTHING, so writing a row twice is harmless (one naming another variant
 * is kept in other_variant_exposures, for results to report); the in-memory set only saves the
 * database from repeats.
 *
 * Nothing is lost while the database is away: the buffer goes to a spool on local disk
 * (exposure.spool.ts: append-only, fsynced, bounded) and is replayed, oldest file first, once
 * writes succeed again, before anything newer in memory; a file is deleted only after its rows
 * are committed. A spool left by an earlier process is replayed the same way. `stop()` writes
 * what is left within 10 s, or spools it.
 */
export class ExposureWriter {
  private buffer: ExposureRow[] = [];
  /**
   * Users already sent, by experiment and phase: nested maps rather than one set of joined keys,
   * which cost every resolve a string built and hashed per assignment.
   */
  private readonly sent = new Map<string, Map<number, Set<string>>>();
  private remembered = 0;
  private timer?: NodeJS.Timeout;
  private writing?: Promise<boolean>;
  /** The batch being written from memory: spooled too if stop() cannot wait for it. */
  private inFlight?: ExposureRow[];
  private spooling?: Promise<void>;
  private readonly spool: ExposureSpool;
  /** Spool calls one at a time. */
  private spoolQueue: Promise<unknown> = Promise.resolve();
  /** Rows of the oldest spool file already committed, so that a replay cut short resumes after them. */
  private replayed?: { file: string; rows: number };
  private unavailableSince?: number;
  private retryAt = 0;
  private retryMs = FLUSH_EVERY_MS;
  private readonly bufferRows: number;
  private readonly dropLog: OncePerInterval;
  private readonly failureLog: OncePerInterval;
  private readonly tornLog: OncePerInterval;
  /** Exposures given up: memory and spool both full. */
  dropped = 0;
  /** Rows written from the spool since start. */
  replayedRows = 0;
  /** Rows PostgreSQL refused for their content (none once the API's input rules hold): dropped, counted. */
  refused = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    options: ExposureWriterOptions,
  ) {
    this.spool = new ExposureSpool(options.spoolDir, options.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES);
    this.bufferRows = options.bufferRows ?? DEFAULT_BUFFER_ROWS;
    this.dropLog = new OncePerInterval(logger, 'exposures dropped: memory and the spool are full');
    this.failureLog = new OncePerInterval(logger, 'could not write exposures; keeping them in the spool and retrying');
    this.tornLog = new OncePerInterval(logger, 'skipped spool lines a crash cut short');
  }

  /** Rows waiting in memory. */
  get waiting(): number {
    return this.buffer.length;
  }

  /** Bytes waiting in the spool, and the most there were since start. */
  get spoolBytes(): number {
    return this.spool.bytes;
  }

  get spoolPeakBytes(): number {
    return this.spool.peakBytes;
  }

  get spoolDir(): string {
    return this.spool.dir;
  }

  /** Opens the spool (what an earlier process left is replayed first) and starts the timer. */
  async start(): Promise<void> {
    await this.spool.open();
    if (this.spool.pending) this.logger.info({ spoolBytes: this.spool.bytes, dir: this.spool.dir }, 'replaying exposures an earlier process spooled');
    this.timer = setInterval(() => this.tick(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Bucketed assignments only: forced ones (QA) are never exposures. */
  record(user: UserContext, resolution: Resolution, at: Date): void {
    for (const assignment of resolution.experiments) {
      if (assignment.reason !== 'SPLIT') continue;
      if (this.sentUsers(assignment.experimentKey, assignment.phase).has(user.id)) continue;
      if (this.buffer.length >= MAX_MEMORY_ROWS) {
        this.drop(1);
        continue;
      }
      if (this.remembered >= MAX_REMEMBERED) {
        this.sent.clear();
        this.remembered = 0;
      }
      this.sentUsers(assignment.experimentKey, assignment.phase).add(user.id);
      this.remembered++;
      this.buffer.push({
        experimentKey: assignment.experimentKey,
        phase: assignment.phase,
        userId: user.id,
        variantKey: assignment.variantKey,
        tier: user.tier ?? null,
        exposedAt: at,
      });
    }
  }

  private sentUsers(experimentKey: string, phase: number): Set<string> {
    let phases = this.sent.get(experimentKey);
    if (phases === undefined) this.sent.set(experimentKey, (phases = new Map()));
    let users = phases.get(phase);
    if (users === undefined) phases.set(phase, (users = new Set()));
    return users;
  }

  private drop(count: number): void {
    this.dropped += count;
    this.dropLog.note(undefined, count);
  }

  private tick(): void {
    if (this.buffer.length > 0 && (this.unavailableSince !== undefined || this.buffer.length > this.bufferRows)) void this.spoolBuffer();
    if (!this.writing && Date.now() >= this.retryAt) void this.flush();
  }

  /** Writes the spool, then everything buffered so far; true when all of it is in the database. */
  async flush(): Promise<boolean> {
    while (this.writing) await this.writing;
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.spooling;
    let timeout: NodeJS.Timeout | undefined;
    const written = await Promise.race([
      this.flush(),
      new Promise<false>((resolve) => (timeout = setTimeout(() => resolve(false), STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timeout);
    // What could not be written in time waits on disk for the next start.
    const left = written ? [] : [...(this.inFlight ?? []), ...this.buffer];
    this.buffer = [];
    if (left.length > 0) {
      const kept = await this.serially(() => this.spool.append(left)).catch((error: unknown) => {
        this.logger.error({ err: { message: String((error as Error)?.message ?? error) } }, 'could not spool exposures at shutdown');
        return 0;
      });
      if (kept < left.length) this.drop(left.length - kept);
    }
    await this.serially(() => this.spool.close());
    if (left.length > 0 || this.spool.pending || this.dropped > 0) {
      this.logger.warn({ spooled: left.length, spoolBytes: this.spool.bytes, dropped: this.dropped, dir: this.spool.dir }, 'exposures left in the spool at shutdown, for the next start');
    }
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.spoolQueue.then(operation, operation);
    this.spoolQueue = next.catch(() => undefined);
    return next;
  }

  /** Moves the buffer to disk: the database is away or does not keep up. */
  private spoolBuffer(): Promise<void> {
    this.spooling ??= (async () => {
      while (this.buffer.length > 0) {
        const rows = this.buffer;
        this.buffer = [];
        let kept: number;
        try {
          kept = await this.serially(() => this.spool.append(rows));
        } catch (error) {
          // The disk refused: keep them in memory (bounded by MAX_MEMORY_ROWS) and try again next tick.
          this.buffer = rows.concat(this.buffer);
          this.failureLog.note(error);
          return;
        }
        if (kept < rows.length) this.drop(rows.length - kept);
      }
    })().finally(() => {
      this.spooling = undefined;
    });
    return this.spooling;
  }

  private async writeAll(): Promise<boolean> {
    try {
      // A cheap probe while the database is away, rather than sealing and reading a spool file per retry.
      if (this.unavailableSince !== undefined) await this.dataSource.query('SELECT 1');
      // Oldest first: the spool (an earlier process's, then this one's), then memory.
      while (this.spool.pending || this.buffer.length > 0) {
        if (this.spool.pending) await this.replayOldest();
        else await this.writeFromBuffer();
      }
    } catch (error) {
      this.failed(error);
      return false;
    }
    if (this.unavailableSince !== undefined) {
      this.logger.info({ outageMs: Date.now() - this.unavailableSince, replayedRows: this.replayedRows, dropped: this.dropped }, 'exposures written again');
      this.unavailableSince = undefined;
    }
    this.retryMs = FLUSH_EVERY_MS;
    return true;
  }

  private async replayOldest(): Promise<void> {
    const spooled = await this.serially(() => this.spool.oldest());
    if (!spooled) return;
    if (spooled.tornLines > 0) this.tornLog.note(undefined, spooled.tornLines);
    let done = this.replayed?.file === spooled.file ? this.replayed.rows : 0;
    while (done < spooled.rows.length) {
      const batch = spooled.rows.slice(done, done + BATCH);
      await this.insert(batch);
      done += batch.length;
      this.replayedRows += batch.length;
      this.replayed = { file: spooled.file, rows: done };
    }
    await this.serially(() => this.spool.remove(spooled.file));
    this.replayed = undefined;
  }

  private async writeFromBuffer(): Promise<void> {
    const batch = this.buffer.splice(0, BATCH);
    this.inFlight = batch;
    try {
      await this.insert(batch);
    } catch (error) {
      // Back in front of what came since, to be spooled or retried.
      this.buffer = batch.concat(this.buffer);
      throw error;
    } finally {
      this.inFlight = undefined;
    }
  }

  private async insert(batch: ExposureRow[]): Promise<void> {
    const store = new AnalyticsStore(this.dataSource.manager);
    try {
      await store.insertExposures(batch);
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      // One bad row must not hold back every later exposure: write the good ones, drop and count the bad.
      const refused = await insertGoodRows(store, batch);
      this.refused += refused;
      const code = (error as { code?: unknown }).code;
      this.logger.error({ refused, code }, 'exposures refused by the database for their content; dropped');
    }
  }

  /** Retried later with backoff; while the database is away the buffer goes to the spool at each tick. */
  private failed(error: unknown): void {
    if (isDatabaseUnavailable(error)) this.unavailableSince ??= Date.now();
    // The message and code only: the driver's error carries the whole batch as parameters.
    this.failureLog.note(error);
    this.retryAt = Date.now() + this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}
