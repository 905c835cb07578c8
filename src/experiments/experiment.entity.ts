import { Check, Column, Entity, Index, ManyToOne, OneToMany, JoinColumn, PrimaryColumn, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Targeting } from '../targeting/targeting.types';
import { ExperimentStatus } from './experiment.model';
import { AnalysisPlanView } from './analysis-plan.types';
import type { AnalysisPlan } from '../stats/analysis-plan';

export { ExperimentStatus };
registerEnumType(ExperimentStatus, { name: 'ExperimentStatus' });

@ObjectType({ description: 'An arm of an experiment. Its payload configures the incentive, e.g. a reward amount or a task list.' })
@Entity('experiment_variants')
@Unique('experiment_variants_experiment_key_key', ['experimentId', 'key'])
@Check('experiment_variants_weight_check', '"weight" >= 0 AND "weight" <= 100')
export class Variant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'experiment_id' })
  experimentId!: string;

  @ManyToOne(() => Experiment, (experiment) => experiment.variants, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'experiment_id' })
  experiment?: Relation<Experiment>;

  @Column('int')
  position!: number;

  @Field()
  @Column('text')
  key!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => Float, { description: 'Share of the experiment’s traffic, in percent; the weights of a running experiment sum to 100.' })
  @Column('double precision')
  weight!: number;

  @Field()
  @Column('boolean', { name: 'is_control' })
  isControl!: boolean;

  @Field(() => GraphQLJSON)
  @Column('jsonb', { default: {} })
  payload!: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: 'The strategy this arm tests (e.g. `task-system`); null means the experiment’s strategy.' })
  @Column('text', { nullable: true })
  strategy!: string | null;
}

@ObjectType({ description: 'One change of an experiment’s status.' })
@Entity('experiment_status_changes')
@Index('experiment_status_changes_experiment_idx', ['experimentId', 'id'])
export class StatusChange {
  /** Ascending in commit order, so it orders a history even when two changes share a millisecond. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('uuid', { name: 'experiment_id' })
  experimentId!: string;

  @ManyToOne(() => Experiment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'experiment_id' })
  experiment?: Relation<Experiment>;

  @Field(() => ExperimentStatus, { nullable: true, description: 'Null for the creation.' })
  @Column('text', { name: 'from_status', nullable: true })
  from!: ExperimentStatus | null;

  @Field(() => ExperimentStatus)
  @Column('text', { name: 'to_status' })
  to!: ExperimentStatus;

  @Field()
  @Column('text')
  actor!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  reason!: string | null;

  @Field()
  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  at!: Date;
}

@ObjectType()
@Entity('experiments')
@Index('experiments_created_idx', ['createdAt', 'id'])
@Check('experiments_status_check', `"status" IN ('DRAFT', 'RUNNING', 'PAUSED', 'STOPPED', 'ARCHIVED')`)
@Check('experiments_traffic_allocation_check', '"traffic_allocation" >= 0 AND "traffic_allocation" <= 100')
@Check('experiments_layer_share_check', '"layer_share" > 0 AND "layer_share" <= 100')
export class Experiment {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Unique slug, e.g. `activity-incentives`.' })
  @Index('experiments_key_key', { unique: true })
  @Column('text')
  key!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  hypothesis!: string | null;

  @Field(() => String, { nullable: true, description: 'Free text such as `check-in`, `task-system`, `advisor`.' })
  @Column('text', { nullable: true })
  strategy!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  owner!: string | null;

  @Field(() => [String])
  @Column('text', { array: true, default: () => "'{}'" })
  tags!: string[];

  @Field(() => ExperimentStatus)
  @Column('text', { default: ExperimentStatus.DRAFT })
  status!: ExperimentStatus;

  @Field(() => Float, { description: 'Percentage of eligible users who enter the experiment, 0 to 100.' })
  @Column('double precision', { name: 'traffic_allocation', default: 100 })
  trafficAllocation!: number;

  @Field(() => [Variant])
  @OneToMany(() => Variant, (variant) => variant.experiment, { cascade: ['insert'] })
  variants!: Variant[];

  @Field(() => Targeting)
  @Column('jsonb')
  targeting!: Targeting;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'primary_metric_key', nullable: true })
  primaryMetricKey!: string | null;

  @Field(() => [String])
  @Column('text', { name: 'secondary_metric_keys', array: true, default: () => "'{}'" })
  secondaryMetricKeys!: string[];

  @Field(() => [String])
  @Column('text', { name: 'guardrail_metric_keys', array: true, default: () => "'{}'" })
  guardrailMetricKeys!: string[];

  @Field({ description: 'When true, computing results that find a guardrail at risk pauses the running experiment (audited, actor `system`).' })
  @Column('boolean', { name: 'auto_pause_on_guardrail', default: false })
  autoPauseOnGuardrail!: boolean;

  @Field(() => AnalysisPlanView, { nullable: true, description: 'How the primary metric will be decided; null: the default plan (docs/statistics.md).' })
  @Column('jsonb', { name: 'analysis_plan', nullable: true })
  analysisPlan!: AnalysisPlan | null;

  @Field({ description: 'Hash seed of the current phase: its key at first, a new one at each restart.' })
  @Column('text')
  seed!: string;

  @Field(() => Int, { description: '1 for the first randomisation, +1 at each restart.' })
  @Column('int', { default: 1 })
  phase!: number;

  @Field(() => String, { nullable: true, description: 'The layer whose traffic it shares exclusively with the layer’s other experiments.' })
  @Column('text', { name: 'layer_key', nullable: true })
  layerKey!: string | null;

  @Field(() => Float, { nullable: true, description: 'Percent of the layer it takes; its slice is allocated when it starts.' })
  @Column('double precision', { name: 'layer_share', nullable: true })
  layerShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'Start of its slice of the layer, on [0, 1); held while running or paused.' })
  @Column('double precision', { name: 'layer_slice_start', nullable: true })
  layerSliceStart!: number | null;

  @Field(() => Float, { nullable: true, description: 'End (exclusive) of its slice of the layer.' })
  @Column('double precision', { name: 'layer_slice_end', nullable: true })
  layerSliceEnd!: number | null;

  @Field(() => Int, { description: 'Bumped by every change; pass it back to change the experiment.' })
  @Column('int', { default: 1 })
  version!: number;

  @Field(() => String, { nullable: true, description: 'The variant shipped when the experiment stopped; null when none was.' })
  @Column('text', { name: 'shipped_variant_key', nullable: true })
  shippedVariantKey!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'stop_reason', nullable: true })
  stopReason!: string | null;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;

  @Field()
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3, default: () => 'now()' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamp with time zone', { name: 'started_at', precision: 3, nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamp with time zone', { name: 'stopped_at', precision: 3, nullable: true })
  stoppedAt!: Date | null;
}

@ObjectType({ description: 'A QA override: this user always gets this variant, and is never counted as an exposure.' })
@Entity('experiment_forced_assignments')
export class ForcedAssignment {
  @PrimaryColumn('uuid', { name: 'experiment_id' })
  experimentId!: string;

  @ManyToOne(() => Experiment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'experiment_id' })
  experiment?: Relation<Experiment>;

  @Field()
  @PrimaryColumn('text', { name: 'user_id' })
  userId!: string;

  @Field()
  @Column('text', { name: 'variant_key' })
  variantKey!: string;

  @Field()
  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}
