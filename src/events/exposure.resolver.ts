import { Arg, Authorized, Ctx, Field, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MAX_EXPOSURES_PER_CALL, validateExposures } from './exposure.rules';
import { AnalyticsStore } from '../analytics/analytics.store';
import { EventErrorReason, eventError } from './event.errors';
import type { RequestContext } from '../common/context';
import { Role } from '../auth/principal';

/** Loosely typed on purpose: each exposure is checked on its own (exposure.rules.ts). */
@InputType({ description: 'An exposure a local-mode SDK logged when the app read a variant.' })
class ExposureInput {
  @Field()
  experimentKey!: string;

  @Field(() => Int, { description: 'The phase the SDK’s configuration named; a stale one is refused.' })
  phase!: number;

  @Field({ description: 'Must be the variant the user’s id is bucketed into.' })
  variantKey!: string;

  @Field()
  userId!: string;

  @Field(() => String, { nullable: true })
  tier?: string | null;

  @Field({ description: 'ISO 8601 date-time; at most an hour ahead of the server, at most 400 days old.' })
  exposedAt!: string;
}

@ObjectType()
class RejectedExposure {
  @Field(() => Int, { description: 'Position in the batch.' })
  index!: number;

  @Field()
  field!: string;

  @Field()
  message!: string;
}

@ObjectType()
class TrackExposuresResult {
  @Field(() => Int, { description: 'New exposures stored.' })
  accepted!: number;

  @Field(() => Int, { description: 'Valid exposures of a user already exposed to that experiment phase: the first one is kept.' })
  duplicates!: number;

  @Field(() => [RejectedExposure])
  rejected!: RejectedExposure[];
}

@Resolver()
export class ExposureResolver {
  @Authorized(Role.SDK, Role.CLIENT, Role.ADMIN)
  @Mutation(() => TrackExposuresResult, {
    description:
      `Exposures logged by SDKs evaluating locally, up to ${MAX_EXPOSURES_PER_CALL} per call. Idempotent: a user's first exposure to an experiment phase is kept. ` +
      'Each is checked against the running configuration: current phase, the variant the user is bucketed into, not forced, within the clock bounds of trackEvents. ' +
      'One refused for a stale configuration (an older phase, another variant) is kept as the user seen in that variant, which results report (multipleVariantUsers).',
  })
  async trackExposures(
    @Ctx() ctx: RequestContext,
    // As trackEvents: no class-validator constraints to walk; validateExposures judges each one.
    @Arg('exposures', () => [ExposureInput], { validate: false }) exposures: ExposureInput[],
  ): Promise<TrackExposuresResult> {
    if (exposures.length > MAX_EXPOSURES_PER_CALL) {
      throw eventError(EventErrorReason.TOO_MANY_EXPOSURES, `At most ${MAX_EXPOSURES_PER_CALL} exposures per call, got ${exposures.length}`, 'exposures');
    }
    const { rows, rejected, repeats, seenInOtherVariants } = validateExposures(exposures, ctx.snapshots.current(), ctx.now().getTime());
    const accepted = await new AnalyticsStore(ctx.dataSource.manager).insertNewExposures(rows, seenInOtherVariants);
    return { accepted, duplicates: rows.length - accepted + repeats, rejected };
  }
}
