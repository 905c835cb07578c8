import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { containsPattern, isUniqueViolation } from '../db/sql';
import { Entitlement, EntitlementRule, EntitlementStatus, UserGrant } from './entitlement.entity';
import { EntitlementErrorReason, entitlementError } from './entitlement.errors';
import type { UserGrantSnapshot, UserState } from './entitlement.snapshot';

/** TypeORM cannot type JSON columns of open content; the values are checked by entitlement.rules.ts. */
const row = <T>(values: object) => values as QueryDeepPartialEntity<T>;

type Versioned = ObjectLiteral & { id: string; key: string; version: number; createdAt: Date };

/** Reads and writes of one table of keyed, versioned rows (the catalogue, the rules). */
class VersionedTable<T extends Versioned> {
  constructor(
    private readonly manager: EntityManager,
    private readonly target: EntityTarget<T>,
    /** How refusals name it: "Entitlement", "Rule". */
    private readonly label: string,
  ) {}

  findByKey(key: string): Promise<T | null> {
    return this.manager.getRepository(this.target).findOne({ where: { key } as never });
  }

  lockByKey(key: string): Promise<T | null> {
    return this.manager.createQueryBuilder(this.target, 't').setLock('pessimistic_write').where('t.key = :key', { key }).getOne();
  }

  /** Not archived, in creation order. */
  active(): Promise<T[]> {
    return this.manager.getRepository(this.target).find({ where: { status: EntitlementStatus.ACTIVE } as never, order: { createdAt: 'ASC', id: 'ASC' } as never });
  }

  list(query: { status?: EntitlementStatus; text?: string; after?: [string, string]; limit: number; where?: [string, Record<string, unknown>][] }): Promise<T[]> {
    const builder = this.manager.createQueryBuilder(this.target, 't').orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(query.limit);
    if (query.status) builder.andWhere('t.status = :status', { status: query.status });
    if (query.text) builder.andWhere('(t.key ILIKE :text OR t.name ILIKE :text OR t.description ILIKE :text)', { text: containsPattern(query.text) });
    if (query.after) {
      builder.andWhere('(t.created_at, t.id) < (:afterCreatedAt::timestamptz, :afterId::uuid)', { afterCreatedAt: query.after[0], afterId: query.after[1] });
    }
    for (const [condition, parameters] of query.where ?? []) builder.andWhere(condition, parameters);
    return builder.getMany();
  }

  async insert(values: Partial<T>): Promise<T> {
    try {
      await this.manager.insert(this.target, row<T>(values));
    } catch (error) {
      if (isUniqueViolation(error)) throw entitlementError(EntitlementErrorReason.KEY_TAKEN, `${this.label} "${values.key}" already exists`, 'key');
      throw error;
    }
    return (await this.findByKey(values.key!))!;
  }

  /** Writes `changes` only if the row is still at `current.version` (optimistic locking). */
  async update(current: T, changes: Partial<T>): Promise<T> {
    const result = await this.manager
      .createQueryBuilder()
      .update(this.target)
      .set(row<T>({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' }))
      .where('id = :id AND version = :version', { id: current.id, version: current.version })
      .execute();
    if (result.affected !== 1) {
      throw entitlementError(EntitlementErrorReason.VERSION_CONFLICT, `${this.label} "${current.key}" was changed by someone else; read it again`, 'version');
    }
    return (await this.findByKey(current.key))!;
  }
}

interface UserStateRow {
  userId: string;
  lastActiveAt: number | null;
  days: [number, string, number, number][];
  grants: { id: string; entitlementKey: string; effect: 'GRANT' | 'REVOKE'; value: UserGrantSnapshot['value']; expiresAt: number | null; createdAt: number }[];
}

/** What to read about users: the summary days from `fromDay` (UTC date) of these types, and grants. */
export interface UserStateQuery {
  fromDay: string;
  eventTypes: string[];
  grants: boolean;
  /** Grants that expired before this time are left out, unless `includeExpired` (explanations). */
  now: Date;
  includeExpired: boolean;
}

/** All SQL of the entitlements domain. */
export class EntitlementStore {
  readonly catalogue: VersionedTable<Entitlement>;
  readonly rules: VersionedTable<EntitlementRule>;

  constructor(private readonly manager: EntityManager) {
    this.catalogue = new VersionedTable(manager, Entitlement, 'Entitlement');
    this.rules = new VersionedTable(manager, EntitlementRule, 'Rule');
  }

  /** Active rules that grant or deny `key`. */
  rulesNaming(key: string): Promise<EntitlementRule[]> {
    return this.rules.list({ status: EntitlementStatus.ACTIVE, limit: 100, where: [['t.entitlements @> :named::jsonb', { named: JSON.stringify([{ key }]) }]] });
  }

  async insertGrant(values: Partial<UserGrant>): Promise<UserGrant> {
    const result = await this.manager.insert(UserGrant, row<UserGrant>(values));
    return (await this.findGrant(result.identifiers[0].id as string))!;
  }

  findGrant(id: string): Promise<UserGrant | null> {
    return this.manager.findOne(UserGrant, { where: { id } });
  }

  lockGrant(id: string): Promise<UserGrant | null> {
    return this.manager.createQueryBuilder(UserGrant, 'g').setLock('pessimistic_write').where('g.id = :id', { id }).getOne();
  }

  async withdrawGrant(id: string, by: string, reason: string | null): Promise<UserGrant> {
    await this.manager.update(UserGrant, { id }, { withdrawnAt: () => 'now()', withdrawnBy: by, withdrawReason: reason } as QueryDeepPartialEntity<UserGrant>);
    return (await this.findGrant(id))!;
  }

  /** A user's grants and revocations, newest first; only those in force at `now` unless `all`. */
  userGrants(userId: string, now: Date, all: boolean): Promise<UserGrant[]> {
    const builder = this.manager.createQueryBuilder(UserGrant, 'g').where('g.user_id = :userId', { userId }).orderBy('g.created_at', 'DESC').addOrderBy('g.id', 'DESC').limit(500);
    if (!all) builder.andWhere('g.withdrawn_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > :now)', { now: now.toISOString() });
    return builder.getMany();
  }

  /** Whether any grant is not withdrawn, and a version that changes with every grant or withdrawal. */
  async userGrantsSummary(): Promise<{ any: boolean; version: string }> {
    const [summary]: { open: number; total: number; latest: string | null }[] = await this.manager.query(
      `SELECT count(*) FILTER (WHERE withdrawn_at IS NULL)::int AS open, count(*)::int AS total,
              max(greatest(created_at, withdrawn_at))::text AS latest
       FROM user_grants`,
    );
    return { any: summary.open > 0, version: `${summary.total}:${summary.latest ?? ''}` };
  }

  /**
   * Everything resolution reads about these users, in one statement and one round trip: the latest
   * event, the daily summaries of the needed types from `fromDay`, and the grants not withdrawn.
   * Each part is one indexed range read per user.
   */
  async userStates(userIds: readonly string[], query: UserStateQuery): Promise<Map<string, UserState>> {
    const rows: UserStateRow[] = await this.manager.query(
      `SELECT u.user_id AS "userId",
         (SELECT (extract(epoch FROM a.last_active_at) * 1000)::float8 FROM user_activity a WHERE a.user_id = u.user_id) AS "lastActiveAt",
         (SELECT coalesce(json_agg(json_build_array(d.day - DATE '1970-01-01', d.event_type, d.event_count, d.value_sum)), '[]'::json)
            FROM user_event_days d
            WHERE d.user_id = u.user_id AND d.day >= $2::date AND d.event_type = ANY($3::text[])) AS days,
         (SELECT coalesce(json_agg(json_build_object(
                   'id', g.id, 'entitlementKey', g.entitlement_key, 'effect', g.effect, 'value', g.value,
                   'expiresAt', (extract(epoch FROM g.expires_at) * 1000)::float8, 'createdAt', (extract(epoch FROM g.created_at) * 1000)::float8)), '[]'::json)
            FROM user_grants g
            WHERE $4::boolean AND g.user_id = u.user_id AND g.withdrawn_at IS NULL
              AND ($6::boolean OR g.expires_at IS NULL OR g.expires_at > $5::timestamptz)) AS grants
       FROM unnest($1::text[]) AS u(user_id)`,
      [userIds, query.fromDay, query.eventTypes, query.grants, query.now.toISOString(), query.includeExpired],
    );
    return new Map(
      rows.map((r) => [
        r.userId,
        {
          facts: { lastActiveAt: r.lastActiveAt, days: r.days.map(([day, eventType, count, sum]) => ({ day, eventType, count, sum })) },
          grants: r.grants,
        },
      ]),
    );
  }
}
