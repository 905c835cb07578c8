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

  /**
   * Running experiments with no snapshot of their current phase computed after `since`: those the
   * results job refreshes, oldest experiment first.
   */
  async runningWithoutSnapshotSince(since: Date): Promise<string[]> {
    const rows: { key: string }[] = await this.manager.query(
      `SELECT e.key FROM experiments e
       WHERE e.status = 'RUNNING' AND NOT EXISTS (
         SELECT 1 FROM experiment_result_snapshots s WHERE s.experiment_key = e.key AND s.phase = e.phase AND s.computed_at > $1
       )
       ORDER BY e.created_at, e.id`,
      [since.toISOString()],
    );
    return rows.map((r) => r.key);
  }
}

/**
 * A stored snapshot as results read today. Snapshots stored before guardrail statuses existed
 * flagged every problem as at risk, and auto-paused on any of them: they read so. Those stored
 * before the multiple-variant check have none.
 */
function resultsOf(row: ResultSnapshot): ExperimentResults {
  const stored = row.results as Omit<ExperimentResults, 'computedAt'>;
  return {
    ...stored,
    guardrailProblems: stored.guardrailProblems.map((problem) => ({ ...problem, status: problem.status ?? 'AT_RISK', breachedAlwaysValid: problem.breachedAlwaysValid ?? false })),
    autoPauseWarranted: stored.autoPauseWarranted ?? false,
    multipleVariantUsers: stored.multipleVariantUsers ?? null,
    computedAt: row.computedAt,
  };
}
