import type { DataSource } from 'typeorm';
import type { ConfigSnapshot } from './snapshot';
import { loadSnapshot, type LoadedSnapshot } from './snapshot.store';
import type { EntitlementConfig } from '../entitlements/entitlement.snapshot';
import { ChangeTopic, type ChangeBus } from '../common/change-bus';
import type { Logger } from '../common/logger';
import { UnknownTierCounter } from '../tiers/tier.metrics';
import { SettledCollection } from '../common/settled-collection';

/** Rebuilds even without a notification this often, in case one was lost. */
const SAFETY_REFRESH_MS = 30_000;
/**
 * Quiet time after the last rebuild before the replaced snapshots are collected, and the rebuilds
 * a burst needs to be worth it (src/common/settled-collection.ts): a person editing a few
 * experiments leaves little garbage; a script creating hundreds leaves most of the heap.
 */
const COLLECT_AFTER_MS = 2_000;
const COLLECT_AFTER_REBUILDS = 50;

/**
 * Holds the running configuration in memory, immutable, for the resolve path to read without
 * touching the database. Rebuilt when a change is announced (here or, through NOTIFY, on another
 * instance) and every 30 s; while the database is away it keeps serving the last snapshot.
 */
export class SnapshotService {
  private snapshot?: LoadedSnapshot;
  private rebuilding?: Promise<void>;
  private stale = false;
  private timer?: NodeJS.Timeout;
  /** When the configuration was last read from the database, changed or not (ms since the epoch): snapshot age for /metrics. */
  loadedAt = 0;
  /** Users resolved with a tier the catalogue does not know, per tier: for the metrics endpoint to read. */
  readonly unknownTiers = new UnknownTierCounter();
  private readonly changeListeners: ((config: ConfigSnapshot) => void)[] = [];
  private readonly replacedSnapshots = new SettledCollection(COLLECT_AFTER_MS, COLLECT_AFTER_REBUILDS);

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {}

  async start(bus: ChangeBus): Promise<void> {
    this.snapshot = await loadSnapshot(this.dataSource);
    this.loadedAt = Date.now();
    bus.on(ChangeTopic.CONFIG, () => this.refresh());
    this.timer = setInterval(() => void this.refresh(), SAFETY_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.replacedSnapshots.stop();
  }

  current(): ConfigSnapshot {
    if (!this.snapshot) throw new Error('SnapshotService used before start()');
    return this.snapshot.config;
  }

  /** The entitlement catalogue and rules, swapped together with current(). */
  entitlements(): EntitlementConfig {
    if (!this.snapshot) throw new Error('SnapshotService used before start()');
    return this.snapshot.entitlements;
  }

  /** The tier catalogue, swapped together with current(). */
  tiers(): ReadonlySet<string> {
    if (!this.snapshot) throw new Error('SnapshotService used before start()');
    return this.snapshot.tiers;
  }

  /** Called with each new configuration once it replaced the last (live update streams listen). */
  onChange(listener: (config: ConfigSnapshot) => void): void {
    this.changeListeners.push(listener);
  }

  /** Coalesces bursts: at most one rebuild runs, and one more follows if changes arrived meanwhile. */
  refresh(): Promise<void> {
    if (this.rebuilding) {
      this.stale = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      do {
        this.stale = false;
        try {
          const next = await loadSnapshot(this.dataSource);
          this.loadedAt = Date.now();
          if (next.config.version !== this.snapshot?.config.version) {
            this.snapshot = next;
            const { config, entitlements } = next;
            for (const listener of this.changeListeners) listener(config);
            this.replacedSnapshots.poke();
            this.logger.info({ version: config.version, experiments: config.experiments.length, flags: config.flags.length, entitlementRules: entitlements.rules.length }, 'configuration snapshot rebuilt');
          }
        } catch (error) {
          this.logger.warn({ err: error }, 'could not rebuild the configuration snapshot; serving the last one');
        }
      } while (this.stale);
      this.rebuilding = undefined;
    })();
    return this.rebuilding;
  }
}
