import { Arg, Authorized, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { Role } from '../auth/principal';
import type { RequestContext } from '../common/context';
import { EstimateInterval } from './result.types';
import type { DailyExposures, RetentionPoint, Timeline } from './timeline';
import { experimentTimeline } from './timeline.service';

@ObjectType({ description: 'The share of an arm’s users active on day n after their first exposure.' })
class RetentionPointType implements RetentionPoint {
  @Field()
  variantKey!: string;

  @Field(() => Int, { description: '0 to 30 days after exposure.' })
  day!: number;

  @Field(() => Int, { description: 'Users whose day n has passed: only they count.' })
  users!: number;

  @Field(() => Int)
  activeUsers!: number;

  @Field(() => Float, { nullable: true, description: 'Null while no user’s day n has passed.' })
  rate!: number | null;

  @Field(() => EstimateInterval, { nullable: true, description: 'Wilson score interval (95%).' })
  interval!: EstimateInterval | null;
}

@ObjectType()
class DailyExposuresType implements DailyExposures {
  @Field()
  variantKey!: string;

  @Field({ description: 'The UTC day of first exposure, YYYY-MM-DD.' })
  day!: string;

  @Field(() => Int)
  users!: number;
}

@ObjectType({ description: 'An experiment’s current phase over time: the retention curve and the exposures per day.' })
class ExperimentTimeline implements Timeline {
  @Field()
  experimentKey!: string;

  @Field(() => Int)
  phase!: number;

  @Field({ description: 'The UTC day of the computation: day n counts users whose day n ended before it.' })
  asOfDay!: string;

  @Field(() => [RetentionPointType], { description: 'D0 to D30 per arm, from the same active-day bits retention metrics read.' })
  retention!: RetentionPointType[];

  @Field(() => [DailyExposuresType])
  exposuresPerDay!: DailyExposuresType[];
}

@Resolver()
export class TimelineResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => ExperimentTimeline, { description: 'The retention curve (D0 to D30 per arm) and exposures per day of an experiment’s current phase, computed in the database. Reads only. NOT_FOUND for an unknown experiment.' })
  experimentTimeline(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<ExperimentTimeline> {
    return experimentTimeline(ctx.dataSource, key, ctx.now());
  }
}
