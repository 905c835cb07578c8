import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AuditEntryConnection } from '../audit/audit.resolver';
import { AuditEntityType, listAudit } from '../audit/audit.service';
import { Tier } from './tier.entity';
import { CreateTierInput } from './tier.inputs';
import { createTier, deleteTier, listTiers, updateTier } from './tier.service';
import type { RequestContext } from '../common/context';
import { Role, type Principal } from '../auth/principal';

const caller = (ctx: RequestContext) => ctx.principal as Principal;

@Resolver(() => Tier)
export class TierResolver {
  @Authorized(Role.ADMIN, Role.ANALYST, Role.SDK)
  @Query(() => [Tier], { description: 'The tier catalogue, by key: the tiers targeting may name. resolve treats any other tier as none.' })
  tiers(@Ctx() ctx: RequestContext): Promise<Tier[]> {
    return listTiers(ctx.dataSource);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Root() tier: Tier, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.TIER, tier.key, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Tier, { description: 'Adds a tier to the catalogue (audited).' })
  createTier(@Ctx() ctx: RequestContext, @Arg('input') input: CreateTierInput): Promise<Tier> {
    return createTier(ctx.dataSource, caller(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Tier, { description: 'Changes a tier’s description (audited).' })
  updateTier(@Ctx() ctx: RequestContext, @Arg('key') key: string, @Arg('description', () => String, { nullable: true }) description: string | null): Promise<Tier> {
    return updateTier(ctx.dataSource, caller(ctx), key, description);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Tier, { description: 'Removes a tier (audited); CONFLICT while any experiment, flag or entitlement rule targets it.' })
  deleteTier(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<Tier> {
    return deleteTier(ctx.dataSource, caller(ctx), key);
  }
}
