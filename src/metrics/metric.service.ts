import type { DataSource } from 'typeorm';
import { Metric } from './metric.entity';
import { MetricErrorReason, metricError } from './metric.errors';
import type { CreateMetricInput, UpdateMetricInput } from './metric.inputs';
import { metricProblems } from './metric.rules';
import type { MetricConfig } from './metric.model';
import { MetricStore, metricRefusals } from './metric.store';
import { rebuildMetricValues } from '../analytics/metric-values';
import { AuditEntityType } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { plain } from '../common/plain';
import { createVersioned, deleteVersioned, editVersioned, type VersionedDomain } from '../common/versioned-store';

/** A stored metric's definition as plain data. */
export function metricConfigOf(metric: Metric): MetricConfig {
  const { name, description, kind, eventTypes, windowDays, retentionDay, numeratorSource, denominatorEventTypes, denominatorSource } = metric;
  const { capValue, capPercentile, higherIsBetter, alertBelow, alertAbove, alertDropBelowControl } = metric;
  return {
    name, description, kind, eventTypes, windowDays, retentionDay, numeratorSource, denominatorEventTypes, denominatorSource,
    capValue, capPercentile, higherIsBetter, alertBelow, alertAbove, alertDropBelowControl,
  };
}

/** The fields that decide what each exposure's stored values hold (caps and alerts apply when results are read). */
const VALUE_FIELDS: (keyof MetricConfig)[] = ['kind', 'eventTypes', 'windowDays', 'retentionDay', 'numeratorSource', 'denominatorEventTypes', 'denominatorSource'];

function snapshot(metric: Metric) {
  return { key: metric.key, version: metric.version, ...metricConfigOf(metric) };
}

function check(config: MetricConfig): void {
  const [problem] = metricProblems(config);
  if (problem) throw metricError(MetricErrorReason.INVALID_METRIC, `${problem.field}: ${problem.message}`, problem.field);
}

const metrics: VersionedDomain<Metric> = {
  store: (manager) => new MetricStore(manager),
  refusals: metricRefusals,
  auditType: AuditEntityType.METRIC,
  auditOf: snapshot,
  // Definitions do not reach resolution; their stored per-exposure values follow them.
  announces: false,
  afterWrite: async (manager, key, changes) => {
    if (changes === null || VALUE_FIELDS.some((field) => field in changes)) await rebuildMetricValues(manager, key);
  },
};

export async function getMetric(dataSource: DataSource, key: string): Promise<Metric> {
  const metric = await new MetricStore(dataSource.manager).findByKey(key);
  if (!metric) throw metricRefusals.notFound(key);
  return metric;
}

export function listMetrics(dataSource: DataSource): Promise<Metric[]> {
  return new MetricStore(dataSource.manager).all();
}

export function createMetric(dataSource: DataSource, principal: Principal, input: CreateMetricInput): Promise<Metric> {
  const config: MetricConfig = {
    name: input.name,
    description: input.description ?? null,
    kind: input.kind,
    eventTypes: input.eventTypes ?? [],
    windowDays: input.windowDays ?? null,
    retentionDay: input.retentionDay ?? null,
    numeratorSource: input.numeratorSource ?? null,
    denominatorEventTypes: input.denominatorEventTypes ?? null,
    denominatorSource: input.denominatorSource ?? null,
    capValue: input.capValue ?? null,
    capPercentile: input.capPercentile ?? null,
    higherIsBetter: input.higherIsBetter ?? true,
    alertBelow: input.alertBelow ?? null,
    alertAbove: input.alertAbove ?? null,
    alertDropBelowControl: input.alertDropBelowControl ?? null,
  };
  check(config);
  return createVersioned(dataSource, principal, metrics, async () => ({ ...config, key: input.key }));
}

/**
 * Changes what `input` names. Experiments refer to metrics by key, so a change applies to every
 * later computation of their results, running experiments included: the audit entry keeps the old definition.
 */
export function updateMetric(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateMetricInput): Promise<Metric> {
  return editVersioned(dataSource, principal, metrics, { key, version, action: 'UPDATE' }, async (before) => {
    const changes = Object.fromEntries(Object.entries(plain(input)).filter(([, value]) => value !== undefined)) as Partial<MetricConfig>;
    for (const field of ['name', 'eventTypes', 'higherIsBetter'] as const) {
      if (changes[field] === null) throw metricError(MetricErrorReason.INVALID_METRIC, `${field} cannot be null`, field);
    }
    check({ ...metricConfigOf(before), ...changes });
    return changes as Partial<Metric>;
  });
}

/** Refused while an experiment that is not archived names the metric. */
export async function deleteMetric(dataSource: DataSource, principal: Principal, key: string, version: number): Promise<boolean> {
  await deleteVersioned(dataSource, principal, metrics, { key, version }, async (_metric, manager) => {
    const users = await new MetricStore(manager).experimentsUsing(key);
    if (users.length > 0) throw metricError(MetricErrorReason.METRIC_IN_USE, `Metric "${key}" is used by ${users.join(', ')}`, 'key');
  });
  return true;
}
