import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Targeting } from '../targeting/targeting.types';
import type { JsonValue } from '../assignment/snapshot';

export enum EntitlementKind {
  FEATURE = 'FEATURE',
  QUOTA = 'QUOTA',
  COUPON = 'COUPON',
  CONFIG = 'CONFIG',
}
registerEnumType(EntitlementKind, {
  name: 'EntitlementKind',
  description:
    'FEATURE: on/off (value `true`). QUOTA: a numeric limit per `period` (value: the limit). ' +
    'COUPON: value `{ amount, currency, minSpend }`. CONFIG: any JSON value.',
});

export enum QuotaPeriod {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  LIFETIME = 'LIFETIME',
}
registerEnumType(QuotaPeriod, { name: 'QuotaPeriod' });

export enum EntitlementStatus {
  ACTIVE = 'ACTIVE',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(EntitlementStatus, { name: 'EntitlementStatus', description: 'ARCHIVED entitlements and rules are read-only and left out of resolution.' });

export enum RuleEffect {
  GRANT = 'GRANT',
  DENY = 'DENY',
}
registerEnumType(RuleEffect, { name: 'RuleEffect', description: 'DENY rules win over every GRANT rule; per-user grants win over both.' });

export enum UserGrantEffect {
  GRANT = 'GRANT',
  REVOKE = 'REVOKE',
}
registerEnumType(UserGrantEffect, { name: 'UserGrantEffect', description: 'GRANT gives the user the entitlement, REVOKE takes it away, whatever the rules say.' });

export enum BehaviourFact {
  DAYS_SINCE_LAST_ACTIVE = 'DAYS_SINCE_LAST_ACTIVE',
  EVENT_COUNT = 'EVENT_COUNT',
  EVENT_VALUE_SUM = 'EVENT_VALUE_SUM',
}
registerEnumType(BehaviourFact, {
  name: 'BehaviourFact',
  description:
    'DAYS_SINCE_LAST_ACTIVE: UTC calendar days from the day of the user’s latest event to today (none for a user never seen: the condition is then false). ' +
    'EVENT_COUNT / EVENT_VALUE_SUM: the number of events of `eventTypes`, or the sum of their values, over today and the `windowDays` - 1 UTC days before.',
});

export enum Comparison {
  EQ = 'EQ',
  NEQ = 'NEQ',
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
}
registerEnumType(Comparison, { name: 'Comparison' });

@ObjectType({ description: 'An entitlement a rule grants or denies, with the value or limit it grants.' })
export class RuleEntitlement {
  @Field({ description: 'The entitlement’s key.' })
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Null: the catalogue’s default value.' })
  value!: JsonValue | null;
}

@ObjectType({ description: 'Holds when the user is assigned (bucketed or forced) to one of `variantKeys` of a running experiment.' })
export class VariantCondition {
  @Field()
  experimentKey!: string;

  @Field(() => [String])
  variantKeys!: string[];
}

@ObjectType({ description: 'A fact computed from the user’s events, compared with `value`.' })
export class BehaviourCondition {
  @Field(() => BehaviourFact)
  fact!: BehaviourFact;

  @Field(() => [String], { description: 'EVENT_COUNT and EVENT_VALUE_SUM: the event types counted together.' })
  eventTypes!: string[];

  @Field(() => Int, { nullable: true, description: 'EVENT_COUNT and EVENT_VALUE_SUM: days in the window, today included.' })
  windowDays!: number | null;

  @Field(() => Comparison)
  operator!: Comparison;

  @Field(() => Float)
  value!: number;
}

@ObjectType({ description: 'A catalogue entry: something a user may have or use.' })
@Entity('entitlements')
@Index('entitlements_created_idx', ['createdAt', 'id'])
@Check('entitlements_kind_check', `"kind" IN ('FEATURE', 'QUOTA', 'COUPON', 'CONFIG')`)
@Check('entitlements_status_check', `"status" IN ('ACTIVE', 'ARCHIVED')`)
export class Entitlement {
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

  @Field(() => EntitlementKind, { description: 'Fixed once created.' })
  @Column('text')
  kind!: EntitlementKind;

  @Field(() => QuotaPeriod, { nullable: true, description: 'QUOTA only.' })
  @Column('text', { nullable: true })
  period!: QuotaPeriod | null;

  @Field(() => GraphQLJSON, { description: 'Served when a rule or grant names no value. FEATURE: true.' })
  @Column('jsonb', { name: 'default_value' })
  defaultValue!: JsonValue;

  @Field(() => EntitlementStatus)
  @Column('text', { default: EntitlementStatus.ACTIVE })
  status!: EntitlementStatus;

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

@ObjectType({ description: 'Grants or denies entitlements when all its conditions hold.' })
@Entity('entitlement_rules')
@Index('entitlement_rules_created_idx', ['createdAt', 'id'])
@Check('entitlement_rules_effect_check', `"effect" IN ('GRANT', 'DENY')`)
@Check('entitlement_rules_status_check', `"status" IN ('ACTIVE', 'ARCHIVED')`)
export class EntitlementRule {
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

  @Field(() => RuleEffect, { description: 'Fixed once created.' })
  @Column('text')
  effect!: RuleEffect;

  @Field(() => Int, { description: 'Larger wins among grant rules (for a QUOTA, only between equal limits).' })
  @Column('int', { default: 0 })
  priority!: number;

  @Field({ description: 'Off: never applies. Rules start off unless told otherwise.' })
  @Column('boolean', { default: false })
  enabled!: boolean;

  @Field(() => Date, { nullable: true, description: 'Applies from this time (inclusive).' })
  @Column('timestamp with time zone', { name: 'valid_from', precision: 3, nullable: true })
  validFrom!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Applies until this time (exclusive).' })
  @Column('timestamp with time zone', { name: 'valid_until', precision: 3, nullable: true })
  validUntil!: Date | null;

  @Field(() => Targeting, { description: 'Tier in a set and attribute conditions, as for experiments.' })
  @Column('jsonb')
  targeting!: Targeting;

  @Field(() => [VariantCondition])
  @Column('jsonb', { default: [] })
  variants!: VariantCondition[];

  @Field(() => [BehaviourCondition])
  @Column('jsonb', { default: [] })
  behaviour!: BehaviourCondition[];

  @Field(() => [RuleEntitlement])
  @Column('jsonb', { default: [] })
  entitlements!: RuleEntitlement[];

  @Field(() => EntitlementStatus)
  @Column('text', { default: EntitlementStatus.ACTIVE })
  status!: EntitlementStatus;

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

@ObjectType({ description: 'An admin’s grant or revocation of one entitlement for one user. Wins over rules.' })
@Entity('user_grants')
@Index('user_grants_user_idx', ['userId', 'createdAt'])
@Check('user_grants_effect_check', `"effect" IN ('GRANT', 'REVOKE')`)
export class UserGrant {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column('text', { name: 'user_id' })
  userId!: string;

  @Field()
  @Column('text', { name: 'entitlement_key' })
  entitlementKey!: string;

  @Field(() => UserGrantEffect)
  @Column('text')
  effect!: UserGrantEffect;

  @Field(() => GraphQLJSON, { nullable: true, description: 'GRANT: the value or limit; null for the catalogue’s default.' })
  @Column('jsonb', { nullable: true })
  value!: JsonValue | null;

  @Field(() => Date, { nullable: true, description: 'Never applies from this time on; null: until withdrawn.' })
  @Column('timestamp with time zone', { name: 'expires_at', precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Field()
  @Column('text')
  reason!: string;

  @Field()
  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Field()
  @Column('timestamp with time zone', { name: 'created_at', precision: 3, default: () => 'now()' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Set when an admin withdrew it early.' })
  @Column('timestamp with time zone', { name: 'withdrawn_at', precision: 3, nullable: true })
  withdrawnAt!: Date | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'withdrawn_by', nullable: true })
  withdrawnBy!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'withdraw_reason', nullable: true })
  withdrawReason!: string | null;
}
