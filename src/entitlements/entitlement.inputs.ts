import { Field, Float, InputType, Int } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { BehaviourFact, Comparison, EntitlementKind, EntitlementStatus, QuotaPeriod, RuleEffect } from './entitlement.entity';
import { MAX_CONDITIONS, MAX_EVENT_TYPES, MAX_RULE_ENTITLEMENTS } from './entitlement.rules';
import { TargetingInput } from '../targeting/targeting.types';
import { SLUG_PATTERN } from '../targeting/targeting.rules';
import type { JsonValue } from '../assignment/snapshot';

const SLUG_MESSAGE = 'key must be a slug: lower-case letters and digits, joined by - or _';

@InputType()
export class UpdateEntitlementInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => QuotaPeriod, { nullable: true, description: 'QUOTA only.' })
  period?: QuotaPeriod;

  @Field(() => GraphQLJSON, { nullable: true, description: 'FEATURE: omit (always true).' })
  defaultValue?: JsonValue;
}

@InputType()
export class CreateEntitlementInput extends UpdateEntitlementInput {
  @Field()
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  key!: string;

  @Field()
  @Length(1, 200)
  declare name: string;

  @Field(() => EntitlementKind)
  kind!: EntitlementKind;
}

@InputType()
export class EntitlementFilter {
  @Field(() => EntitlementStatus, { nullable: true })
  status?: EntitlementStatus;

  @Field(() => EntitlementKind, { nullable: true })
  kind?: EntitlementKind;

  @Field({ nullable: true, description: 'Matches key, name or description, case-insensitively.' })
  @IsOptional()
  @MaxLength(200)
  text?: string;
}

@InputType()
export class RuleEntitlementInput {
  @Field({ description: 'The entitlement’s key.' })
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'GRANT rules: the value or limit; omit for the catalogue’s default. DENY rules: omit.' })
  value?: JsonValue | null;
}

@InputType()
export class VariantConditionInput {
  @Field()
  experimentKey!: string;

  @Field(() => [String])
  @ArrayMaxSize(20)
  variantKeys!: string[];
}

@InputType()
export class BehaviourConditionInput {
  @Field(() => BehaviourFact)
  fact!: BehaviourFact;

  @Field(() => [String], { defaultValue: [], description: 'EVENT_COUNT and EVENT_VALUE_SUM: event types counted together.' })
  @ArrayMaxSize(MAX_EVENT_TYPES)
  eventTypes!: string[];

  @Field(() => Int, { nullable: true, description: 'EVENT_COUNT and EVENT_VALUE_SUM: 1 to 400 days, today included.' })
  windowDays?: number | null;

  @Field(() => Comparison)
  operator!: Comparison;

  @Field(() => Float)
  value!: number;
}

@InputType()
export class UpdateEntitlementRuleInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => Int, { nullable: true })
  priority?: number;

  @Field(() => Date, { nullable: true, description: 'null clears it.' })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'null clears it.' })
  validUntil?: Date | null;

  @Field(() => TargetingInput, { nullable: true, description: 'Default: everyone.' })
  @IsOptional()
  @ValidateNested()
  targeting?: TargetingInput;

  @Field(() => [VariantConditionInput], { nullable: true, description: 'Replaces all variant conditions.' })
  @IsOptional()
  @ArrayMaxSize(MAX_CONDITIONS)
  @ValidateNested({ each: true })
  variants?: VariantConditionInput[];

  @Field(() => [BehaviourConditionInput], { nullable: true, description: 'Replaces all behavioural conditions.' })
  @IsOptional()
  @ArrayMaxSize(MAX_CONDITIONS)
  @ValidateNested({ each: true })
  behaviour?: BehaviourConditionInput[];

  @Field(() => [RuleEntitlementInput], { nullable: true, description: 'Replaces the list.' })
  @IsOptional()
  @ArrayMaxSize(MAX_RULE_ENTITLEMENTS)
  @ValidateNested({ each: true })
  entitlements?: RuleEntitlementInput[];
}

@InputType()
export class CreateEntitlementRuleInput extends UpdateEntitlementRuleInput {
  @Field()
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  key!: string;

  @Field()
  @Length(1, 200)
  declare name: string;

  @Field(() => RuleEffect)
  effect!: RuleEffect;

  @Field({ defaultValue: false, description: 'Rules start off unless told otherwise.' })
  enabled!: boolean;

  @Field(() => [RuleEntitlementInput])
  @ArrayMaxSize(MAX_RULE_ENTITLEMENTS)
  @ValidateNested({ each: true })
  declare entitlements: RuleEntitlementInput[];
}

@InputType()
export class EntitlementRuleFilter {
  @Field(() => EntitlementStatus, { nullable: true })
  status?: EntitlementStatus;

  @Field(() => RuleEffect, { nullable: true })
  effect?: RuleEffect;

  @Field({ nullable: true, description: 'Rules that grant or deny this entitlement.' })
  entitlementKey?: string;

  @Field({ nullable: true, description: 'Matches key, name or description, case-insensitively.' })
  @IsOptional()
  @MaxLength(200)
  text?: string;
}

@InputType()
export class UserGrantInput {
  @Field()
  @Length(1, 200)
  userId!: string;

  @Field()
  entitlementKey!: string;

  @Field(() => Date, { nullable: true, description: 'Stops applying at this time; omit for until withdrawn.' })
  expiresAt?: Date | null;

  @Field({ description: 'Why, for the audit log, e.g. "goodwill after a failed payment".' })
  @Length(1, 1000)
  reason!: string;
}

@InputType()
export class GrantEntitlementInput extends UserGrantInput {
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value or limit; omit for the catalogue’s default.' })
  value?: JsonValue | null;
}
