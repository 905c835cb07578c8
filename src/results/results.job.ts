import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from '../common/logger';
import { refreshExperimentResults } from './result.service';
import { ResultStore } from './result.store';

/** Session-level advisory lock: one instance runs the job at a time. */
export const RESULTS_JOB_LOCK = 7_561_312_406;

export interface ResultsJobOptions {
  /** Between runs, in ms; 0 disables the timer (runOnce still works). */
  intervalMs: number;
  /** Take the advisory lock (several instances may share the database); false on the embedded database, which has one. */
  exclusive: boolean;
  now: () => Date;
}

/** What one run did. */
export interface ResultsJobRun {
  /** False when another instance held the lock: this one did nothing. */
  ran: boolean;
  refreshed: string[];
  failed: string[];
}

/**
 * Snapshots and guardrail actions on a schedule, so that reading results never writes: every
 * `intervalMs`, each running experiment whose latest snapshot of its current phase is older than
 * half the interval is refreshed (snapshot stored, auto-paused when a guardrail is at risk and it
 * opted in). Half, so that one instance refreshes every experiment at every run; several
 * instances, whose timers drift apart, at most about twice per interval, one at a time under the
 * lock. One experiment that fails is logged and does not stop the others.
 */
export class ResultsJob {
  private timer?: NodeJS.Timeout;
  private running: Promise<ResultsJobRun | undefined> = Promise.resolve(undefined);

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly options: ResultsJobOptions,
  ) {}

  start(): void {
    if (this.options.intervalMs === 0) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error) => this.logger.warn({ err: error }, 'results job failed; will retry at the next interval'));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  /** One run now, after any run of this instance still going; what the timer calls, and tests. */
  runOnce(): Promise<ResultsJobRun> {
    const run = this.running.catch(() => undefined).then(() => this.run());
    this.running = run;
    return run;
  }

  private async run(): Promise<ResultsJobRun> {
    const lock = this.options.exclusive ? await this.tryLock() : null;
    if (this.options.exclusive && !lock) return { ran: false, refreshed: [], failed: [] };
    try {
      const now = this.options.now();
      const since = new Date(now.getTime() - this.options.intervalMs / 2);
      const keys = await new ResultStore(this.dataSource.manager).runningWithoutSnapshotSince(since);
      const refreshed: string[] = [];
      const failed: string[] = [];
      for (const key of keys) {
        try {
          await refreshExperimentResults(this.dataSource, key, { now });
          refreshed.push(key);
        } catch (error) {
          this.logger.warn({ err: error, experimentKey: key }, 'results job could not refresh an experiment; the others go on');
          failed.push(key);
        }
      }
      return { ran: true, refreshed, failed };
    } finally {
      await lock?.release();
    }
  }

  /** The lock on a connection of its own, held for the run; PostgreSQL frees it if the connection dies. */
  private async tryLock(): Promise<{ release(): Promise<void> } | null> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }]: { locked: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [RESULTS_JOB_LOCK]);
      if (!locked) {
        await runner.release();
        return null;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    return {
      async release() {
        try {
          await runner.query('SELECT pg_advisory_unlock($1)', [RESULTS_JOB_LOCK]);
        } finally {
          await runner.release();
        }
      },
    };
  }
}
