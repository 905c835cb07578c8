import type { DataSource } from 'typeorm';
import { LRUCache } from 'lru-cache';
import { ApiKeyStore } from './api-key.store';
import { hashKey } from './api-key.service';
import { AuthErrorReason, authError } from './auth.errors';
import { keyShape } from './key-format';
import type { Principal } from './principal';
import { ChangeTopic, type ChangeBus } from '../common/change-bus';

/** Long enough that the hot path rarely reads the database; key changes make every entry stale at once anyway. */
const CACHE_TTL_MS = 60_000;
/** Known keys kept; an instance serves a few dozen, so this is about the memory of a flood, not of use. */
const MAX_KNOWN = 10_000;
/** Well-formed keys found unknown or revoked, kept apart so that they can never push a known key out. */
const MAX_UNKNOWN = 10_000;
/** Lookups of well-formed keys not known here that may reach the database per second (a burst of as many). */
export const UNKNOWN_KEY_LOOKUPS_PER_SECOND = 20;

interface Known {
  principal: Principal;
  at: number;
  /** The key generation it was read in: a key change anywhere makes it stale. */
  generation: number;
}

/** A token bucket: `rate` tokens a second, at most `rate` at once. */
class LookupBudget {
  private tokens: number;
  private refilledAt = Date.now();

  constructor(private readonly rate: number) {
    this.tokens = rate;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Gives back a token taken for a key that turned out to be known: only unknown keys spend the budget. */
  refund(): void {
    this.tokens = Math.min(this.rate, this.tokens + 1);
  }
}

function unknownKey() {
  return authError(AuthErrorReason.INVALID_KEY, 'Unknown or revoked API key');
}

/**
 * Finds who is calling from the `Authorization` header. Known keys are cached by the header as
 * sent (hashing the key on every request cost resolve more than the lookup) in a bounded LRU; a
 * header that is not one of Uplift's key shapes, or whose checksum is wrong, is refused with no
 * query and no cache entry; unknown well-formed keys are remembered apart and reach the database
 * at most UNKNOWN_KEY_LOOKUPS_PER_SECOND times a second. So a flood of made-up keys neither
 * evicts the working keys nor loads the database. A key change (here, or on another instance
 * through NOTIFY) makes every cached answer stale, so that a revoked key stops at once; if the
 * database is away, a key known before keeps working.
 */
export class Authenticator {
  private readonly known = new LRUCache<string, Known>({ max: MAX_KNOWN });
  private readonly unknown = new LRUCache<string, true>({ max: MAX_UNKNOWN, ttl: CACHE_TTL_MS });
  private readonly budget = new LookupBudget(UNKNOWN_KEY_LOOKUPS_PER_SECOND);
  private generation = 0;
  /**
   * Hashes of the active keys an operator chose (UPLIFT_ADMIN_KEY), which need not have one of
   * Uplift's shapes: read at start and after every key change, so that a key rotated on another
   * instance is accepted here too.
   */
  private operatorKeyHashes = new Set<string>();
  private operatorKeysLoading: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    bus: ChangeBus,
  ) {
    bus.on(ChangeTopic.KEYS, () => {
      this.generation++;
      this.unknown.clear();
      this.operatorKeysLoading = this.loadOperatorKeys().catch(() => undefined);
    });
  }

  /** Reads the operator's keys; before this, only keys of Uplift's shapes are looked up. */
  start(): Promise<void> {
    return (this.operatorKeysLoading = this.loadOperatorKeys());
  }

  private async loadOperatorKeys(): Promise<void> {
    this.operatorKeyHashes = new Set(await new ApiKeyStore(this.dataSource.manager).activeBootstrapHashes());
  }

  private async isOperatorKey(token: string): Promise<boolean> {
    await this.operatorKeysLoading;
    return this.operatorKeyHashes.has(hashKey(token));
  }

  /** How many answers are cached, known keys and unknown ones apart (tests; metrics). */
  cacheSizes(): { known: number; unknown: number } {
    return { known: this.known.size, unknown: this.unknown.size };
  }

  /**
   * Null without a header; UNAUTHENTICATED for a malformed, unknown or revoked key. Answers from
   * the cache synchronously (resolve's usual case: no promise, no turn of the microtask queue).
   */
  authenticate(authorization: string | undefined): Principal | null | Promise<Principal | null> {
    if (!authorization) return null;
    const entry = this.known.get(authorization);
    if (entry !== undefined && entry.generation === this.generation && Date.now() - entry.at < CACHE_TTL_MS) return entry.principal;
    return this.lookup(authorization, entry);
  }

  private async lookup(authorization: string, entry: Known | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw authError(AuthErrorReason.INVALID_KEY, 'Authorization must be "Bearer <key>"');
    const token = match[1];
    if (keyShape(token) === null && !(await this.isOperatorKey(token))) {
      throw authError(AuthErrorReason.INVALID_KEY, 'Not an Uplift API key: wrong format or checksum');
    }
    // A key cached before (stale now) was known: re-reading it spends nothing of the budget.
    if (entry === undefined) {
      if (this.unknown.has(authorization)) throw unknownKey();
      if (!this.budget.take()) {
        throw authError(AuthErrorReason.KEY_LOOKUPS_LIMITED, 'Too many unknown API keys tried: retry in a second');
      }
    }
    const generation = this.generation;
    let principal: Principal | null;
    try {
      const key = await new ApiKeyStore(this.dataSource.manager).findByHash(hashKey(token));
      principal = key && !key.revokedAt ? { keyId: key.id, name: key.name, role: key.role } : null;
    } catch (error) {
      if (entry) return entry.principal;
      throw error;
    }
    if (!principal) {
      this.known.delete(authorization);
      this.unknown.set(authorization, true);
      throw unknownKey();
    }
    if (entry === undefined) this.budget.refund();
    // Read across a key change, it may already be stale: used once, not kept.
    if (generation === this.generation) this.known.set(authorization, { principal, at: Date.now(), generation });
    return principal;
  }
}
