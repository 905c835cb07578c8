import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../db/sql';
import { Tier } from './tier.entity';
import { TierErrorReason, tierError } from './tier.errors';

/** All SQL of the tier catalogue. */
export class TierStore {
  constructor(private readonly manager: EntityManager) {}

  list(): Promise<Tier[]> {
    return this.manager.find(Tier, { order: { key: 'ASC' } });
  }

  async keys(): Promise<Set<string>> {
    return new Set((await this.list()).map((tier) => tier.key));
  }

  findByKey(key: string): Promise<Tier | null> {
    return this.manager.findOne(Tier, { where: { key } });
  }

  lockByKey(key: string): Promise<Tier | null> {
    return this.manager.createQueryBuilder(Tier, 't').setLock('pessimistic_write').where('t.key = :key', { key }).getOne();
  }

  async insert(values: Pick<Tier, 'key' | 'description'>): Promise<Tier> {
    try {
      await this.manager.insert(Tier, values);
    } catch (error) {
      if (isUniqueViolation(error)) throw tierError(TierErrorReason.KEY_TAKEN, `Tier "${values.key}" already exists`, 'key');
      throw error;
    }
    return (await this.findByKey(values.key))!;
  }

  async update(key: string, description: string | null): Promise<Tier> {
    await this.manager.update(Tier, { key }, { description });
    return (await this.findByKey(key))!;
  }

  async delete(key: string): Promise<void> {
    await this.manager.delete(Tier, { key });
  }

  /** What still names the tier in its targeting: experiments not archived, active flags and entitlement rules. */
  async usage(key: string): Promise<string[]> {
    const rows: { what: string }[] = await this.manager.query(
      `SELECT 'experiment "' || key || '"' AS what FROM experiments WHERE status <> 'ARCHIVED' AND targeting->'tiers' ? $1
       UNION ALL
       SELECT 'entitlement rule "' || key || '"' FROM entitlement_rules WHERE status = 'ACTIVE' AND targeting->'tiers' ? $1
       UNION ALL
       SELECT 'flag "' || key || '"' FROM flags WHERE status = 'ACTIVE' AND jsonb_path_exists(rules, '$[*].targeting.tiers[*] ? (@ == $tier)', jsonb_build_object('tier', $1::text))
       ORDER BY 1`,
      [key],
    );
    return rows.map((row) => row.what);
  }
}
