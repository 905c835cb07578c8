import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Metric } from './metric.entity';
import { CreateMetricInput, UpdateMetricInput } from './metric.inputs';
import { createMetric, deleteMetric, getMetric, listMetrics, updateMetric } from './metric.service';
import { AuditEntryConnection } from '../audit/audit.resolver';
import { AuditEntityType, listAudit } from '../audit/audit.service';
import { KeyVersionArgs } from '../common/key-version.args';
import type { RequestContext } from '../common/context';
import { Role, type Principal } from '../auth/principal';

const caller = (ctx: RequestContext) => ctx.principal as Principal;

@Resolver(() => Metric)
export class MetricResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Metric, { description: 'NOT_FOUND when there is none with this key.' })
  metric(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<Metric> {
    return getMetric(ctx.dataSource, key);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [Metric], { description: 'Every metric, by key.' })
  metrics(@Ctx() ctx: RequestContext): Promise<Metric[]> {
    return listMetrics(ctx.dataSource);
  }

  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Root() metric: Metric, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.METRIC, metric.key, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Metric)
  createMetric(@Ctx() ctx: RequestContext, @Arg('input') input: CreateMetricInput): Promise<Metric> {
    return createMetric(ctx.dataSource, caller(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Metric, { description: 'Changes the fields named; applies to every later computation of results.' })
  updateMetric(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('input') input: UpdateMetricInput): Promise<Metric> {
    return updateMetric(ctx.dataSource, caller(ctx), key, version, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'CONFLICT (METRIC_IN_USE) while an experiment that is not archived names it.' })
  deleteMetric(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<boolean> {
    return deleteMetric(ctx.dataSource, caller(ctx), key, version);
  }
}
