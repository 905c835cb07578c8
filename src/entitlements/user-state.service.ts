import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { DAY_MS, neededState, stateNeeds } from './entitlement.engine';
import { EntitlementStore } from './entitlement.store';
import { NO_USER_STATE, type EntitlementConfig, type UserState } from './entitlement.snapshot';
import type { SnapshotService } from '../assignment/snapshot.service';

/** Users whose state is kept; past this the least recently loaded go first. */
const MAX_ENTRIES = 100_000;

interface Entry {
  /** Real time (not the injectable clock) the read started: freshness is about the database, not the rules. */
  loadedAt: number;
  /** The first UTC day (days since 1970-01-01) of summaries read: a later need for older days is a miss. */
  fromDay: number;
  state?: UserState;
  pending?: Promise<UserState>;
}

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * What resolve reads about a user (behavioural facts and per-user grants), kept for `ttlMs` so
 * that the request path rarely touches the database. Loads of concurrent requests are batched
 * (DataLoader: one query for all the users asked for in the same tick, resolveMany's included);
 * a user asked for again while their read is in flight waits for that read. trackEvents
 * invalidates the users it ingests on this instance; any change of the entitlement configuration
 * or of per-user grants (on any instance, through the snapshot) starts the cache over.
 */
export class UserStateService {
  private readonly entries = new Map<string, Entry>();
  private configSeen?: EntitlementConfig;
  private readonly loader: DataLoader<string, UserState>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly snapshots: SnapshotService,
    private readonly now: () => Date,
    private readonly ttlMs: number,
  ) {
    this.loader = new DataLoader((userIds) => this.read(userIds), { cache: false, maxBatchSize: 1_000 });
  }

  /** The first summary day the current rules need, as of the clock. */
  private neededFromDay(config: EntitlementConfig): number {
    const today = Math.floor(this.now().getTime() / DAY_MS);
    return today - Math.max(stateNeeds(config).lookbackDays - 1, 0);
  }

  private async read(userIds: readonly string[]): Promise<UserState[]> {
    const config = this.snapshots.entitlements();
    const needs = stateNeeds(config);
    const states = await new EntitlementStore(this.dataSource.manager).userStates(userIds, {
      fromDay: isoDay(this.neededFromDay(config)),
      eventTypes: needs.lookbackDays > 0 ? needs.eventTypes : [],
      grants: needs.grants,
      now: this.now(),
      includeExpired: false,
    });
    return userIds.map((id) => states.get(id) ?? NO_USER_STATE);
  }

  /** Starts over when the configuration changed, since what to read (and the grants) may have. */
  private entriesFor(config: EntitlementConfig): Map<string, Entry> {
    if (config !== this.configSeen) {
      this.entries.clear();
      this.configSeen = config;
    }
    return this.entries;
  }

  /** The user's state when a fresh copy is at hand: no promise, no I/O. */
  peek(userId: string): UserState | undefined {
    const config = this.snapshots.entitlements();
    const entry = this.entriesFor(config).get(userId);
    if (entry?.state === undefined || Date.now() - entry.loadedAt >= this.ttlMs || entry.fromDay > this.neededFromDay(config)) return undefined;
    return entry.state;
  }

  /** The user's state, read (batched with other reads of the same tick) unless a read is in flight. */
  load(userId: string): Promise<UserState> {
    const config = this.snapshots.entitlements();
    const entries = this.entriesFor(config);
    const inFlight = entries.get(userId)?.pending;
    if (inFlight) return inFlight;
    const entry: Entry = { loadedAt: Date.now(), fromDay: this.neededFromDay(config) };
    entries.delete(userId);
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(userId, entry);
    entry.pending = this.loader.load(userId).then(
      (state) => {
        entry.state = state;
        entry.pending = undefined;
        return state;
      },
      (error: unknown) => {
        if (entries.get(userId) === entry) entries.delete(userId);
        throw error;
      },
    );
    return entry.pending;
  }

  /** Forgets these users, after their events were stored here. */
  invalidate(userIds: Iterable<string>): void {
    for (const userId of userIds) this.entries.delete(userId);
  }

  /** Straight from the database, expired grants included: for explanations, which must show the present. */
  async fresh(userId: string): Promise<UserState> {
    const needs = neededState(this.snapshots.entitlements(), true);
    const today = Math.floor(this.now().getTime() / DAY_MS);
    const states = await new EntitlementStore(this.dataSource.manager).userStates([userId], {
      fromDay: isoDay(today - Math.max(needs.lookbackDays - 1, 0)),
      eventTypes: needs.eventTypes,
      grants: true,
      now: this.now(),
      includeExpired: true,
    });
    return states.get(userId) ?? NO_USER_STATE;
  }
}
