import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Experiment, ForcedAssignment, StatusChange } from './experiment.entity';
import {
  CreateExperimentInput, DuplicateExperimentArgs, ExperimentFilter, ForcedAssignmentArgs, PauseExperimentArgs, RestartExperimentArgs,
  SetForcedAssignmentArgs,
  StopExperimentArgs, UpdateExperimentInput,
} from './experiment.inputs';
import { experimentProblems, LifecycleAction } from './experiment.rules';
import {
  configOf, createExperiment, duplicateExperiment, getExperiment, listExperiments, removeForcedAssignment, setForcedAssignment, transitionExperiment,
  updateExperiment, validateExperiment,
} from './experiment.service';
import { ProblemType } from '../common/problem.type';
import { Connection } from '../common/pagination';
import { KeyVersionArgs } from '../common/key-version.args';
import type { RequestContext } from '../common/context';
import { Role, type Principal } from '../auth/principal';

@ObjectType()
class ExperimentConnection extends Connection(Experiment) {}

const caller = (ctx: RequestContext) => ctx.principal as Principal;

@Resolver(() => Experiment)
export class ExperimentResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Experiment, { description: 'NOT_FOUND when there is none with this key.' })
  experiment(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<Experiment> {
    return getExperiment(ctx.dataSource, key);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => ExperimentConnection, { description: 'Newest first, at most 100 a page.' })
  experiments(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => ExperimentFilter, { nullable: true }) filter?: ExperimentFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ExperimentConnection> {
    return listExperiments(ctx.dataSource, filter, first, after);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [ProblemType], {
    description: 'Every problem an experiment made from `input` would have, saving nothing: what createExperiment refuses (e.g. a key taken, an unknown tier or metric) and what startExperiment would refuse (e.g. no control, weights not summing to 100). Empty: it can be created and started.',
  })
  validateExperiment(@Ctx() ctx: RequestContext, @Arg('input') input: CreateExperimentInput): Promise<ProblemType[]> {
    return validateExperiment(ctx.dataSource, caller(ctx), input);
  }

  @FieldResolver(() => [ProblemType], {
    description: 'Everything that would stop it from starting, all at once (a draft is saved with them, as warnings): no control or two, weights not summing to 100, no primary metric, payload fields of different types. Empty once it can start.',
  })
  problems(@Root() experiment: Experiment): ProblemType[] {
    return experimentProblems(configOf(experiment));
  }

  @FieldResolver(() => [StatusChange], { description: 'Every status change, oldest first.' })
  statusHistory(@Ctx() ctx: RequestContext, @Root() experiment: Experiment): Promise<StatusChange[]> {
    return ctx.loaders.statusHistory.load(experiment.id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, { description: 'A new experiment, in DRAFT.' })
  createExperiment(@Ctx() ctx: RequestContext, @Arg('input') input: CreateExperimentInput): Promise<Experiment> {
    return createExperiment(ctx.dataSource, caller(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, {
    description: 'Changes the fields named in `input`. Once started, only name, description, tags and trafficAllocation may change.',
  })
  updateExperiment(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('input') input: UpdateExperimentInput): Promise<Experiment> {
    return updateExperiment(ctx.dataSource, caller(ctx), key, version, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, {
    description: 'DRAFT to RUNNING. Needs exactly one control, weights summing to 100, a primary metric and payloads that agree: NOT_READY_TO_START lists every problem in `extensions.problems`.',
  })
  startExperiment(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<Experiment> {
    return transitionExperiment(ctx.dataSource, caller(ctx), key, version, LifecycleAction.START, { at: ctx.now() });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, { description: 'RUNNING to PAUSED.' })
  pauseExperiment(@Ctx() ctx: RequestContext, @Args() { key, version, reason }: PauseExperimentArgs): Promise<Experiment> {
    return transitionExperiment(ctx.dataSource, caller(ctx), key, version, LifecycleAction.PAUSE, { reason });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, { description: 'PAUSED to RUNNING.' })
  resumeExperiment(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<Experiment> {
    return transitionExperiment(ctx.dataSource, caller(ctx), key, version, LifecycleAction.RESUME);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, { description: 'RUNNING or PAUSED to STOPPED, shipping a variant (or none) with a reason.' })
  stopExperiment(@Ctx() ctx: RequestContext, @Args() { key, version, shippedVariantKey, reason }: StopExperimentArgs): Promise<Experiment> {
    return transitionExperiment(ctx.dataSource, caller(ctx), key, version, LifecycleAction.STOP, { reason, shippedVariantKey, at: ctx.now() });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, { description: 'DRAFT or STOPPED to ARCHIVED; an archived experiment is read-only.' })
  archiveExperiment(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<Experiment> {
    return transitionExperiment(ctx.dataSource, caller(ctx), key, version, LifecycleAction.ARCHIVE);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, {
    description: 'A new randomisation of a RUNNING or PAUSED experiment: a new phase with a new seed, optionally with new variants or weights. Analysis restarts with the phase.',
  })
  restartExperiment(@Ctx() ctx: RequestContext, @Args() { key, version, reason, variants }: RestartExperimentArgs): Promise<Experiment> {
    return transitionExperiment(ctx.dataSource, caller(ctx), key, version, LifecycleAction.RESTART, { reason, variants, at: ctx.now() });
  }

  @FieldResolver(() => [ForcedAssignment], { description: 'QA overrides, by user id.' })
  forcedAssignments(@Ctx() ctx: RequestContext, @Root() experiment: Experiment): Promise<ForcedAssignment[]> {
    return ctx.loaders.forcedAssignments.load(experiment.id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ForcedAssignment, { description: 'Always gives this user this variant (for QA). Never counted as an exposure.' })
  setForcedAssignment(@Ctx() ctx: RequestContext, @Args() { experimentKey, userId, variantKey }: SetForcedAssignmentArgs): Promise<ForcedAssignment> {
    return setForcedAssignment(ctx.dataSource, caller(ctx), experimentKey, userId, variantKey);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'False when there was no override for this user.' })
  removeForcedAssignment(@Ctx() ctx: RequestContext, @Args() { experimentKey, userId }: ForcedAssignmentArgs): Promise<boolean> {
    return removeForcedAssignment(ctx.dataSource, caller(ctx), experimentKey, userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Experiment, { description: 'A new DRAFT with the same configuration under `newKey`.' })
  duplicateExperiment(@Ctx() ctx: RequestContext, @Args() { key, newKey, name }: DuplicateExperimentArgs): Promise<Experiment> {
    return duplicateExperiment(ctx.dataSource, caller(ctx), key, newKey, name);
  }
}
