import type { DataSource } from 'typeorm';
import { ApiKeyStore } from './api-key.store';
import { hashKey } from './api-key.service';
import { AuthErrorReason, authError } from './auth.errors';
import type { Principal } from './principal';
import { ChangeTopic, type ChangeBus } from '../common/change-bus';

/** Long enough that the hot path rarely reads the database; revocations clear it at once anyway. */
const CACHE_TTL_MS = 60_000;
/** Unknown keys are cached too (or guessing would cost a query each); past this size the cache starts over. */
const MAX_CACHED = 10_000;
/** Longer headers are cached by their hash, so that the cache's memory stays bounded (keys are ~40 characters). */
const MAX_HEADER_AS_CACHE_KEY = 256;

function known(principal: Principal | null): Principal {
  if (!principal) throw authError(AuthErrorReason.INVALID_KEY, 'Unknown or revoked API key');
  return principal;
}

interface Cached {
  principal: Principal | null;
  at: number;
}

/**
 * Finds who is calling from the `Authorization` header. Answers are cached by the header as sent
 * (hashing the key on every request cost resolve more than the lookup), and the cache is cleared
 * whenever a key changes (here, or on another instance through NOTIFY), so that resolve costs no
 * query and a revoked key still stops at once. If the database is away, a key seen before keeps
 * working.
 */
export class Authenticator {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly dataSource: DataSource,
    bus: ChangeBus,
  ) {
    bus.on(ChangeTopic.KEYS, () => this.cache.clear());
  }

  /**
   * Null without a header; UNAUTHENTICATED for a malformed, unknown or revoked key. Answers from
   * the cache synchronously (resolve's usual case: no promise, no turn of the microtask queue).
   */
  authenticate(authorization: string | undefined): Principal | null | Promise<Principal | null> {
    if (!authorization) return null;
    const cacheKey = authorization.length <= MAX_HEADER_AS_CACHE_KEY ? authorization : hashKey(authorization);
    const cached = this.cache.get(cacheKey);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return known(cached.principal);
    return this.lookup(authorization, cacheKey, cached).then(known);
  }

  private async lookup(authorization: string, cacheKey: string, cached: Cached | undefined): Promise<Principal | null> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw authError(AuthErrorReason.INVALID_KEY, 'Authorization must be "Bearer <key>"');
    let principal: Principal | null;
    try {
      const key = await new ApiKeyStore(this.dataSource.manager).findByHash(hashKey(match[1]));
      principal = key && !key.revokedAt ? { keyId: key.id, name: key.name, role: key.role } : null;
    } catch (error) {
      if (cached) return cached.principal;
      throw error;
    }
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(cacheKey, { principal, at: Date.now() });
    return principal;
  }
}
