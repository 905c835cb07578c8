/** The batch queue on its own: retries with backoff, permanent errors, a bounded queue, flush on close. */
import { BatchQueue, DEFAULT_BATCH } from '../src/queue';
import { UpliftError } from '../src/errors';

const options = { ...DEFAULT_BATCH, maxBatchSize: 3, flushIntervalMs: 60_000, maxQueueSize: 5, maxAttempts: 4, baseBackoffMs: 100, maxBackoffMs: 250 };

function harness(outcomes: (Error | number)[]) {
  const sent: number[][] = [];
  const sleeps: number[] = [];
  const errors: UpliftError[] = [];
  const queue = new BatchQueue<number>(
    async (items) => {
      sent.push(items);
      const outcome = outcomes.shift() ?? 0;
      if (outcome instanceof Error) throw outcome;
      return { rejected: outcome };
    },
    options,
    (error) => errors.push(error),
    () => 0.5,
    async (ms) => {
      sleeps.push(ms);
    },
  );
  return { queue, sent, sleeps, errors };
}

describe('BatchQueue', () => {
  it('sends in batches of at most maxBatchSize when flushed', async () => {
    const { queue, sent } = harness([]);
    queue.push([1, 2, 3, 4]);
    await queue.flush();
    expect(sent).toEqual([[1, 2, 3], [4]]);
    expect(queue.stats()).toEqual({ queued: 0, sent: 4, rejected: 0, dropped: 0, failed: 0 });
  });

  it('retries retriable errors with exponential backoff and jitter, capped', async () => {
    const unavailable = new UpliftError('SERVICE_UNAVAILABLE', 'down', 503);
    const { queue, sent, sleeps } = harness([unavailable, new UpliftError('NETWORK_ERROR', 'reset'), unavailable, 0]);
    queue.push([1]);
    await queue.flush();
    expect(sent).toEqual([[1], [1], [1], [1]]);
    // random() = 0.5 of min(250, 100 * 2^(n-1)): 50, 100, 125.
    expect(sleeps).toEqual([50, 100, 125]);
    expect(queue.stats()).toMatchObject({ sent: 1, failed: 0 });
  });

  it('gives up after maxAttempts, counts the items as failed and reports the error', async () => {
    const unavailable = new UpliftError('SERVICE_UNAVAILABLE', 'down', 503);
    const { queue, sent, errors } = harness([unavailable, unavailable, unavailable, unavailable, unavailable]);
    queue.push([1, 2]);
    await queue.flush();
    expect(sent).toHaveLength(4);
    expect(queue.stats()).toMatchObject({ sent: 0, failed: 2 });
    expect(errors.map((e) => e.code)).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('never retries a permanent error', async () => {
    const { queue, sent, sleeps, errors } = harness([new UpliftError('UNAUTHENTICATED', 'bad key', 401)]);
    queue.push([1, 2]);
    await queue.flush();
    expect(sent).toEqual([[1, 2]]);
    expect(sleeps).toEqual([]);
    expect(errors[0]).toMatchObject({ code: 'UNAUTHENTICATED', retriable: false });
    expect(queue.stats()).toMatchObject({ failed: 2 });
  });

  it('counts items the server refused one by one as rejected, not sent', async () => {
    const { queue } = harness([1]);
    queue.push([1, 2, 3]);
    await queue.flush();
    expect(queue.stats()).toMatchObject({ sent: 2, rejected: 1 });
  });

  it('drops and counts what does not fit in the queue', async () => {
    const blocked: (() => void)[] = [];
    const queue = new BatchQueue<number>(
      () => new Promise((resolve) => blocked.push(() => resolve({ rejected: 0 }))),
      { ...options, maxBatchSize: 100 },
      () => undefined,
    );
    queue.push([1, 2, 3, 4, 5, 6, 7]);
    expect(queue.stats()).toMatchObject({ queued: 5, dropped: 2 });
    const flushed = queue.flush();
    await new Promise((resolve) => setImmediate(resolve));
    blocked.forEach((release) => release());
    await flushed;
    expect(queue.stats()).toMatchObject({ queued: 0, sent: 5, dropped: 2 });
  });

  it('sends what is queued on close and drops what comes after', async () => {
    const { queue, sent } = harness([]);
    queue.push([1, 2]);
    await queue.close();
    expect(sent).toEqual([[1, 2]]);
    queue.push([3]);
    expect(queue.stats()).toMatchObject({ queued: 0, dropped: 1, sent: 2 });
  });

  it('flushes on its own after flushIntervalMs', async () => {
    const sent: number[][] = [];
    const queue = new BatchQueue<number>(async (items) => (sent.push(items), { rejected: 0 }), { ...options, flushIntervalMs: 20 }, () => undefined);
    queue.push([1]);
    expect(sent).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toEqual([[1]]);
  });
});
