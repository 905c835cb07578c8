import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Holdout, Layer } from './layer.entity';
import { CreateLayerInput, HoldoutInput, UpdateLayerInput } from './layer.inputs';
import { createLayer, getHoldout, getLayer, listLayers, setHoldout, updateLayer } from './layer.service';
import { KeyVersionArgs } from '../common/key-version.args';
import { AuditEntryConnection } from '../audit/audit.resolver';
import { AuditEntityType, listAudit } from '../audit/audit.service';
import type { RequestContext } from '../common/context';
import { Role, type Principal } from '../auth/principal';

const caller = (ctx: RequestContext) => ctx.principal as Principal;

@Resolver(() => Layer)
export class LayerResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [Layer])
  layers(@Ctx() ctx: RequestContext): Promise<Layer[]> {
    return listLayers(ctx.dataSource);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Layer, { description: 'NOT_FOUND when there is none with this key.' })
  layer(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<Layer> {
    return getLayer(ctx.dataSource, key);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Layer)
  createLayer(@Ctx() ctx: RequestContext, @Arg('input') input: CreateLayerInput): Promise<Layer> {
    return createLayer(ctx.dataSource, caller(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Layer, { description: 'Name and description only: the seed is fixed, or users would change experiments.' })
  updateLayer(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('input') input: UpdateLayerInput): Promise<Layer> {
    return updateLayer(ctx.dataSource, caller(ctx), key, version, input);
  }

  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Root() layer: Layer, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.LAYER, layer.key, first, after);
  }
}

@Resolver(() => Holdout)
export class HoldoutResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Holdout, { nullable: true, description: 'The global holdout; null until one is set.' })
  holdout(@Ctx() ctx: RequestContext): Promise<Holdout | null> {
    return getHoldout(ctx.dataSource);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Holdout, { description: 'Sets the share of users kept out of every experiment (0 turns it off).' })
  setHoldout(@Ctx() ctx: RequestContext, @Arg('input') input: HoldoutInput): Promise<Holdout> {
    return setHoldout(ctx.dataSource, caller(ctx), input);
  }

  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.HOLDOUT, 'global', first, after);
  }
}
