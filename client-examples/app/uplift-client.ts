/**
 * A minimal Uplift client for a Node app: resolve over HTTP, or evaluate in-process on the
 * configuration from `sdkConfig` with the same pure module the server runs; track events with
 * ids of their own so that a retry is harmless.
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

export class UpliftClient {
  private config?: ConfigSnapshot;

  constructor(
    private readonly upliftUrl: string,
    private readonly sdkKey: string,
  ) {}

  private async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.upliftUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.sdkKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`Uplift: ${body.errors[0].message}`);
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

  /** Sends events with fresh ids, retrying once on a network failure: the ids make the retry safe. */
  async track(events: TrackedEvent[]): Promise<{ accepted: number; duplicates: number }> {
    const withIds = events.map((event) => ({ id: randomUUID(), occurredAt: new Date().toISOString(), ...event }));
    const send = () =>
      this.graphql<{ trackEvents: { accepted: number; duplicates: number; rejected: { message: string }[] } }>(
        'mutation Track($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates rejected { index field message } } }',
        { events: withIds },
      );
    const result = await send().catch(send);
    if (result.trackEvents.rejected.length) throw new Error(`Uplift rejected events: ${JSON.stringify(result.trackEvents.rejected)}`);
    return result.trackEvents;
  }
}
