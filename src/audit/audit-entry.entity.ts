import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';

/** One mutation's record: who did what to which entity, and its state before and after. Append-only. */
@ObjectType()
@Entity('audit_log')
@Index('audit_log_entity_idx', ['entityType', 'entityKey', 'id'])
export class AuditEntry {
  /** bigint: TypeORM hands it over as a string, which is also what the GraphQL ID carries. */
  @Field(() => ID)
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Field({ description: 'EXPERIMENT, FLAG, METRIC, LAYER, HOLDOUT, API_KEY, ENTITLEMENT, ENTITLEMENT_RULE, TIER or USER_GRANT.' })
  @Column('text', { name: 'entity_type' })
  entityType!: string;

  @Field({ description: 'The entity’s key (an experiment key, an API key id; for USER_GRANT the user id).' })
  @Column('text', { name: 'entity_key' })
  entityKey!: string;

  @Field({ description: 'CREATE, UPDATE, START, PAUSE, RESUME, RESTART, STOP, ARCHIVE, DUPLICATE, FORCE_ASSIGNMENT, REMOVE_FORCED_ASSIGNMENT, ENABLE, DISABLE, SET, REVOKE, DELETE, AUTO_PAUSE, GRANT, WITHDRAW.' })
  @Column('text')
  action!: string;

  @Field({ description: 'Who did it, e.g. `api-key:alice`.' })
  @Column('text')
  actor!: string;

  @Field(() => ID, { nullable: true, description: 'The API key used, when there was one.' })
  @Column('uuid', { name: 'actor_key_id', nullable: true })
  actorKeyId!: string | null;

  @Field()
  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  at!: Date;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column('jsonb', { nullable: true })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column('jsonb', { nullable: true })
  after!: unknown;
}
