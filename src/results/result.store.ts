import type { EntityManager } from 'typeorm';
import { ResultSnapshot } from './result-snapshot.entity';
import type { ExperimentResults } from './result.types';

/** All SQL of the results domain: the snapshots. (The aggregation itself is the analytics store's.) */
export class ResultStore {
  constructor(private readonly manager: EntityManager) {}

  async insert(results: ExperimentResults): Promise<void> {
    const { computedAt, ...rest } = results;
    await this.manager.insert(ResultSnapshot, { experimentKey: results.experimentKey, phase: results.phase, computedAt, results: rest });
  }

  /** Newest first. */
  async history(experimentKey: string, limit: number): Promise<ExperimentResults[]> {
    const rows = await this.manager.find(ResultSnapshot, { where: { experimentKey }, order: { id: 'DESC' }, take: limit });
    return rows.map(resultsOf);
  }

  /** The newest snapshot of each experiment that has one. */
  async latest(experimentKeys: string[]): Promise<Map<string, ExperimentResults>> {
    const rows: ResultSnapshot[] = await this.manager
      .createQueryBuilder(ResultSnapshot, 's')
      .distinctOn(['s.experimentKey'])
      .where('s.experimentKey IN (:...experimentKeys)', { experimentKeys })
      .orderBy('s.experimentKey')
      .addOrderBy('s.id', 'DESC')
      .getMany();
    return new Map(rows.map((row) => [row.experimentKey, resultsOf(row)]));
  }
}

function resultsOf(row: ResultSnapshot): ExperimentResults {
  return { ...(row.results as Omit<ExperimentResults, 'computedAt'>), computedAt: row.computedAt };
}
