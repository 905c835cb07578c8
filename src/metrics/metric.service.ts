import type { DataSource } from 'typeorm';
import { Metric } from './metric.entity';
import { MetricErrorReason, metricError } from './metric.errors';
import type { CreateMetricInput, UpdateMetricInput } from './metric.inputs';
import { metricProblems, type MetricConfig } from './metric.rules';
import { MetricStore } from './metric.store';
import { rebuildMetricValues } from './metric-values';
import { AuditEntityType, recordAudit } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { plain } from '../common/plain';

/** A stored metric's definition as plain data. */
export function metricConfigOf(metric: Metric): MetricConfig {
  const { name, description, kind, eventTypes, windowDays, retentionDay, numeratorSource, denominatorEventTypes, denominatorSource } = metric;
  const { capValue, capPercentile, higherIsBetter, alertBelow, alertAbove } = metric;
  return {
    name, description, kind, eventTypes, windowDays, retentionDay, numeratorSource, denominatorEventTypes, denominatorSource,
    capValue, capPercentile, higherIsBetter, alertBelow, alertAbove,
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

function notFound(key: string): never {
  throw metricError(MetricErrorReason.METRIC_NOT_FOUND, `No metric with key "${key}"`, 'key');
}

export async function getMetric(dataSource: DataSource, key: string): Promise<Metric> {
  return (await new MetricStore(dataSource.manager).findByKey(key)) ?? notFound(key);
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
  };
  check(config);
  return dataSource.transaction(async (manager) => {
    const metric = await new MetricStore(manager).insert(input.key, config);
    await rebuildMetricValues(manager, metric.key);
    await recordAudit(manager, principal, { entityType: AuditEntityType.METRIC, entityKey: metric.key, action: 'CREATE', before: null, after: snapshot(metric) });
    return metric;
  });
}

/**
 * Changes what `input` names. Experiments refer to metrics by key, so a change applies to every
 * later computation of their results, running experiments included: the audit entry keeps the old definition.
 */
export function updateMetric(dataSource: DataSource, principal: Principal, key: string, version: number, input: UpdateMetricInput): Promise<Metric> {
  return dataSource.transaction(async (manager) => {
    const store = new MetricStore(manager);
    const before = (await store.lockByKey(key)) ?? notFound(key);
    if (before.version !== version) {
      throw metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${key}" is at version ${before.version}, not ${version}: someone changed it since you read it`, 'version');
    }
    const changes = Object.fromEntries(Object.entries(plain(input)).filter(([, value]) => value !== undefined)) as Partial<MetricConfig>;
    for (const field of ['name', 'eventTypes', 'higherIsBetter'] as const) {
      if (changes[field] === null) throw metricError(MetricErrorReason.INVALID_METRIC, `${field} cannot be null`, field);
    }
    check({ ...metricConfigOf(before), ...changes });
    const after = await store.update(before, changes);
    if (VALUE_FIELDS.some((field) => field in changes)) await rebuildMetricValues(manager, key);
    await recordAudit(manager, principal, { entityType: AuditEntityType.METRIC, entityKey: key, action: 'UPDATE', before: snapshot(before), after: snapshot(after) });
    return after;
  });
}

/** Refused while an experiment that is not archived names the metric. */
export function deleteMetric(dataSource: DataSource, principal: Principal, key: string, version: number): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const store = new MetricStore(manager);
    const metric = (await store.lockByKey(key)) ?? notFound(key);
    if (metric.version !== version) {
      throw metricError(MetricErrorReason.VERSION_CONFLICT, `Metric "${key}" is at version ${metric.version}, not ${version}: someone changed it since you read it`, 'version');
    }
    const users = await store.experimentsUsing(key);
    if (users.length > 0) throw metricError(MetricErrorReason.METRIC_IN_USE, `Metric "${key}" is used by ${users.join(', ')}`, 'key');
    await store.delete(metric);
    await rebuildMetricValues(manager, key);
    await recordAudit(manager, principal, { entityType: AuditEntityType.METRIC, entityKey: key, action: 'DELETE', before: snapshot(metric), after: null });
    return true;
  });
}
