import type { EntityManager } from 'typeorm';
import { ResultSnapshot } from './result-snapshot.entity';
import type { ExperimentResults } from './result.types';

/** All SQL of the results domain: the snapshots. (The aggregation itself is the metrics store's.) */
export class ResultStore {
  constructor(private readonly manager: EntityManager) {}

  async insert(results: ExperimentResults): Promise<void> {
    const { computedAt, ...rest } = results;
    await this.manager.insert(ResultSnapshot, { experimentKey: results.experimentKey, phase: results.phase, computedAt, results: rest });
  }

  /**
   * The first snapshot of this phase computed at or past its plan's horizon: its recommendation is
   * the decision made there, which stands. (Written by whatever stores snapshots: a query never
   * needs to write for the decision to stand once one exists.)
   */
  async firstAtHorizon(experimentKey: string, phase: number): Promise<{ recommendation: ExperimentResults['recommendation']; asOfDay: string } | null> {
    const rows: { results: { recommendation: ExperimentResults['recommendation']; asOfDay: string } }[] = await this.manager.query(
      `SELECT results FROM experiment_result_snapshots
       WHERE experiment_key = $1 AND phase = $2 AND (results -> 'plan' ->> 'horizonReached') = 'true'
       ORDER BY id LIMIT 1`,
      [experimentKey, phase],
    );
    return rows.length === 0 ? null : { recommendation: rows[0].results.recommendation, asOfDay: rows[0].results.asOfDay };
  }

  /** Newest first. */
  async history(experimentKey: string, limit: number): Promise<ExperimentResults[]> {
    const rows = await this.manager.find(ResultSnapshot, { where: { experimentKey }, order: { id: 'DESC' }, take: limit });
    return rows.map((row) => ({ ...(row.results as Omit<ExperimentResults, 'computedAt'>), computedAt: row.computedAt }));
  }
}
