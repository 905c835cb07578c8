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

interface Cached {
  principal: Principal | null;
  at: number;
}

/**
 * Finds who is calling from the `Authorization` header. Keys are cached by hash, and the cache is
 * cleared whenever a key changes (here, or on another instance through NOTIFY), so that resolve
 * costs no query and a revoked key still stops at once. If the database is away, a key seen
 * before keeps working.
 */
export class Authenticator {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly dataSource: DataSource,
    bus: ChangeBus,
  ) {
    bus.on(ChangeTopic.KEYS, () => this.cache.clear());
  }

  /** Null without a header; UNAUTHENTICATED for a malformed, unknown or revoked key. */
  async authenticate(authorization: string | undefined): Promise<Principal | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw authError(AuthErrorReason.INVALID_KEY, 'Authorization must be "Bearer <key>"');
    const principal = await this.lookup(hashKey(match[1]));
    if (!principal) throw authError(AuthErrorReason.INVALID_KEY, 'Unknown or revoked API key');
    return principal;
  }

  private async lookup(keyHash: string): Promise<Principal | null> {
    const cached = this.cache.get(keyHash);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.principal;
    let principal: Principal | null;
    try {
      const key = await new ApiKeyStore(this.dataSource.manager).findByHash(keyHash);
      principal = key && !key.revokedAt ? { keyId: key.id, name: key.name, role: key.role } : null;
    } catch (error) {
      if (cached) return cached.principal;
      throw error;
    }
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(keyHash, { principal, at: Date.now() });
    return principal;
  }
}
