import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isUUID } from 'class-validator';
import { ApiKey } from './api-key.entity';
import { ApiKeyStore, BOOTSTRAP_KEY_NAME } from './api-key.store';
import { AuthErrorReason, authError } from './auth.errors';
import { generateKey, keyPrefix, MIN_ADMIN_KEY_LENGTH } from './key-format';
import { actorName, Role, type Principal } from './principal';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import { announceChange, ChangeTopic } from '../common/change-bus';

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new secret in the checksummed format (src/auth/key-format.ts). */
export function generateSecret(): string {
  return generateKey();
}

function snapshot(key: ApiKey) {
  return { id: key.id, name: key.name, role: key.role, keyPrefix: key.keyPrefix, revokedAt: key.revokedAt };
}

export async function createApiKey(dataSource: DataSource, principal: Principal, name: string, role: Role) {
  const secret = generateSecret();
  const apiKey = await dataSource.transaction(async (manager) => {
    const created = await new ApiKeyStore(manager).insert({
      name,
      role,
      keyHash: hashKey(secret),
      keyPrefix: keyPrefix(secret),
      createdBy: actorName(principal),
    });
    await recordAudit(manager, principal, { entityType: AuditEntityType.API_KEY, entityKey: created.id, action: 'CREATE', before: null, after: snapshot(created) });
    return created;
  });
  return { apiKey, secret };
}

export async function revokeApiKey(dataSource: DataSource, principal: Principal, id: string): Promise<ApiKey> {
  return dataSource.transaction(async (manager) => {
    const store = new ApiKeyStore(manager);
    const before = isUUID(id) ? await store.findById(id) : null;
    if (!before) throw authError(AuthErrorReason.API_KEY_NOT_FOUND, `No API key with id ${id}`, 'id');
    if (before.revokedAt) return before;
    const after = await store.revoke(id);
    await announceChange(manager, ChangeTopic.KEYS);
    await recordAudit(manager, principal, { entityType: AuditEntityType.API_KEY, entityKey: id, action: 'REVOKE', before: snapshot(before), after: snapshot(after) });
    return after;
  });
}

export function listApiKeys(dataSource: DataSource): Promise<ApiKey[]> {
  return new ApiKeyStore(dataSource.manager).list();
}

/**
 * Makes `secret` a valid admin key named `bootstrap-admin`, and revokes any earlier bootstrap key,
 * so that changing UPLIFT_ADMIN_KEY retires the old one. A revoked key never comes back: starting
 * with one fails, asking for a new key.
 */
export async function ensureBootstrapAdminKey(dataSource: DataSource, secret: string): Promise<void> {
  if (secret.length < MIN_ADMIN_KEY_LENGTH) {
    throw new Error(`UPLIFT_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters long (it has ${secret.length}): generate one with "openssl rand -base64 32"`);
  }
  await dataSource.transaction(async (manager) => {
    const store = new ApiKeyStore(manager);
    const keyHash = hashKey(secret);
    const existing = await store.findByHash(keyHash);
    if (existing?.revokedAt) throw new Error('UPLIFT_ADMIN_KEY is a key that was revoked: set a new one');
    if (!existing) {
      await store.insert({ name: BOOTSTRAP_KEY_NAME, role: Role.ADMIN, keyHash, keyPrefix: keyPrefix(secret), createdBy: 'bootstrap' });
    }
    await store.revokeOthersNamed(BOOTSTRAP_KEY_NAME, keyHash);
    await announceChange(manager, ChangeTopic.KEYS);
  });
}
