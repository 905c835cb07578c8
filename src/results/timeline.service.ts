import type { DataSource } from 'typeorm';
import { AnalyticsStore } from '../analytics/analytics.store';
import { ExperimentStore } from '../experiments/experiment.store';
import { ExperimentErrorReason, experimentError } from '../experiments/experiment.errors';
import { buildTimeline, type Timeline } from './timeline';

export interface ExperimentTimeline extends Timeline {
  experimentKey: string;
  phase: number;
  asOfDay: string;
}

/** The current phase's retention curve and exposures per day, as of the server's clock. */
export async function experimentTimeline(dataSource: DataSource, key: string, now: Date): Promise<ExperimentTimeline> {
  const experiment = await new ExperimentStore(dataSource.manager).findByKey(key);
  if (!experiment) throw experimentError(ExperimentErrorReason.EXPERIMENT_NOT_FOUND, `No experiment with key "${key}"`, 'key');
  const asOfDay = now.toISOString().slice(0, 10);
  const rows = await new AnalyticsStore(dataSource.manager).exposureDays(experiment.key, experiment.phase);
  return { experimentKey: experiment.key, phase: experiment.phase, asOfDay, ...buildTimeline(rows, experiment.variants.map((variant) => variant.key), asOfDay) };
}
