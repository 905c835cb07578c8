import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One computation of an experiment's results, kept so that the history of an estimate can be read. Append-only. */
@Entity('experiment_result_snapshots')
@Index('experiment_result_snapshots_experiment_idx', ['experimentKey', 'id'])
export class ResultSnapshot {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('text', { name: 'experiment_key' })
  experimentKey!: string;

  @Column('int')
  phase!: number;

  @Column('timestamp with time zone', { name: 'computed_at', precision: 3 })
  computedAt!: Date;

  /** The ExperimentResults as computed, computedAt aside. */
  @Column('jsonb')
  results!: object;
}
