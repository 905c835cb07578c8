import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Entitlement, EntitlementRule, EntitlementStatus, UserGrant } from './entitlement.entity';
import { EntitlementErrorReason, entitlementError } from './entitlement.errors';
import type { UserGrantSnapshot, UserState } from './entitlement.snapshot';
import { VersionedStore, type VersionedRefusals } from '../common/versioned-store';

/** TypeORM cannot type JSON columns of open content; the values are checked by entitlement.rules.ts. */
const row = <T>(values: object) => values as QueryDeepPartialEntity<T>;

function refusalsFor(label: 'Entitlement' | 'Rule', notFound: (key: string) => string, notFoundReason: EntitlementErrorReason): VersionedRefusals {
  return {
    notFound: (key) => entitlementError(notFoundReason, notFound(key), 'key'),
    keyTaken: (key) => entitlementError(EntitlementErrorReason.KEY_TAKEN, `${label} "${key}" already exists`, 'key'),
    staleVersion: (key, actual, expected) =>
      entitlementError(EntitlementErrorReason.VERSION_CONFLICT, `${label} "${key}" is at version ${actual}, not ${expected}: someone changed it since you read it`, 'version'),
    changed: (key) => entitlementError(EntitlementErrorReason.VERSION_CONFLICT, `${label} "${key}" was changed by someone else; read it again`, 'version'),
    archived: (key) => entitlementError(EntitlementErrorReason.ARCHIVED, `${label} "${key}" is archived and read-only`, 'key'),
  };
}

export const catalogueRefusals = refusalsFor('Entitlement', (key) => `No entitlement with key "${key}"`, EntitlementErrorReason.ENTITLEMENT_NOT_FOUND);
export const ruleRefusals = refusalsFor('Rule', (key) => `No entitlement rule with key "${key}"`, EntitlementErrorReason.RULE_NOT_FOUND);

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
  readonly catalogue: VersionedStore<Entitlement>;
  readonly rules: VersionedStore<EntitlementRule>;

  constructor(private readonly manager: EntityManager) {
    this.catalogue = new VersionedStore(manager, { target: Entitlement, refusals: catalogueRefusals });
    this.rules = new VersionedStore(manager, { target: EntitlementRule, refusals: ruleRefusals });
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
