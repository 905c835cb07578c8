import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { FlagRuleSnapshot, JsonValue } from '../assignment/snapshot';

export enum FlagType {
  BOOLEAN = 'BOOLEAN',
  STRING = 'STRING',
  NUMBER = 'NUMBER',
  JSON = 'JSON',
}
registerEnumType(FlagType, { name: 'FlagType' });

export enum FlagStatus {
  ACTIVE = 'ACTIVE',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(FlagStatus, { name: 'FlagStatus', description: 'ARCHIVED flags are read-only and left out of resolution.' });

@ObjectType()
@Entity('flags')
@Index('flags_created_idx', ['createdAt', 'id'])
@Check('flags_type_check', `"type" IN ('BOOLEAN', 'STRING', 'NUMBER', 'JSON')`)
@Check('flags_status_check', `"status" IN ('ACTIVE', 'ARCHIVED')`)
export class Flag {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column('text', { unique: true })
  key!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field(() => FlagType)
  @Column('text')
  type!: FlagType;

  @Field(() => GraphQLJSON, { description: 'Served when the flag is off, or when no rule serves a value.' })
  @Column('jsonb', { name: 'default_value' })
  defaultValue!: JsonValue;

  @Field({ description: 'Off serves the default value to everyone.' })
  @Column('boolean', { default: false })
  enabled!: boolean;

  @Field({ description: 'Hash seed of percentage rollouts (default: the key).' })
  @Column('text')
  seed!: string;

  /** Stored as the snapshot's rule shape; exposed through FlagRule. */
  @Column('jsonb', { default: [] })
  rules!: FlagRuleSnapshot[];

  @Field(() => FlagStatus)
  @Column('text', { default: FlagStatus.ACTIVE })
  status!: FlagStatus;

  @Field(() => Int)
  @Column('int', { default: 1 })
  version!: number;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;

  @Field()
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3, default: () => 'now()' })
  updatedAt!: Date;
}
