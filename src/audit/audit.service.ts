import type { EntityManager } from 'typeorm';
import { AuditEntry } from './audit-entry.entity';
import { decodeCursor, pageSize, toPage, type Page } from '../common/pagination';
import { actorName, type Principal } from '../auth/principal';

export enum AuditEntityType {
  EXPERIMENT = 'EXPERIMENT',
  API_KEY = 'API_KEY',
  LAYER = 'LAYER',
  HOLDOUT = 'HOLDOUT',
  FLAG = 'FLAG',
  METRIC = 'METRIC',
  ENTITLEMENT = 'ENTITLEMENT',
  ENTITLEMENT_RULE = 'ENTITLEMENT_RULE',
  TIER = 'TIER',
  /** Keyed by the user id: one user's grants and revocations read as one history. */
  USER_GRANT = 'USER_GRANT',
}

export interface AuditRecord {
  entityType: AuditEntityType;
  entityKey: string;
  action: string;
  before: unknown;
  after: unknown;
}

/**
 * Writes an audit entry with the caller's transaction manager, so that the entry and the change
 * it describes commit or roll back together.
 */
export async function recordAudit(manager: EntityManager, principal: Principal | null, record: AuditRecord): Promise<void> {
  await manager.insert(AuditEntry, {
    ...record,
    actor: principal ? actorName(principal) : 'system',
    actorKeyId: principal?.keyId ?? null,
    before: (record.before ?? null) as object,
    after: (record.after ?? null) as object,
  });
}

/** Newest first. */
export async function listAudit(
  manager: EntityManager,
  entityType: AuditEntityType,
  entityKey: string,
  first: number | undefined,
  after: string | undefined,
): Promise<Page<AuditEntry>> {
  const size = pageSize(first);
  const query = manager
    .createQueryBuilder(AuditEntry, 'a')
    .where('a.entity_type = :entityType AND a.entity_key = :entityKey', { entityType, entityKey })
    .orderBy('a.id', 'DESC')
    .take(size + 1);
  if (after) {
    const [id] = decodeCursor(after, (key) => key.length === 1 && typeof key[0] === 'string' && /^\d+$/.test(key[0]));
    query.andWhere('a.id < :id', { id });
  }
  return toPage(await query.getMany(), size, (entry) => [entry.id]);
}
