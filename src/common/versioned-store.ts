import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { announceChange, ChangeTopic } from './change-bus';
import type { DomainError } from './errors';
import { containsPattern, isUniqueViolation } from '../db/sql';
import { recordAudit, type AuditEntityType } from '../audit/audit.service';
import type { Principal } from '../auth/principal';

/** A row addressed by a unique key and changed under optimistic locking. */
export type VersionedRow = ObjectLiteral & { id: string; key: string; version: number };

/** How a domain refuses: its own reasons (`KEY_TAKEN`, `VERSION_CONFLICT`, ...) and its own messages. */
export interface VersionedRefusals {
  notFound(key: string): DomainError;
  keyTaken(key: string): DomainError;
  /** The client read `expected`; the row is at `actual`. */
  staleVersion(key: string, actual: number, expected: number): DomainError;
  /** The row changed between the read and the write. */
  changed(key: string): DomainError;
  /** Only for domains whose rows can be archived (then read-only). */
  archived?(key: string): DomainError;
}

export interface VersionedTableSpec<T extends VersionedRow> {
  target: EntityTarget<T>;
  refusals: VersionedRefusals;
  /** False for tables without an `updated_at` column (layers). */
  touchesUpdatedAt?: boolean;
}

/** TypeORM cannot type JSON columns of open content; each domain's rules check the values. */
const row = <T>(values: object) => values as QueryDeepPartialEntity<T>;

/**
 * Reads and writes of one table of keyed, versioned rows: find, lock, insert (KEY_TAKEN on a
 * duplicate key), update (version + 1, only from the version read). Every domain store of such
 * rows is one of these, or extends it with the SQL of its own.
 */
export class VersionedStore<T extends VersionedRow, Changes extends object = Partial<T>> {
  constructor(
    protected readonly manager: EntityManager,
    readonly spec: VersionedTableSpec<T>,
  ) {}

  findByKey(key: string): Promise<T | null> {
    return this.manager.getRepository(this.spec.target).findOne({ where: { key } as never });
  }

  /** Locks the row until the transaction ends, so that concurrent changes queue up. */
  lockByKey(key: string): Promise<T | null> {
    return this.manager.createQueryBuilder(this.spec.target, 't').setLock('pessimistic_write').where('t.key = :key', { key }).getOne();
  }

  /** Rows with status ACTIVE, in creation order (tables with a status column). */
  active(): Promise<T[]> {
    return this.manager.getRepository(this.spec.target).find({ where: { status: 'ACTIVE' } as never, order: { createdAt: 'ASC', id: 'ASC' } as never });
  }

  /** Newest first, filtered by status and by text in key, name or description (tables with those columns). */
  list(query: { status?: string; text?: string; after?: [string, string]; limit: number; where?: [string, Record<string, unknown>][] }): Promise<T[]> {
    const builder = this.manager.createQueryBuilder(this.spec.target, 't').orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(query.limit);
    if (query.status) builder.andWhere('t.status = :status', { status: query.status });
    if (query.text) builder.andWhere('(t.key ILIKE :text OR t.name ILIKE :text OR t.description ILIKE :text)', { text: containsPattern(query.text) });
    if (query.after) {
      builder.andWhere('(t.created_at, t.id) < (:afterCreatedAt::timestamptz, :afterId::uuid)', { afterCreatedAt: query.after[0], afterId: query.after[1] });
    }
    for (const [condition, parameters] of query.where ?? []) builder.andWhere(condition, parameters);
    return builder.getMany();
  }

  async insert(values: Partial<T> & { key: string }): Promise<T> {
    await this.insertColumns(values);
    return (await this.findByKey(values.key))!;
  }

  /** Writes `changes` only if the row is still at `current.version` (optimistic locking). */
  async update(current: T, changes: Changes): Promise<T> {
    await this.updateColumns(current, changes);
    return (await this.findByKey(current.key))!;
  }

  async delete(current: T): Promise<void> {
    await this.manager.delete(this.spec.target, { id: current.id } as never);
  }

  /** The insert alone; returns the new row's id. */
  protected async insertColumns(values: object & { key: string }): Promise<string> {
    try {
      const result = await this.manager.insert(this.spec.target, row<T>(values));
      return result.identifiers[0].id as string;
    } catch (error) {
      if (isUniqueViolation(error)) throw this.spec.refusals.keyTaken(values.key);
      throw error;
    }
  }

  /** The versioned update alone, without reading the row again. */
  protected async updateColumns(current: T, changes: object): Promise<void> {
    const stamps = this.spec.touchesUpdatedAt === false ? {} : { updatedAt: () => 'now()' };
    const result = await this.manager
      .createQueryBuilder()
      .update(this.spec.target)
      .set(row<T>({ ...changes, version: () => 'version + 1', ...stamps }))
      .where('id = :id AND version = :version', { id: current.id, version: current.version })
      .execute();
    if (result.affected !== 1) throw this.spec.refusals.changed(current.key);
  }
}

/** What the edit flow needs to know about a domain. */
export interface VersionedDomain<T extends VersionedRow, Changes extends object = Partial<T>> {
  /** The domain's store of these rows, on the transaction's manager. */
  store(manager: EntityManager): VersionedStore<T, Changes>;
  refusals: VersionedRefusals;
  /** When set, archived rows are read-only (the `archived` refusal). */
  isArchived?(row: T): boolean;
  auditType: AuditEntityType;
  /** What the audit log keeps of a row (default: the row itself). */
  auditOf?(row: T): unknown;
  /** Whether a change must reach resolution on every instance (ChangeTopic.CONFIG). */
  announces: boolean;
  /** Runs in the transaction after every write (created, changed or deleted: `after` null), before the audit. */
  afterWrite?(manager: EntityManager, key: string, changes: Changes | null): Promise<void>;
}

async function finish<T extends VersionedRow, C extends object>(
  manager: EntityManager,
  principal: Principal | null,
  domain: VersionedDomain<T, C>,
  entry: { key: string; action: string; before: T | null; after: T | null },
): Promise<void> {
  const auditOf = (r: T | null) => (r === null ? null : domain.auditOf ? domain.auditOf(r) : r);
  await recordAudit(manager, principal, { entityType: domain.auditType, entityKey: entry.key, action: entry.action, before: auditOf(entry.before), after: auditOf(entry.after) });
  if (domain.announces) await announceChange(manager, ChangeTopic.CONFIG);
}

/** Inserts a row built inside the transaction (validation may read), then audits CREATE and announces. */
export function createVersioned<T extends VersionedRow, C extends object>(
  dataSource: DataSource,
  principal: Principal,
  domain: VersionedDomain<T, C>,
  valuesOf: (manager: EntityManager) => Promise<Partial<T> & { key: string }>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    const created = await domain.store(manager).insert(await valuesOf(manager));
    await domain.afterWrite?.(manager, created.key, null);
    await finish(manager, principal, domain, { key: created.key, action: 'CREATE', before: null, after: created });
    return created;
  });
}

/** Locks the row, checks that it exists, that the client read its current version and that it is not archived. */
async function lockForEdit<T extends VersionedRow, C extends object>(store: VersionedStore<T, C>, domain: VersionedDomain<T, C>, key: string, version: number): Promise<T> {
  const before = await store.lockByKey(key);
  if (!before) throw domain.refusals.notFound(key);
  if (before.version !== version) throw domain.refusals.staleVersion(key, before.version, version);
  if (domain.isArchived?.(before)) throw domain.refusals.archived!(key);
  return before;
}

/**
 * The one edit transaction of every versioned domain: lock the row, check the version the client
 * read, check it is not archived, apply the domain's change, audit (before and after), announce.
 * `changesOf` may validate against the database and may write rows of its own (a status change).
 */
export function editVersioned<T extends VersionedRow, C extends object>(
  dataSource: DataSource,
  principal: Principal | null,
  domain: VersionedDomain<T, C>,
  edit: { key: string; version: number; action: string },
  changesOf: (before: T, manager: EntityManager) => Promise<C>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    const store = domain.store(manager);
    const before = await lockForEdit(store, domain, edit.key, edit.version);
    const changes = await changesOf(before, manager);
    const after = await store.update(before, changes);
    await domain.afterWrite?.(manager, edit.key, changes);
    await finish(manager, principal, domain, { key: edit.key, action: edit.action, before, after });
    return after;
  });
}

/** The edit transaction for a deletion: `check` refuses while something still needs the row. */
export function deleteVersioned<T extends VersionedRow, C extends object>(
  dataSource: DataSource,
  principal: Principal,
  domain: VersionedDomain<T, C>,
  edit: { key: string; version: number },
  check: (before: T, manager: EntityManager) => Promise<void>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    const store = domain.store(manager);
    const before = await lockForEdit(store, domain, edit.key, edit.version);
    await check(before, manager);
    await store.delete(before);
    await domain.afterWrite?.(manager, edit.key, null);
    await finish(manager, principal, domain, { key: edit.key, action: 'DELETE', before, after: null });
    return before;
  });
}
