import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Logger } from '../common/logger';
import { AuthErrorReason } from '../auth/auth.errors';

/**
 * What a GraphQL request is counted as. A fixed set read from the document's root field names,
 * never from anything the client names (operation names, aliases, keys, users), so that the
 * number of series stays bounded whatever clients send.
 */
export const OPERATION_KINDS = ['resolve', 'resolveMany', 'trackEvents', 'other'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** A document whose root fields are all resolve / resolveMany / trackEvents is that kind (resolveMany wins over resolve); anything else is `other`. */
export function operationKindOf(rootFields: readonly string[]): OperationKind {
  if (rootFields.length === 0) return 'other';
  if (rootFields.every((name) => name === 'trackEvents')) return 'trackEvents';
  if (!rootFields.every((name) => name === 'resolve' || name === 'resolveMany')) return 'other';
  return rootFields.includes('resolveMany') ? 'resolveMany' : 'resolve';
}

/** Authentication failures are counted by these reasons only; any other reason counts as `other`. */
const AUTH_REASONS: readonly string[] = [...Object.values(AuthErrorReason).filter((reason) => reason !== AuthErrorReason.API_KEY_NOT_FOUND), 'other'];

/**
 * The exposure writer as metrics see it: rows waiting in memory, bytes waiting in the disk spool,
 * and rows given up since start (memory and the spool both full).
 */
export interface ExposureBacklog {
  readonly waiting: number;
  readonly dropped: number;
  readonly spoolBytes: number;
}

/** pg's Pool counters. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface MetricSources {
  exposures: ExposureBacklog;
  /** When the metric value log was last folded (ms since the epoch; see MetricValueFolder). */
  lastFoldAt(): number;
  /** When the configuration snapshot was last read from the database (ms since the epoch). */
  snapshotLoadedAt(): number;
  /** The database pool's counters, when the driver has a pool. */
  pool(): PoolCounts | undefined;
}

/** Latency buckets (seconds): resolve answers in well under a millisecond of work, management calls in tens. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const OUTCOMES = ['ok', 'error'] as const;
const KIND_INDEX = Object.fromEntries(OPERATION_KINDS.map((kind, i) => [kind, i])) as Record<OperationKind, number>;

/**
 * `uplift_graphql_request_duration_seconds`: a Prometheus histogram kept in typed arrays, one
 * slot per operation kind and outcome, so that recording a request on resolve's path costs a few
 * comparisons and two array writes (prom-client's Histogram hashes its labels into a string and
 * allocates on every observation). It is registered as a collector: the registry calls `get()`
 * on each scrape.
 */
class RequestLatency {
  readonly name = 'uplift_graphql_request_duration_seconds';
  readonly help =
    'GraphQL requests on /graphql by operation kind (resolve, resolveMany, trackEvents, other) and outcome (ok, or error: a refusal or any error in the answer), from the first byte read to the answer written.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Per slot (kind x outcome): a count per bucket, the last one +Inf. */
  private readonly counts = new Float64Array(OPERATION_KINDS.length * OUTCOMES.length * (LATENCY_BUCKETS.length + 1));
  private readonly sums = new Float64Array(OPERATION_KINDS.length * OUTCOMES.length);

  observe(kind: OperationKind, failed: boolean, seconds: number): void {
    const slot = KIND_INDEX[kind] * 2 + (failed ? 1 : 0);
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]) bucket++;
    this.counts[slot * (LATENCY_BUCKETS.length + 1) + bucket]++;
    this.sums[slot] += seconds;
  }

  get() {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    OPERATION_KINDS.forEach((operation, k) =>
      OUTCOMES.forEach((outcome, o) => {
        const slot = k * 2 + o;
        let cumulative = 0;
        for (let bucket = 0; bucket <= LATENCY_BUCKETS.length; bucket++) {
          cumulative += this.counts[slot * (LATENCY_BUCKETS.length + 1) + bucket];
          const le = bucket < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[bucket] : '+Inf';
          values.push({ value: cumulative, labels: { operation, outcome, le }, metricName: `${this.name}_bucket` });
        }
        values.push({ value: this.sums[slot], labels: { operation, outcome }, metricName: `${this.name}_sum` });
        values.push({ value: cumulative, labels: { operation, outcome }, metricName: `${this.name}_count` });
      }),
    );
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sums.fill(0);
  }
}

/** A monotonic counter read from a getter: increased by the difference at each scrape. */
function counterFrom(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

function gaugeFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** Milliseconds on the minute summary's log scale: 8 buckets per doubling, from 1 µs to about 70 minutes. */
const SUMMARY_BUCKETS = 256;
const bucketOf = (seconds: number) => Math.min(SUMMARY_BUCKETS - 1, Math.max(0, Math.floor(Math.log2(seconds * 1e6 + 1) * 8)));
const secondsOf = (bucket: number) => (2 ** ((bucket + 1) / 8) - 1) / 1e6;

class MinuteOfKind {
  count = 0;
  errors = 0;
  readonly buckets = new Uint32Array(SUMMARY_BUCKETS);

  record(failed: boolean, seconds: number): void {
    this.count++;
    if (failed) this.errors++;
    this.buckets[bucketOf(seconds)]++;
  }

  /** The upper edge of the bucket holding the q-quantile, in ms (within 9% of the true value). */
  quantileMs(q: number): number {
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let bucket = 0; bucket < SUMMARY_BUCKETS; bucket++) {
      seen += this.buckets[bucket];
      if (seen >= rank) return Math.round(secondsOf(bucket) * 1e6) / 1e3;
    }
    return Infinity;
  }

  reset(): void {
    this.count = 0;
    this.errors = 0;
    this.buckets.fill(0);
  }
}

/** How often the request summary is logged. */
export const SUMMARY_EVERY_MS = 60_000;

/**
 * Uplift's Prometheus metrics, one registry per running instance, and the per-minute request
 * summary that takes the place of a log line per resolve.
 */
export class UpliftMetrics {
  readonly registry = new Registry();
  private readonly latency = new RequestLatency();
  private readonly authFailures: Counter<'reason'>;
  private readonly minute = Object.fromEntries(OPERATION_KINDS.map((kind) => [kind, new MinuteOfKind()])) as Record<OperationKind, MinuteOfKind>;
  private minuteStartedAt = Date.now();
  private timer?: NodeJS.Timeout;

  constructor(
    sources: MetricSources,
    private readonly logger: Logger,
  ) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry });

    // Every series exists from the start, so that the set of series never changes.
    registry.registerMetric(this.latency as unknown as Metric);

    this.authFailures = new Counter({
      name: 'uplift_auth_failures_total',
      help: 'Requests refused for their credentials, by reason: MISSING_KEY (none sent), INVALID_KEY (malformed, unknown or revoked), ROLE_NOT_ALLOWED (the key lacks the role), other.',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    for (const reason of AUTH_REASONS) this.authFailures.inc({ reason }, 0);

    const { exposures } = sources;
    gaugeFrom(registry, 'uplift_exposures_waiting', 'Exposures in memory waiting to be written to the database.', () => exposures.waiting);
    counterFrom(registry, 'uplift_exposures_dropped_total', 'Exposures given up since start: memory and the disk spool were both full.', () => exposures.dropped);
    gaugeFrom(registry, 'uplift_exposure_spool_bytes', 'Bytes of exposures spooled on local disk while the database is away.', () => exposures.spoolBytes);
    gaugeFrom(registry, 'uplift_metric_fold_lag_seconds', 'Seconds since the metric value log was last folded into the exposures (every 5 s normally; grows while folding fails).', () => (Date.now() - sources.lastFoldAt()) / 1000);
    gaugeFrom(registry, 'uplift_config_snapshot_age_seconds', 'Seconds since the configuration resolve serves was last read from the database (rebuilt, or found unchanged; every 30 s at most normally; grows while the database is away).', () => (Date.now() - sources.snapshotLoadedAt()) / 1000);
    gaugeFrom(registry, 'uplift_db_pool_connections', 'Connections the database pool holds, in use or idle.', () => sources.pool()?.totalCount ?? 0);
    gaugeFrom(registry, 'uplift_db_pool_idle_connections', 'Idle connections in the database pool.', () => sources.pool()?.idleCount ?? 0);
    gaugeFrom(registry, 'uplift_db_pool_waiting_requests', 'Queries waiting for a connection from the database pool.', () => sources.pool()?.waitingCount ?? 0);
  }

  /** Once per GraphQL request: cheap (array writes and a bucket search, no allocation), as resolve's path needs. */
  record(kind: OperationKind, failed: boolean, seconds: number): void {
    this.latency.observe(kind, failed, seconds);
    this.minute[kind].record(failed, seconds);
  }

  /** A request refused for its credentials; `reason` is mapped onto the fixed set. */
  authFailure(reason: unknown): void {
    this.authFailures.inc({ reason: typeof reason === 'string' && AUTH_REASONS.includes(reason) ? reason : 'other' });
  }

  /** The text format Prometheus scrapes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  start(): void {
    this.timer = setInterval(() => this.logSummary(), SUMMARY_EVERY_MS);
    this.timer.unref();
  }

  /** Logs what the rest of the minute saw. */
  stop(): void {
    clearInterval(this.timer);
    this.logSummary();
  }

  /** One line per period with requests in it: count, errors, p50 and p99 per operation kind. */
  private logSummary(): void {
    const operations: Record<string, { count: number; errors: number; p50Ms: number; p99Ms: number }> = {};
    for (const kind of OPERATION_KINDS) {
      const minute = this.minute[kind];
      if (minute.count === 0) continue;
      operations[kind] = { count: minute.count, errors: minute.errors, p50Ms: minute.quantileMs(0.5), p99Ms: minute.quantileMs(0.99) };
      minute.reset();
    }
    const since = new Date(this.minuteStartedAt).toISOString();
    this.minuteStartedAt = Date.now();
    if (Object.keys(operations).length > 0) this.logger.info({ since, seconds: Math.round((this.minuteStartedAt - Date.parse(since)) / 1000), operations }, 'graphql requests');
  }
}
