import type { EntityManager } from 'typeorm';
import { containsPattern, isUniqueViolation } from '../db/sql';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Flag, FlagStatus } from './flag.entity';
import { FlagErrorReason, flagError } from './flag.errors';

/** TypeORM cannot type JSON columns of open content; the values are checked by flag.rules.ts. */
const row = (values: object) => values as QueryDeepPartialEntity<Flag>;

/** All SQL of the flags domain. */
export class FlagStore {
  constructor(private readonly manager: EntityManager) {}

  findByKey(key: string): Promise<Flag | null> {
    return this.manager.findOne(Flag, { where: { key } });
  }

  lockByKey(key: string): Promise<Flag | null> {
    return this.manager.createQueryBuilder(Flag, 'f').setLock('pessimistic_write').where('f.key = :key', { key }).getOne();
  }

  /** Active flags in creation order: the order resolution lists them in. */
  active(): Promise<Flag[]> {
    return this.manager.find(Flag, { where: { status: FlagStatus.ACTIVE }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  list(query: { status?: FlagStatus; text?: string; after?: [string, string]; limit: number }): Promise<Flag[]> {
    const builder = this.manager.createQueryBuilder(Flag, 'f').orderBy('f.created_at', 'DESC').addOrderBy('f.id', 'DESC').limit(query.limit);
    if (query.status) builder.andWhere('f.status = :status', { status: query.status });
    if (query.text) {
      builder.andWhere('(f.key ILIKE :text OR f.name ILIKE :text OR f.description ILIKE :text)', { text: containsPattern(query.text) });
    }
    if (query.after) {
      builder.andWhere('(f.created_at, f.id) < (:afterCreatedAt::timestamptz, :afterId::uuid)', { afterCreatedAt: query.after[0], afterId: query.after[1] });
    }
    return builder.getMany();
  }

  async insert(values: Partial<Flag>): Promise<Flag> {
    try {
      await this.manager.insert(Flag, row(values));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw flagError(FlagErrorReason.KEY_TAKEN, `A flag with key "${values.key}" already exists`, 'key');
      }
      throw error;
    }
    return (await this.findByKey(values.key!))!;
  }

  /** Writes `changes` only if the flag is still at `flag.version` (optimistic locking). */
  async update(flag: Flag, changes: Partial<Flag>): Promise<Flag> {
    const result = await this.manager
      .createQueryBuilder()
      .update(Flag)
      .set(row({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' }))
      .where('id = :id AND version = :version', { id: flag.id, version: flag.version })
      .execute();
    if (result.affected !== 1) throw flagError(FlagErrorReason.VERSION_CONFLICT, `Flag "${flag.key}" was changed by someone else; read it again`, 'version');
    return (await this.findByKey(flag.key))!;
  }
}
