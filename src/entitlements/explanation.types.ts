import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { RuleEffect, UserGrant } from './entitlement.entity';
import { EntitlementType } from '../assignment/resolve.types';
import type { JsonValue } from '../assignment/snapshot';
import type * as Model from '../engine/entitlement.model';
import { assertSameType } from '../common/same-type';

export enum RuleStatus {
  APPLIED = 'APPLIED',
  DISABLED = 'DISABLED',
  NOT_YET_VALID = 'NOT_YET_VALID',
  EXPIRED = 'EXPIRED',
  CONDITIONS_NOT_MET = 'CONDITIONS_NOT_MET',
}
assertSameType<`${RuleEffect}`, Model.RuleExplanation['effect']>(true);
assertSameType<`${RuleStatus}`, Model.RuleStatus>(true);
registerEnumType(RuleStatus, { name: 'RuleStatus', description: 'Whether the rule applied, and if not, the first reason why not (off, outside its validity window, a condition failed).' });

export enum RuleOutcome {
  GRANTED = 'GRANTED',
  DENIED = 'DENIED',
  NOT_APPLIED = 'NOT_APPLIED',
  OVERRIDDEN_BY_USER_GRANT = 'OVERRIDDEN_BY_USER_GRANT',
  DENIED_BY_RULE = 'DENIED_BY_RULE',
  LESS_GENEROUS = 'LESS_GENEROUS',
  LOWER_PRIORITY = 'LOWER_PRIORITY',
  NOT_IN_CATALOGUE = 'NOT_IN_CATALOGUE',
}
assertSameType<`${RuleOutcome}`, Model.RuleOutcome>(true);
registerEnumType(RuleOutcome, {
  name: 'RuleOutcome',
  description:
    'GRANTED: this rule’s value is served. DENIED: this deny rule removes it. NOT_APPLIED: the rule did not apply. ' +
    'OVERRIDDEN_BY_USER_GRANT: a per-user grant or revocation decides (`by`: its id). DENIED_BY_RULE: a deny rule removes it (`by`). ' +
    'LESS_GENEROUS: another rule grants a larger quota (`by`). LOWER_PRIORITY: a rule of higher priority grants it (`by`). NOT_IN_CATALOGUE: archived.',
});

export enum UserGrantStatus {
  APPLIED = 'APPLIED',
  EXPIRED = 'EXPIRED',
  SUPERSEDED = 'SUPERSEDED',
  NOT_IN_CATALOGUE = 'NOT_IN_CATALOGUE',
}
assertSameType<`${UserGrantStatus}`, Model.UserGrantStatus>(true);
registerEnumType(UserGrantStatus, { name: 'UserGrantStatus', description: 'SUPERSEDED: a newer grant or revocation of the same entitlement decides.' });

@ObjectType()
export class ConditionCheckType implements Model.ConditionCheck {
  @Field({ description: 'e.g. `sum of the values of payment events over the last 30 days > 100`.' })
  condition!: string;

  @Field()
  held!: boolean;

  @Field(() => GraphQLJSON, { nullable: true, description: 'What the user had: tier, attribute values, variant, or the fact’s value (null: none).' })
  actual!: JsonValue;
}

@ObjectType()
export class RuleEntitlementOutcome implements Model.RuleEntitlementOutcome {
  @Field()
  key!: string;

  @Field(() => RuleOutcome)
  outcome!: Model.RuleOutcome;

  @Field(() => String, { nullable: true, description: 'The rule key or grant id that decided instead.' })
  by!: string | null;
}

@ObjectType()
export class RuleExplanationType implements Model.RuleExplanation {
  @Field()
  ruleKey!: string;

  @Field(() => RuleEffect)
  effect!: Model.RuleExplanation['effect'];

  @Field(() => Int)
  priority!: number;

  @Field(() => RuleStatus)
  status!: Model.RuleStatus;

  @Field(() => [ConditionCheckType], { description: 'Every condition, evaluated even when the rule is off or another condition failed.' })
  conditions!: ConditionCheckType[];

  @Field(() => [RuleEntitlementOutcome])
  entitlements!: RuleEntitlementOutcome[];
}

@ObjectType()
export class UserGrantExplanation {
  @Field(() => UserGrant)
  grant!: UserGrant;

  @Field(() => UserGrantStatus)
  status!: Model.UserGrantStatus;
}

@ObjectType({ description: 'Why a user has what: the resolution, every rule considered, and every per-user grant not withdrawn.' })
export class EntitlementExplanationType {
  @Field()
  userId!: string;

  @Field({ description: 'The time resolution was evaluated at.' })
  evaluatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'The user’s latest event; null for a user never seen.' })
  lastActiveAt!: Date | null;

  @Field(() => Int, { nullable: true })
  daysSinceLastActive!: number | null;

  @Field(() => [EntitlementType])
  entitlements!: EntitlementType[];

  @Field(() => [RuleExplanationType], { description: 'In creation order, disabled rules included.' })
  rules!: RuleExplanationType[];

  @Field(() => [UserGrantExplanation], { description: 'Newest first.' })
  userGrants!: UserGrantExplanation[];
}
