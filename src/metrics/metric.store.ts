import type { EntityManager } from 'typeorm';
import { Metric } from './metric.entity';
import { MetricErrorReason, metricError } from './metric.errors';
import { VersionedStore, type VersionedRefusals } from '../common/versioned-store';

export const metricRefusals: VersionedRefusals = {
  notFound: (key) => metricError(MetricErrorReason.METRIC_NOT_FOUND, `No metric with key "${key}"`, 'key'),
  keyTaken: (key) => metricError(MetricErrorReason.KEY_TAKEN, `A metric with key "${key}" already exists`, 'key'),
  staleVersion: (key, actual, expected) =>
    metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${key}" is at version ${actual}, not ${expected}: someone changed it since you read it`, 'version'),
  changed: (key) => metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${key}" was changed by someone else; read it again`, 'version'),
};

/** All SQL of the metrics domain: the definitions (their aggregation is the analytics module's). */
export class MetricStore extends VersionedStore<Metric> {
  constructor(manager: EntityManager) {
    super(manager, { target: Metric, refusals: metricRefusals });
  }

  /** The metrics with these keys, in no particular order; missing keys are simply absent. */
  async byKeys(keys: readonly string[]): Promise<Metric[]> {
    if (keys.length === 0) return [];
    return this.manager.createQueryBuilder(Metric, 'm').where('m.key = ANY(:keys)', { keys: [...keys] }).getMany();
  }

  /** Every metric by key: there are tens, not thousands. */
  all(): Promise<Metric[]> {
    return this.manager.find(Metric, { order: { key: 'ASC' } });
  }

  /** Keys of the experiments (not archived) that name this metric, as primary, secondary or guardrail. */
  async experimentsUsing(key: string): Promise<string[]> {
    const rows: { key: string }[] = await this.manager.query(
      `SELECT key FROM experiments
       WHERE status <> 'ARCHIVED' AND (primary_metric_key = $1 OR $1 = ANY(secondary_metric_keys) OR $1 = ANY(guardrail_metric_keys))
       ORDER BY key`,
      [key],
    );
    return rows.map((r) => r.key);
  }
}
