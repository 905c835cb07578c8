import { Field, Float, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { FlagStatus, FlagType } from './flag.entity';
import { Targeting, TargetingInput } from '../targeting/targeting.types';
import { SLUG_PATTERN } from '../targeting/targeting.rules';
import { MAX_RULES } from './flag.rules';
import type { JsonValue } from '../assignment/snapshot';

export enum FlagRuleKind {
  VALUE = 'VALUE',
  ROLLOUT = 'ROLLOUT',
  EXPERIMENT = 'EXPERIMENT',
}
registerEnumType(FlagRuleKind, {
  name: 'FlagRuleKind',
  description: 'VALUE: matching users get `value`. ROLLOUT: `percentage` of matching users (sticky) get `value`. EXPERIMENT: users in a variant of `experimentKey` get that variant’s value.',
});

@ObjectType()
export class VariantValue {
  @Field()
  variantKey!: string;

  @Field(() => GraphQLJSON)
  value!: JsonValue;
}

@ObjectType({ description: 'Rules are tried in order; the first that serves a value wins, the others fall through.' })
export class FlagRule {
  @Field({ description: 'Stable id: part of a rollout’s hash seed, so keep it when editing a rule.' })
  id!: string;

  @Field(() => FlagRuleKind)
  kind!: FlagRuleKind;

  @Field(() => Targeting)
  targeting!: Targeting;

  @Field(() => GraphQLJSON, { nullable: true })
  value?: JsonValue;

  @Field(() => Float, { nullable: true })
  percentage?: number;

  @Field(() => String, { nullable: true })
  experimentKey?: string;

  @Field(() => [VariantValue], { nullable: true })
  variantValues?: VariantValue[];
}

@InputType()
export class VariantValueInput {
  @Field()
  variantKey!: string;

  @Field(() => GraphQLJSON)
  value!: JsonValue;
}

@InputType()
export class FlagRuleInput {
  @Field({ nullable: true, description: 'Send back the id you read to keep a rollout’s users; new rules get one.' })
  @IsOptional()
  @Length(1, 64)
  id?: string;

  @Field(() => FlagRuleKind)
  kind!: FlagRuleKind;

  @Field(() => TargetingInput, { nullable: true, description: 'Default: everyone.' })
  @IsOptional()
  @ValidateNested()
  targeting?: TargetingInput;

  @Field(() => GraphQLJSON, { nullable: true, description: 'VALUE and ROLLOUT.' })
  value?: JsonValue;

  @Field(() => Float, { nullable: true, description: 'ROLLOUT: percent of matching users, 0 to 100.' })
  percentage?: number;

  @Field({ nullable: true, description: 'EXPERIMENT.' })
  experimentKey?: string;

  @Field(() => [VariantValueInput], { nullable: true, description: 'EXPERIMENT: the value for each variant.' })
  variantValues?: VariantValueInput[];
}

@InputType()
export class UpdateFlagInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  defaultValue?: JsonValue;

  @Field(() => [FlagRuleInput], { nullable: true, description: 'Replaces all rules.' })
  @IsOptional()
  @ArrayMaxSize(MAX_RULES)
  @ValidateNested({ each: true })
  rules?: FlagRuleInput[];
}

@InputType()
export class CreateFlagInput extends UpdateFlagInput {
  @Field()
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: 'key must be a slug: lower-case letters and digits, joined by - or _' })
  key!: string;

  @Field()
  @Length(1, 200)
  declare name: string;

  @Field(() => FlagType)
  type!: FlagType;

  @Field(() => GraphQLJSON)
  declare defaultValue: JsonValue;

  @Field({ defaultValue: false, description: 'Flags start off unless told otherwise.' })
  enabled!: boolean;

  @Field({ nullable: true, description: 'Default: the key.' })
  @IsOptional()
  @Length(1, 100)
  seed?: string;
}

@InputType()
export class FlagFilter {
  @Field(() => FlagStatus, { nullable: true })
  status?: FlagStatus;

  @Field({ nullable: true, description: 'Matches key, name or description, case-insensitively.' })
  @IsOptional()
  @MaxLength(200)
  text?: string;
}
