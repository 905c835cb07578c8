import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Flag } from './flag.entity';
import { CreateFlagInput, FlagFilter, FlagRule, FlagRuleKind, UpdateFlagInput } from './flag.inputs';
import { archiveFlag, createFlag, getFlag, listFlags, setFlagEnabled, updateFlag } from './flag.service';
import { AuditEntryConnection } from '../audit/audit.resolver';
import { AuditEntityType, listAudit } from '../audit/audit.service';
import { KeyVersionArgs } from '../common/key-version.args';
import { Connection } from '../common/pagination';
import type { RequestContext } from '../common/context';
import { Role, type Principal } from '../auth/principal';

@ObjectType()
class FlagConnection extends Connection(Flag) {}

const caller = (ctx: RequestContext) => ctx.principal as Principal;

@Resolver(() => Flag)
export class FlagResolver {
  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => Flag, { description: 'NOT_FOUND when there is none with this key.' })
  flag(@Ctx() ctx: RequestContext, @Arg('key') key: string): Promise<Flag> {
    return getFlag(ctx.dataSource, key);
  }

  @Authorized(Role.ADMIN, Role.ANALYST)
  @Query(() => FlagConnection, { description: 'Newest first, at most 100 a page.' })
  flags(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => FlagFilter, { nullable: true }) filter?: FlagFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<FlagConnection> {
    return listFlags(ctx.dataSource, filter, first, after);
  }

  @FieldResolver(() => [FlagRule])
  rules(@Root() flag: Flag): FlagRule[] {
    return flag.rules.map((rule) =>
      rule.kind === 'EXPERIMENT'
        ? {
            id: rule.id,
            kind: FlagRuleKind.EXPERIMENT,
            targeting: rule.targeting,
            experimentKey: rule.experimentKey,
            variantValues: Object.entries(rule.values).map(([variantKey, value]) => ({ variantKey, value })),
          }
        : { ...rule, kind: rule.kind as FlagRuleKind },
    );
  }

  @FieldResolver(() => AuditEntryConnection, { description: 'Every change, newest first.' })
  auditLog(@Ctx() ctx: RequestContext, @Root() flag: Flag, @Arg('first', () => Int, { nullable: true }) first?: number, @Arg('after', () => String, { nullable: true }) after?: string) {
    return listAudit(ctx.dataSource.manager, AuditEntityType.FLAG, flag.key, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Flag)
  createFlag(@Ctx() ctx: RequestContext, @Arg('input') input: CreateFlagInput): Promise<Flag> {
    return createFlag(ctx.dataSource, caller(ctx), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Flag, { description: 'Changes the fields named; `rules` replaces all rules.' })
  updateFlag(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('input') input: UpdateFlagInput): Promise<Flag> {
    return updateFlag(ctx.dataSource, caller(ctx), key, version, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Flag, { description: 'Off serves the default value to everyone.' })
  setFlagEnabled(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs, @Arg('enabled') enabled: boolean): Promise<Flag> {
    return setFlagEnabled(ctx.dataSource, caller(ctx), key, version, enabled);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Flag, { description: 'Turns the flag off for good: read-only, and left out of resolution.' })
  archiveFlag(@Ctx() ctx: RequestContext, @Args() { key, version }: KeyVersionArgs): Promise<Flag> {
    return archiveFlag(ctx.dataSource, caller(ctx), key, version);
  }
}
