import type { DataSource } from 'typeorm';
import { AnalyticsStore } from '../analytics/analytics.store';
import type { ExposureRow } from '../analytics/analytics.model';
import type { Logger } from '../common/logger';
import type { Resolution, UserContext } from '../assignment/snapshot';

const FLUSH_EVERY_MS = 250;
const BATCH = 5_000;
/** Beyond this many waiting rows (the database is away), new exposures are dropped and counted. */
const MAX_BUFFERED = 200_000;
/** Exposures already sent, to skip re-sending the same ones; forgotten wholesale when it fills. */
const MAX_REMEMBERED = 1_000_000;

/** SQLSTATE classes 22 (data exception, e.g. a NUL byte) and 23 (integrity): the rows, not the connection, are at fault. */
function refusedForContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** What a log line may say about a database error: its code and the start of its message, never the query's parameters. */
function databaseErrorSummary(error: unknown): { code?: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return { ...(typeof code === 'string' ? { code } : {}), message: String((error as Error | null)?.message ?? error).slice(0, 200) };
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
 * batches. The table's primary key (experiment, phase, user) keeps exactly the first one; the
 * in-memory set only saves the database from repeats. `stop()` flushes what is left.
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
  private flushing?: Promise<void>;
  dropped = 0;
  /** Rows PostgreSQL refused for their content (none once the API's input rules hold): dropped, counted. */
  refused = 0;

  /** Rows waiting to be written. */
  get waiting(): number {
    return this.buffer.length;
  }

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Bucketed assignments only: forced ones (QA) are never exposures. */
  record(user: UserContext, resolution: Resolution, at: Date): void {
    for (const assignment of resolution.experiments) {
      if (assignment.reason !== 'SPLIT') continue;
      if (this.sentUsers(assignment.experimentKey, assignment.phase).has(user.id)) continue;
      if (this.buffer.length >= MAX_BUFFERED) {
        this.dropped++;
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

  /** Writes everything buffered so far; resolves when it is in the database. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = this.writeAll();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.dropped > 0) this.logger.warn({ dropped: this.dropped }, 'exposures dropped while the buffer was full');
  }

  private async writeAll(): Promise<void> {
    const store = new AnalyticsStore(this.dataSource.manager);
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, BATCH);
      try {
        await store.insertExposures(batch);
        this.buffer = this.buffer.slice(batch.length);
      } catch (error) {
        try {
          if (!refusedForContent(error)) throw error;
          // One bad row must not hold back every later exposure: write the good ones, drop and count the bad.
          const refused = await insertGoodRows(store, batch);
          this.buffer = this.buffer.slice(batch.length);
          this.refused += refused;
          this.logger.error({ refused, database: databaseErrorSummary(error) }, 'exposures refused by the database for their content; dropped');
        } catch (retryable) {
          // Kept for the next flush; the primary key makes a retry harmless. Never the error itself: it carries the whole batch.
          this.logger.warn({ database: databaseErrorSummary(retryable), waiting: this.buffer.length }, 'could not write exposures; will retry');
          return;
        }
      }
    }
  }
}
