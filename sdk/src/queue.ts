import { asUpliftError, type UpliftError } from './errors';

export interface BatchOptions {
  /** Items per request. */
  maxBatchSize: number;
  /** How long an item may wait for its batch to fill. */
  flushIntervalMs: number;
  /** Items waiting beyond this are dropped (and counted): memory stays bounded while the server is away. */
  maxQueueSize: number;
  /** Tries per batch on retriable errors, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is uniform in [0, min(maxBackoffMs, baseBackoffMs * 2^(n-1))) ("full jitter"). */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_BATCH: BatchOptions = {
  maxBatchSize: 500,
  flushIntervalMs: 2_000,
  maxQueueSize: 10_000,
  maxAttempts: 6,
  baseBackoffMs: 500,
  maxBackoffMs: 30_000,
};

export interface QueueStats {
  /** Waiting to be sent. */
  queued: number;
  /** Accepted by the server (duplicates of items it already had included). */
  sent: number;
  /** Refused one by one by the server (its per-item rules): sending again would not help. */
  rejected: number;
  /** Not queued because the queue was full. */
  dropped: number;
  /** Given up: a permanent error, or retriable errors on every attempt. */
  failed: number;
}

/** What one send achieved: how many of the items the server refused one by one. */
export interface SendOutcome {
  rejected: number;
}

type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms) as { unref?: () => void };
    timer.unref?.();
  });

/**
 * Items sent in batches, off the app's path: `push` never waits and never throws. One batch is in
 * flight at a time; a batch that fails with a retriable error is retried with backoff, one that
 * fails permanently is counted and reported, never retried.
 */
export class BatchQueue<T> {
  private items: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly counts = { sent: 0, rejected: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly send: (items: T[]) => Promise<SendOutcome>,
    private readonly options: BatchOptions,
    private readonly onError: (error: UpliftError) => void,
    private readonly random: () => number = Math.random,
    private readonly sleep: Sleep = realSleep,
  ) {}

  stats(): QueueStats {
    return { queued: this.items.length, ...this.counts };
  }

  push(items: readonly T[]): void {
    for (const item of items) {
      if (this.closed || this.items.length >= this.options.maxQueueSize) this.counts.dropped++;
      else this.items.push(item);
    }
    if (this.items.length >= this.options.maxBatchSize) void this.flush();
    else if (this.items.length > 0 && this.timer === undefined && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.flushIntervalMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Sends everything queued so far; resolves when each batch was sent, refused or given up on. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.draining) await this.draining;
    if (this.items.length === 0) return;
    this.draining = this.drain();
    try {
      await this.draining;
    } finally {
      this.draining = undefined;
    }
  }

  /** Refuses new items (they count as dropped) and sends what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.items.length > 0) {
      const batch = this.items.splice(0, this.options.maxBatchSize);
      await this.sendWithRetry(batch);
    }
  }

  private async sendWithRetry(batch: T[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { rejected } = await this.send(batch);
        this.counts.sent += batch.length - rejected;
        this.counts.rejected += rejected;
        return;
      } catch (thrown) {
        const error = asUpliftError(thrown);
        if (!error.retriable || attempt >= this.options.maxAttempts) {
          this.counts.failed += batch.length;
          this.onError(error);
          return;
        }
        const ceiling = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (attempt - 1));
        await this.sleep(this.random() * ceiling);
      }
    }
  }
}
