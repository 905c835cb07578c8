import { IsNull, Not, type EntityManager } from 'typeorm';
import { ApiKey } from './api-key.entity';
import type { Role } from './principal';

/** The name of the admin key made from UPLIFT_ADMIN_KEY (or generated on the embedded default). */
export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';

/** All SQL of the auth domain. */
export class ApiKeyStore {
  constructor(private readonly manager: EntityManager) {}

  findByHash(keyHash: string): Promise<ApiKey | null> {
    return this.manager.findOne(ApiKey, { where: { keyHash } });
  }

  findById(id: string): Promise<ApiKey | null> {
    return this.manager.findOne(ApiKey, { where: { id } });
  }

  list(): Promise<ApiKey[]> {
    return this.manager.find(ApiKey, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  insert(values: { name: string; role: Role; keyHash: string; keyPrefix: string; createdBy: string | null }): Promise<ApiKey> {
    return this.manager.save(ApiKey, this.manager.create(ApiKey, values));
  }

  async revoke(id: string): Promise<ApiKey> {
    await this.manager.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return this.manager.findOneOrFail(ApiKey, { where: { id } });
  }

  /** Hashes of the active bootstrap admin keys (UPLIFT_ADMIN_KEY, whatever its shape). */
  async activeBootstrapHashes(): Promise<string[]> {
    const keys = await this.manager.find(ApiKey, { select: { keyHash: true }, where: { name: BOOTSTRAP_KEY_NAME, revokedAt: IsNull() } });
    return keys.map((key) => key.keyHash);
  }

  /** Revokes the active keys of this name other than `keepHash`. */
  async revokeOthersNamed(name: string, keepHash: string): Promise<void> {
    await this.manager.update(ApiKey, { name, keyHash: Not(keepHash), revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
