import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Entitlement, EntitlementRule, UserGrant } from './entitlement.entity';
import {
  CreateEntitlementInput,
  CreateEntitlementRuleInput,
  EntitlementFilter,
  EntitlementRuleFilter,
  GrantEntitlementInput,
  UpdateEntitlementInput,
  UpdateEntitlementRuleInput,
  UserGrantInput,
} from './entitlement.inputs';
import {
  archiveEntitlement,
  archiveRule,
  createEntitlement,
  createRule,
  getEntitlement,
  getRule,
  grantEntitlement,
  listEntitlements,
  listRules,
  listUserGrants,
  revokeEntitlement,
  setRuleEnabled,
  updateEntitlement,
  updateRule,
  withdrawUserGrant,
} from './entitlement.service';
import { explainEntitlements } from '../engine/entitlements';
import { EntitlementExplanationType } from './explanation.types';
import { UserContextInput } from '../assignment/resolve.types';
import { userContext, withKnownTier } from '../assignment/resolve.resolver';
import { evaluate } from '../assignment/evaluate';
import { AuditEntryConnection } from '../audit/audit.resolver';
import { AuditEntityType, listAudit } from '../audit/audit.service';
import { KeyVersionArgs } from '../common/key-version.args';
import { Connection } from '../common/pagination';
import type { RequestContext } from '../common/context';
import { Role, type Principal } from '../auth/principal';

@ObjectType()
class EntitlementConnection extends Connection(Entitlement) {}

@ObjectType()
class EntitlementRuleConnection extends Connection(EntitlementRule) {}

const caller = (ctx: RequestContext) => ctx.principal as Principal;

/**
 * Returns once this instance's snapshot holds the change (other instances follow through NOTIFY),
 * so that a resolve on this instance right after the mutation sees it: read-your-writes.
 */
async function inForce<T>(ctx: RequestContext, change: Promise<T>, userId?: (result: T) => string): Promise<T> {
  const result = await change;
  await ctx.snapshots.refresh();
  if (userId) ctx.userStates.invalidate([userId(result)]);
  return result;
}
const grantedUser = (grant: UserGrant) => grant.userId;

@Resolver(() => Entitlement)
export class EntitlementResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Entitlement, { description: 'A catalogue entry. NOT_FOUND when there is none with this key.' })
  entitlement(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<Entitlement> {
    return getEntitlement(ctx.dataSource, key);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => EntitlementConnection, { description: 'The catalogue, newest first, at most 100 a page.' })
  entitlements(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => EntitlementFilter, { nullable: true }) filter?: EntitlementFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<EntitlementConnection> {
    return listEntitlements(ctx.dataSource, filter, first, after);
  }

  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Root() entitlement: Entitlement, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.ENTITLEMENT, entitlement.key, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Entitlement)
  createEntitlement(@Ctx() ctx: RequestContext, @Arg('input') input: CreateEntitlementInput): Promise<Entitlement> {
    return inForce(ctx, createEntitlement(ctx.dataSource, caller(ctx), input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Entitlement, { description: 'Changes the fields named; the kind is fixed.' })
  updateEntitlement(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('input') input: UpdateEntitlementInput): Promise<Entitlement> {
    return inForce(ctx, updateEntitlement(ctx.dataSource, caller(ctx), key, version, input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Entitlement, { description: 'Read-only from then on, and resolved for nobody. CONFLICT (IN_USE) while an active rule names it.' })
  archiveEntitlement(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<Entitlement> {
    return inForce(ctx, archiveEntitlement(ctx.dataSource, caller(ctx), key, version));
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => [UserGrant], { description: 'A user’s per-user grants and revocations, newest first: those in force, or with `all` also the expired and withdrawn.' })
  userGrants(@Ctx() ctx: RequestContext, @Arg('userId') userId: string, @Arg('all', { defaultValue: false }) all: boolean): Promise<UserGrant[]> {
    return listUserGrants(ctx.dataSource, userId, ctx.now(), all);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => AuditEntryConnection, { description: 'Every grant, revocation and withdrawal for one user, newest first.' })
  userGrantAuditLog(
    @Ctx() ctx: RequestContext,
    @Arg('userId') userId: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditEntryConnection> {
    return listAudit(ctx.dataSource.manager, AuditEntityType.USER_GRANT, userId, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserGrant, { description: 'Gives one user an entitlement, whatever the rules say, until `expiresAt` (or withdrawn).' })
  grantEntitlement(@Ctx() ctx: RequestContext, @Arg('input') input: GrantEntitlementInput): Promise<UserGrant> {
    return inForce(ctx, grantEntitlement(ctx.dataSource, caller(ctx), ctx.now(), input), grantedUser);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserGrant, { description: 'Takes an entitlement away from one user, whatever the rules say, until `expiresAt` (or withdrawn).' })
  revokeEntitlement(@Ctx() ctx: RequestContext, @Arg('input') input: UserGrantInput): Promise<UserGrant> {
    return inForce(ctx, revokeEntitlement(ctx.dataSource, caller(ctx), ctx.now(), input), grantedUser);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserGrant, { description: 'Ends a per-user grant or revocation early; it stays in the history.' })
  withdrawUserGrant(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason?: string | null): Promise<UserGrant> {
    return inForce(ctx, withdrawUserGrant(ctx.dataSource, caller(ctx), id, reason ?? null), grantedUser);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => EntitlementExplanationType, { description: 'Why a user has what: every rule considered and every per-user grant, read afresh. Records no exposure.' })
  async explainEntitlements(@Ctx() ctx: RequestContext, @Arg('user', { validate: false }) input: UserContextInput): Promise<EntitlementExplanationType> {
    // The tier as resolve takes it: an uncatalogued one counts as none.
    const { user } = withKnownTier(ctx.snapshots, userContext(input, 'user'));
    const now = ctx.now();
    const state = await ctx.userStates.fresh(user.id);
    const grantRows = new Map((await listUserGrants(ctx.dataSource, user.id, now, true)).map((grant) => [grant.id, grant]));
    const explanation = explainEntitlements({
      config: ctx.snapshots.entitlements(),
      user,
      experiments: evaluate(ctx.snapshots.current(), user).experiments,
      facts: state.facts,
      grants: state.grants,
      now: now.getTime(),
    });
    return {
      userId: user.id,
      evaluatedAt: now,
      lastActiveAt: state.facts.lastActiveAt === null ? null : new Date(state.facts.lastActiveAt),
      daysSinceLastActive: explanation.daysSinceLastActive,
      entitlements: explanation.entitlements,
      rules: explanation.rules,
      userGrants: explanation.userGrants.flatMap(({ grant, status }) => {
        const row = grantRows.get(grant.id);
        return row ? [{ grant: row, status }] : [];
      }),
    };
  }
}

@Resolver(() => EntitlementRule)
export class EntitlementRuleResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => EntitlementRule, { description: 'NOT_FOUND when there is none with this key.' })
  entitlementRule(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<EntitlementRule> {
    return getRule(ctx.dataSource, key);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => EntitlementRuleConnection, { description: 'Newest first, at most 100 a page.' })
  entitlementRules(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => EntitlementRuleFilter, { nullable: true }) filter?: EntitlementRuleFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<EntitlementRuleConnection> {
    return listRules(ctx.dataSource, filter, first, after);
  }

  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Root() rule: EntitlementRule, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.ENTITLEMENT_RULE, rule.key, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => EntitlementRule)
  createEntitlementRule(@Ctx() ctx: RequestContext, @Arg('input') input: CreateEntitlementRuleInput): Promise<EntitlementRule> {
    return inForce(ctx, createRule(ctx.dataSource, caller(ctx), input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => EntitlementRule, { description: 'Changes the fields named; a list given replaces the old one. The effect is fixed.' })
  updateEntitlementRule(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('input') input: UpdateEntitlementRuleInput): Promise<EntitlementRule> {
    return inForce(ctx, updateRule(ctx.dataSource, caller(ctx), key, version, input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => EntitlementRule)
  setEntitlementRuleEnabled(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('enabled') enabled: boolean): Promise<EntitlementRule> {
    return inForce(ctx, setRuleEnabled(ctx.dataSource, caller(ctx), key, version, enabled));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => EntitlementRule, { description: 'Turns the rule off for good: read-only, and considered no more.' })
  archiveEntitlementRule(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<EntitlementRule> {
    return inForce(ctx, archiveRule(ctx.dataSource, caller(ctx), key, version));
  }
}
