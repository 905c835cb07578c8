import { Arg, Args, ArgsType, Authorized, Ctx, Field, Float, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ArrayMaxSize, ArrayMinSize, Max, Min } from 'class-validator';
import { pageSize } from '../common/pagination';
import { compareStrategies, DEFAULT_MINIMUM_DETECTABLE_LIFT, experimentResultHistory, readExperimentResults, refreshExperimentResults } from './result.service';
import { ExperimentResults, PValueAdjustmentMethod, SegmentBy, StrategyArm } from './result.types';
import type { RequestContext } from '../common/context';
import { Role } from '../auth/principal';

@ArgsType()
class ExperimentResultsArgs {
  @Field()
  key!: string;

  @Field(() => SegmentBy, { defaultValue: SegmentBy.NONE })
  segmentBy!: SegmentBy;

  @Field(() => PValueAdjustmentMethod, { nullable: true, description: 'The secondary metrics’ correction; default the plan’s (HOLM without a plan). A view: never changes the recommendation.' })
  adjustment?: PValueAdjustmentMethod;

  @Field(() => Float, { defaultValue: DEFAULT_MINIMUM_DETECTABLE_LIFT, description: 'Deprecated, shown only: the recommendation follows the experiment’s analysisPlan (or the default plan), never a query argument.' })
  @Min(0.001)
  @Max(10)
  minimumDetectableLift!: number;

  @Field({ defaultValue: false, description: 'Add always-valid (mSPRT) p-values and confidence sequences, safe to look at after every batch; adjustedPValue and significant then use them. A view: the recommendation follows the plan whatever this says.' })
  sequential!: boolean;
}

@ArgsType()
class CompareStrategiesArgs {
  @Field()
  metricKey!: string;

  @Field(() => [String])
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  experimentKeys!: string[];

  @Field({ defaultValue: 'reward_cost', description: 'The cost metric (a MEAN of cost per user). It must cover the same days after exposure as metricKey, so that cost and lift are over the same users and window; otherwise the cost figures are null and costNote says why.' })
  costMetricKey!: string;
}

@Resolver()
export class ResultResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => ExperimentResults, {
    description:
      'Computes the current phase’s results from the database (one aggregation). A read: it stores no snapshot and pauses nothing (the results job and refreshExperimentResults do). NOT_FOUND for an unknown experiment.',
  })
  experimentResults(@Ctx() ctx: RequestContext, @Args() { key, segmentBy, adjustment, minimumDetectableLift, sequential }: ExperimentResultsArgs): Promise<ExperimentResults> {
    return readExperimentResults(ctx.dataSource, key, { segmentBy, adjustment, minimumDetectableLift, sequential, now: ctx.now() });
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Mutation(() => ExperimentResults, {
    description:
      'A fresh snapshot now, as the results job takes on its schedule: computes the results, auto-pauses an opted-in running experiment whose guardrails are at risk, and stores them as a dated snapshot. NOT_FOUND for an unknown experiment.',
  })
  refreshExperimentResults(@Ctx() ctx: RequestContext, @Args() { key, segmentBy, adjustment, minimumDetectableLift, sequential }: ExperimentResultsArgs): Promise<ExperimentResults> {
    return refreshExperimentResults(ctx.dataSource, key, { segmentBy, adjustment, minimumDetectableLift, sequential, now: ctx.now() });
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [ExperimentResults], { description: 'Stored snapshots (from the results job and refreshExperimentResults), newest first: how the estimates moved.' })
  experimentResultHistory(
    @Ctx() ctx: RequestContext,
    @Arg('key') key: string,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100 (default 20).' }) first?: number,
  ): Promise<ExperimentResults[]> {
    return experimentResultHistory(ctx.dataSource, key, pageSize(first));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [StrategyArm], { description: 'Treatment arms of several experiments side by side on one metric, each against its own control, ranked by lift among arms whose lift interval clears 0 (the others listed unranked, with the reason); with cost per incremental user and its Fieller interval.' })
  compareStrategies(@Ctx() ctx: RequestContext, @Args() { metricKey, experimentKeys, costMetricKey }: CompareStrategiesArgs): Promise<StrategyArm[]> {
    return compareStrategies(ctx.dataSource, metricKey, experimentKeys, ctx.now(), costMetricKey);
  }
}
