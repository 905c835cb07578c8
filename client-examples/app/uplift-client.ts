/**
 * A minimal Uplift client for a Node app: resolve over HTTP, or evaluate in-process on the
 * configuration from `sdkConfig` with the same pure module the server runs; track events with
 * ids of their own so that a retry is harmless. A call is retried (bounded, with backoff and jitter)
 * when Uplift answers 503 / SERVICE_UNAVAILABLE (its database is away) or does not answer; every
 * other error is permanent and thrown at once.
 */
import { randomUUID } from 'node:crypto';
import { evaluate } from '../../src/assignment/evaluate';
import type { ConfigSnapshot, Resolution, UserContext } from '../../src/assignment/snapshot';

export interface TrackedEvent {
  userId: string;
  type: string;
  value?: number;
  properties?: Record<string, unknown>;
}

/** How a call is retried when Uplift (or its database) is away: exponential backoff with full jitter, a bounded number of attempts. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  /** Also caps what a `Retry-After` header asks for. */
  maxDelayMs: number;
  /** Told before each wait, e.g. to log or count retries. */
  onRetry?: (attempt: number, error: UpliftError) => void;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 5_000 };

/** A failed call: `retriable` when trying again later can succeed (HTTP 503 / SERVICE_UNAVAILABLE, or no answer at all). */
export class UpliftError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number | undefined,
    readonly retriable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'UpliftError';
  }
}

export class UpliftClient {
  private config?: ConfigSnapshot;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly upliftUrl: string,
    private readonly sdkKey: string,
    retry: Partial<RetryPolicy> = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  private async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(query, variables);
      } catch (error) {
        if (!(error instanceof UpliftError) || !error.retriable || attempt >= this.retry.attempts) throw error;
        this.retry.onRetry?.(attempt, error);
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        const floor = Math.min(error.retryAfterMs ?? 0, this.retry.maxDelayMs);
        // Jitter, so that clients refused together do not all come back together.
        await new Promise((resolve) => setTimeout(resolve, floor + Math.random() * backoff));
      }
    }
  }

  private async send<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.upliftUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.sdkKey}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new UpliftError(`Uplift unreachable: ${error instanceof Error ? error.message : String(error)}`, undefined, undefined, true);
    }
    const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    const code = body.errors?.[0]?.extensions?.code;
    if (response.status === 503 || code === 'SERVICE_UNAVAILABLE') {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new UpliftError(`Uplift: ${body.errors?.[0]?.message ?? 'unavailable'}`, code, response.status, true, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
    }
    if (body.errors?.length) throw new UpliftError(`Uplift: ${body.errors[0].message}`, code, response.status, false);
    return body.data as T;
  }

  /** One round trip: every running experiment, every flag, the entitlements. */
  async resolve(user: UserContext): Promise<Resolution> {
    const data = await this.graphql<{ resolve: Resolution }>(
      `query Resolve($user: UserContextInput!) { resolve(user: $user) {
        userId inHoldout experiments { experimentKey variantKey payload phase reason } flags { key value variant reason errorCode } } }`,
      { user },
    );
    return data.resolve;
  }

  /** Fetches the running configuration for in-process evaluation; call again to refresh. */
  async refreshConfig(): Promise<void> {
    this.config = (await this.graphql<{ sdkConfig: ConfigSnapshot }>('{ sdkConfig }', {})).sdkConfig;
  }

  /** No network: the same answer resolve gives, from the last configuration fetched. Exposures are not recorded this way. */
  evaluateLocally(user: UserContext): Resolution {
    if (!this.config) throw new Error('call refreshConfig() first');
    return evaluate(this.config, user);
  }

  /** Sends events with fresh ids, retrying while Uplift is away (see RetryPolicy): the ids make a retry safe. */
  async track(events: TrackedEvent[]): Promise<{ accepted: number; duplicates: number }> {
    const withIds = events.map((event) => ({ id: randomUUID(), occurredAt: new Date().toISOString(), ...event }));
    const result = await this.graphql<{ trackEvents: { accepted: number; duplicates: number; rejected: { message: string }[] } }>(
      'mutation Track($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates rejected { index field message } } }',
      { events: withIds },
    );
    if (result.trackEvents.rejected.length) throw new Error(`Uplift rejected events: ${JSON.stringify(result.trackEvents.rejected)}`);
    return result.trackEvents;
  }
}
