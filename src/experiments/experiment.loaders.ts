import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { ForcedAssignment, StatusChange } from './experiment.entity';
import { ExperimentStore } from './experiment.store';

/** Per-request batching: a list of experiments asking for their histories costs one query, not one each. */
export function createExperimentLoaders(dataSource: DataSource) {
  return {
    statusHistory: new DataLoader<string, StatusChange[]>(async (experimentIds) => {
      const changes = await new ExperimentStore(dataSource.manager).statusChanges(experimentIds);
      return experimentIds.map((id) => changes.filter((change) => change.experimentId === id));
    }),
    forcedAssignments: new DataLoader<string, ForcedAssignment[]>(async (experimentIds) => {
      const overrides = await new ExperimentStore(dataSource.manager).forcedAssignments(experimentIds);
      return experimentIds.map((id) => overrides.filter((override) => override.experimentId === id));
    }),
  };
}

export type ExperimentLoaders = ReturnType<typeof createExperimentLoaders>;
