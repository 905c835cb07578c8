import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { DAY_MS, neededState, stateNeeds } from '../engine/entitlements';
import { EntitlementStore } from './entitlement.store';
import { NO_USER_STATE, type EntitlementConfig, type UserState } from './entitlement.snapshot';
import type { SnapshotService } from '../assignment/snapshot.service';

/** Users whose state is kept; past this the least recently loaded go first. */
const MAX_ENTRIES = 100_000;
/**
 * Background refreshes wait this long to be read together: one query for many users costs the
 * database and this process far less than one each, and nobody waits for them.
 */
const REFRESH_BATCH_MS = 50;

interface Entry {
  /** Real time (not the injectable clock) the last read started: freshness is about the database, not the rules. */
  loadedAt: number;
  /**
   * The injectable clock when the last read started. What was read is good for that time and later
   * (summaries since the longest window's start, grants unexpired then), not for earlier: a clock
   * set back (tests) makes it a miss.
   */
  readAtClock: number;
  state?: UserState;
  pending?: Promise<UserState>;
}

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * What resolve reads about a user (behavioural facts and per-user grants), kept so that the
 * request path rarely touches the database. What is served is never older than `ttlMs`; from
 * half that age on, a request serves it and has it read again in the background, so that users
 * asked for often never wait for the database. Reads of concurrent requests are batched
 * (DataLoader: one query for all the users asked for in the same tick, resolveMany's included);
 * a user asked for again while their read is in flight waits for that read. trackEvents
 * invalidates the users it ingests on this instance; any change of the entitlement configuration
 * or of per-user grants (on any instance, through the snapshot) starts the cache over.
 */
export class UserStateService {
  private readonly entries = new Map<string, Entry>();
  private configSeen?: EntitlementConfig;
  /** For requests waiting: batched within the tick. */
  private readonly loader: DataLoader<string, UserState>;
  /** For background refreshes: batched over REFRESH_BATCH_MS. */
  private readonly refresher: DataLoader<string, UserState>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly snapshots: SnapshotService,
    private readonly now: () => Date,
    private readonly ttlMs: number,
  ) {
    this.loader = new DataLoader((userIds) => this.readMany(userIds), { cache: false, maxBatchSize: 1_000 });
    this.refresher = new DataLoader((userIds) => this.readMany(userIds), {
      cache: false,
      maxBatchSize: 1_000,
      batchScheduleFn: (callback) => setTimeout(callback, REFRESH_BATCH_MS),
    });
  }

  /** The first summary day the current rules need, as of the clock. */
  private neededFromDay(config: EntitlementConfig): number {
    const today = Math.floor(this.now().getTime() / DAY_MS);
    return today - Math.max(stateNeeds(config).lookbackDays - 1, 0);
  }

  private async readMany(userIds: readonly string[]): Promise<UserState[]> {
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

  /** Reads the user into `entry`; until it is back, the entry keeps serving what it had. */
  private read(userId: string, entry: Entry, loader: DataLoader<string, UserState>): Promise<UserState> {
    const startedAt = Date.now();
    const readAtClock = this.now().getTime();
    entry.pending = loader.load(userId).then(
      (state) => {
        Object.assign(entry, { state, loadedAt: startedAt, readAtClock, pending: undefined });
        // Least recently read first out.
        if (this.entries.get(userId) === entry) {
          this.entries.delete(userId);
          this.entries.set(userId, entry);
        }
        return state;
      },
      (error: unknown) => {
        entry.pending = undefined;
        throw error;
      },
    );
    return entry.pending;
  }

  /** The user's state when one young enough is at hand: no promise, no I/O (a refresh may start behind it). */
  peek(userId: string): UserState | undefined {
    const config = this.snapshots.entitlements();
    const entry = this.entriesFor(config).get(userId);
    if (entry?.state === undefined || this.now().getTime() < entry.readAtClock) return undefined;
    const age = Date.now() - entry.loadedAt;
    if (age >= this.ttlMs) return undefined;
    // A failed refresh leaves the entry to age out; the request that then waits reports the failure.
    if (age >= this.ttlMs / 2 && entry.pending === undefined) this.read(userId, entry, this.refresher).catch(() => undefined);
    return entry.state;
  }

  /** The user's state, read (batched with other reads of the same tick) unless a read is in flight. */
  load(userId: string): Promise<UserState> {
    const config = this.snapshots.entitlements();
    const entries = this.entriesFor(config);
    let entry = entries.get(userId);
    if (entry?.pending) return entry.pending;
    if (entry === undefined) {
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entry = { loadedAt: 0, readAtClock: 0 };
      entries.set(userId, entry);
    }
    return this.read(userId, entry, this.loader);
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
