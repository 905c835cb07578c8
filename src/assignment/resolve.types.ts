import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { ExperimentAssignment, FlagEvaluation, JsonValue, Reason, Resolution } from './snapshot';
import { EntitlementKind, QuotaPeriod } from '../entitlements/entitlement.entity';
import type { ResolvedEntitlement } from '../engine/entitlement.model';
import { assertSameType } from '../common/same-type';

export enum EntitlementSourceType {
  RULE = 'RULE',
  USER_GRANT = 'USER_GRANT',
}
registerEnumType(EntitlementSourceType, { name: 'EntitlementSourceType' });
assertSameType<`${EntitlementSourceType}`, ResolvedEntitlement['sourceType']>(true);
assertSameType<`${EntitlementKind}`, ResolvedEntitlement['kind']>(true);
assertSameType<`${QuotaPeriod}`, NonNullable<ResolvedEntitlement['period']>>(true);

export enum ResolutionReason {
  TARGETING_MATCH = 'TARGETING_MATCH',
  SPLIT = 'SPLIT',
  DEFAULT = 'DEFAULT',
  DISABLED = 'DISABLED',
  STATIC = 'STATIC',
  ERROR = 'ERROR',
}
registerEnumType(ResolutionReason, { name: 'ResolutionReason', description: 'OpenFeature’s resolution reasons.' });
assertSameType<`${ResolutionReason}`, Reason>(true);

/** Checked by userContext() in the resolver rather than class-validator, which would double resolve's cost. */
@InputType()
export class UserContextInput {
  @Field({ description: 'Your stable id for the user (1 to 200 characters): the same id always gets the same variants.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Value segment, e.g. `new`, `regular`, `high_value`.' })
  tier?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Attributes for targeting, e.g. `{ "appVersion": "5.3.0", "country": "sg" }`.' })
  attributes?: Record<string, JsonValue> | null;
}

/**
 * The types resolve returns have no field resolvers, middlewares or field roles: `simpleResolvers`
 * leaves graphql's default (a property read) instead of a type-graphql wrapper per field, which
 * graphql-jit then inlines. With the wrapper, every field of every assignment and flag was a
 * resolver call with its own resolve info: half of graphql-jit's time in resolve.
 */
@ObjectType({ simpleResolvers: true })
export class ExperimentAssignmentType implements ExperimentAssignment {
  @Field()
  experimentKey!: string;

  @Field()
  variantKey!: string;

  @Field(() => GraphQLJSON, { description: 'The variant’s incentive configuration.' })
  payload!: JsonValue;

  @Field(() => Int)
  phase!: number;

  @Field(() => ResolutionReason, { description: 'SPLIT: bucketed (an exposure); TARGETING_MATCH: a forced assignment.' })
  reason!: ExperimentAssignment['reason'];
}

@ObjectType({ simpleResolvers: true })
export class FlagEvaluationType implements FlagEvaluation {
  @Field()
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  value!: JsonValue;

  @Field(() => String, { nullable: true, description: 'The variant for experiment rules, the rule id for other rules, null for the default.' })
  variant!: string | null;

  @Field(() => ResolutionReason)
  reason!: Reason;

  @Field(() => String, { nullable: true, description: 'OpenFeature error code when reason is ERROR.' })
  errorCode?: string;
}

@ObjectType({ simpleResolvers: true, description: 'Something a user has, with its value and where it came from.' })
export class EntitlementType implements ResolvedEntitlement {
  @Field()
  key!: string;

  @Field(() => EntitlementKind)
  kind!: ResolvedEntitlement['kind'];

  @Field(() => GraphQLJSON, { nullable: true, description: 'FEATURE: true. QUOTA: the limit. COUPON: { amount, currency, minSpend }. CONFIG: the JSON value.' })
  value!: JsonValue;

  @Field(() => QuotaPeriod, { nullable: true, description: 'QUOTA: the period the limit is per.' })
  period!: ResolvedEntitlement['period'];

  @Field({ description: 'The rule key or per-user grant id it came from.' })
  source!: string;

  @Field(() => EntitlementSourceType)
  sourceType!: ResolvedEntitlement['sourceType'];

  @Field(() => Date, { nullable: true, description: 'When it stops: the grant’s expiry or the rule’s validUntil; null when open-ended.' })
  expiresAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class ResolutionType implements Resolution {
  @Field()
  userId!: string;

  @Field({ description: 'In the global holdout, and so in no experiment.' })
  inHoldout!: boolean;

  @Field(() => [ExperimentAssignmentType], { description: 'The running experiments the user is in.' })
  experiments!: ExperimentAssignmentType[];

  @Field(() => [FlagEvaluationType])
  flags!: FlagEvaluationType[];

  @Field(() => [EntitlementType], {
    nullable: true,
    description: 'Per-user grants, then deny rules, then grant rules. Null (not empty) when the user’s behavioural facts or grants could not be read (database away); experiments and flags are still served.',
  })
  entitlements!: readonly EntitlementType[] | null;

  @Field(() => [String], { description: 'What the app should know about its request, e.g. a tier not in the catalogue (resolved as no tier). Usually empty.' })
  warnings!: string[];
}
