import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ConditionOperator, MatchMode, type Targeting as TargetingModel, type TargetingCondition as TargetingConditionModel } from './targeting.model';

export { ConditionOperator, MatchMode };

registerEnumType(ConditionOperator, {
  name: 'ConditionOperator',
  description:
    'EQ/NEQ take a string, number or boolean; IN/NOT_IN a non-empty list; GT..LTE a number; CONTAINS a string; ' +
    'EXISTS true (attribute present) or false (absent); SEMVER_* a version like "2.1.0"; DATE_* an ISO 8601 date or date-time.',
});

registerEnumType(MatchMode, { name: 'MatchMode', description: 'Whether all conditions must hold, or any one.' });

@ObjectType()
export class TargetingCondition implements TargetingConditionModel {
  @Field({ description: 'A user attribute, e.g. `country` or `app.version`.' })
  attribute!: string;

  @Field(() => ConditionOperator)
  operator!: ConditionOperator;

  @Field(() => GraphQLJSON)
  value!: unknown;
}

@ObjectType({ description: 'Who may enter: users of one of `tiers` (any tier when empty) for whom the conditions hold.' })
export class Targeting implements TargetingModel {
  @Field(() => [String])
  tiers!: string[];

  @Field(() => MatchMode)
  match!: MatchMode;

  @Field(() => [TargetingCondition])
  conditions!: TargetingCondition[];
}

@InputType()
export class TargetingConditionInput implements TargetingConditionModel {
  @Field()
  attribute!: string;

  @Field(() => ConditionOperator)
  operator!: ConditionOperator;

  @Field(() => GraphQLJSON)
  value!: unknown;
}

@InputType()
export class TargetingInput implements TargetingModel {
  @Field(() => [String], { defaultValue: [] })
  tiers!: string[];

  @Field(() => MatchMode, { defaultValue: MatchMode.ALL })
  match!: MatchMode;

  @Field(() => [TargetingConditionInput], { defaultValue: [] })
  conditions!: TargetingConditionInput[];
}
