import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ResolutionType, UserContextInput } from './resolve.types';
import { evaluate } from './evaluate';
import { AssignmentErrorReason, assignmentError } from './assignment.errors';
import { SLUG_PATTERN } from '../targeting/targeting.rules';
import type { ConfigSnapshot, UserContext } from './snapshot';
import type { RequestContext } from '../common/context';
import { Role } from '../auth/principal';
import { assertRole } from '../auth/auth-checker';

/** resolve and resolveMany check these themselves: see usePlainResolveResolvers. */
const RESOLVE_ROLES = [Role.SDK, Role.ADMIN];

export const MAX_USERS_PER_CALL = 1_000;

/** The user as the engine takes it, once its three rules hold. */
function userContext(input: UserContextInput, field: string): UserContext {
  if (input.id.length < 1 || input.id.length > 200) throw assignmentError(AssignmentErrorReason.INVALID_USER, 'id must be 1 to 200 characters', `${field}.id`);
  if (input.tier != null && !SLUG_PATTERN.test(input.tier)) throw assignmentError(AssignmentErrorReason.INVALID_USER, 'tier must be a slug', `${field}.tier`);
  const attributes = input.attributes ?? {};
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw assignmentError(AssignmentErrorReason.INVALID_USER, 'attributes must be a JSON object', `${field}.attributes`);
  }
  return { id: input.id, tier: input.tier ?? null, attributes };
}

/** Evaluates against the in-memory snapshot (no database) and queues the exposures. */
function resolveOne(ctx: RequestContext, snapshot: ConfigSnapshot, user: UserContext, at: Date): ResolutionType {
  const resolution = evaluate(snapshot, user);
  ctx.exposures.record(user, resolution, at);
  return { ...resolution, experiments: resolution.experiments as ResolutionType['experiments'], flags: resolution.flags as ResolutionType['flags'], entitlements: [] };
}

@Resolver()
export class ResolveResolver {
  @Query(() => ResolutionType, { description: 'One user’s variants in every running experiment, flag values and entitlements. Reads no database.' })
  resolve(@Ctx() ctx: RequestContext, @Arg('user', { validate: false }) user: UserContextInput): ResolutionType {
    assertRole(ctx.principal, RESOLVE_ROLES);
    return resolveOne(ctx, ctx.snapshots.current(), userContext(user, 'user'), new Date());
  }

  @Query(() => [ResolutionType], { description: `The same for up to ${MAX_USERS_PER_CALL} users, in order, against one snapshot.` })
  resolveMany(@Ctx() ctx: RequestContext, @Arg('users', () => [UserContextInput], { validate: false }) users: UserContextInput[]): ResolutionType[] {
    assertRole(ctx.principal, RESOLVE_ROLES);
    if (users.length > MAX_USERS_PER_CALL) {
      throw assignmentError(AssignmentErrorReason.TOO_MANY_USERS, `At most ${MAX_USERS_PER_CALL} users per call, got ${users.length}`, 'users');
    }
    const snapshot = ctx.snapshots.current();
    const at = new Date();
    return users.map((user, i) => resolveOne(ctx, snapshot, userContext(user, `users.${i}`), at));
  }

  @Authorized(Role.SDK, Role.ADMIN)
  @Query(() => GraphQLJSON, {
    description: 'The running configuration as JSON, for evaluating in-process with the same pure module the server uses (src/assignment/evaluate.ts).',
  })
  sdkConfig(@Ctx() ctx: RequestContext): ConfigSnapshot {
    return ctx.snapshots.current();
  }
}

/**
 * type-graphql runs every resolver that takes arguments asynchronously (its argument validation is
 * an async function even when switched off), after copying the arguments into class instances and
 * through a middleware chain when @Authorized: on resolve, the hot path, that was a sixth of a
 * request. So resolve and resolveMany check their roles themselves, and the built schema calls
 * them directly, with graphql's arguments as they are (they only read the fields).
 */
export function usePlainResolveResolvers(schema: GraphQLSchema): void {
  const fields = schema.getQueryType()!.getFields();
  const resolver = new ResolveResolver();
  fields.resolve.resolve = (_root, args, ctx: RequestContext) => resolver.resolve(ctx, args.user);
  fields.resolveMany.resolve = (_root, args, ctx: RequestContext) => resolver.resolveMany(ctx, args.users);
}
