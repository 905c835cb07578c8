import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ResolutionType, UserContextInput } from './resolve.types';
import { resolveEntitlements, stateNeeds } from '../engine/entitlements';
import type { UserState } from '../entitlements/entitlement.snapshot';
import { evaluate } from './evaluate';
import { AssignmentErrorReason, assignmentError } from './assignment.errors';
import { toUserContext, userProblem } from '../engine/user';
import type { ConfigSnapshot, UserContext } from './snapshot';
import { sdkConfigFor, type SdkConfigPayload } from './sdk-config';
import type { RequestContext } from '../common/context';
import { Role } from '../auth/principal';
import { assertRole } from '../auth/auth-checker';
import { resolvedTier } from '../tiers/tier.rules';
import type { SnapshotService } from './snapshot.service';

/** resolve and resolveMany check these themselves: see usePlainResolveResolvers. */
const RESOLVE_ROLES = [Role.SDK, Role.CLIENT, Role.ADMIN];
/** Many users at once is a server's need (prefetching, batch jobs), not a public key's. */
const RESOLVE_MANY_ROLES = [Role.SDK, Role.ADMIN];

export const MAX_USERS_PER_CALL = 1_000;

/** The user as the engine takes it, once its three rules (shared with the SDK: src/engine/user.ts) hold. */
export function userContext(input: UserContextInput, field: string): UserContext {
  const problem = userProblem(input);
  if (problem) throw assignmentError(AssignmentErrorReason.INVALID_USER, problem.message, `${field}.${problem.field}`);
  return toUserContext(input);
}

type Answer = ResolutionType | Promise<ResolutionType>;

/** Shared by every answer without warnings (never mutated): no allocation on the hot path. */
const NO_WARNINGS: string[] = [];

/**
 * The user with a tier the catalogue knows, or with none: an app may send a tier before an admin
 * catalogued it, and that user is then resolved as untiered (never refused), with a warning.
 */
export function withKnownTier(snapshots: SnapshotService, user: UserContext): { user: UserContext; warnings: string[] } {
  if (user.tier == null) return { user, warnings: NO_WARNINGS };
  const { tier, warning } = resolvedTier(user.tier, snapshots.tiers());
  if (warning === null) return { user, warnings: NO_WARNINGS };
  return { user: { ...user, tier }, warnings: [warning] };
}

/**
 * Evaluates against the in-memory snapshot and queues the exposures; entitlements need the user's
 * behavioural facts and grants only when some rule or grant could use them, and then come from
 * the user-state cache when fresh (no promise, no I/O) or from one batched read.
 */
function resolveOne(ctx: RequestContext, snapshot: ConfigSnapshot, sent: UserContext, at: Date): Answer {
  const { user, warnings } = withKnownTier(ctx.snapshots, sent);
  if (warnings !== NO_WARNINGS) ctx.snapshots.unknownTiers.count(sent.tier!);
  const resolution = evaluate(snapshot, user);
  ctx.exposures.record(user, resolution, at);
  const config = ctx.snapshots.entitlements();
  const needs = stateNeeds(config);
  const answer = (state: UserState | null): ResolutionType => ({
    userId: resolution.userId,
    inHoldout: resolution.inHoldout,
    experiments: resolution.experiments,
    flags: resolution.flags,
    entitlements: resolveEntitlements({
      config,
      user,
      experiments: resolution.experiments,
      facts: state?.facts ?? null,
      grants: state?.grants ?? [],
      now: at.getTime(),
    }),
    warnings,
  });
  if (!needs.facts && !needs.grants) return answer(null);
  const cached = ctx.userStates.peek(user.id);
  if (cached) return answer(cached);
  return ctx.userStates.load(user.id).then(answer, (error: unknown) => {
    ctx.logger.warn({ err: error, userId: user.id }, 'could not read a user’s behavioural facts and grants; answering without entitlements');
    return { ...answer(null), entitlements: null };
  });
}

@Resolver()
export class ResolveResolver {
  @Query(() => ResolutionType, {
    description: 'One user’s variants in every running experiment, flag values and entitlements. Reads no database, except the user’s behavioural facts and grants when rules need them (cached).',
  })
  resolve(@Ctx() ctx: RequestContext, @Arg('user', { validate: false }) user: UserContextInput): Answer {
    assertRole(ctx.principal, RESOLVE_ROLES);
    return resolveOne(ctx, ctx.snapshots.current(), userContext(user, 'user'), ctx.now());
  }

  @Query(() => [ResolutionType], { description: `The same for up to ${MAX_USERS_PER_CALL} users, in order, against one snapshot and one instant; the users’ facts are read in one query.` })
  resolveMany(@Ctx() ctx: RequestContext, @Arg('users', () => [UserContextInput], { validate: false }) users: UserContextInput[]): ResolutionType[] | Promise<ResolutionType[]> {
    assertRole(ctx.principal, RESOLVE_MANY_ROLES);
    if (users.length > MAX_USERS_PER_CALL) {
      throw assignmentError(AssignmentErrorReason.TOO_MANY_USERS, `At most ${MAX_USERS_PER_CALL} users per call, got ${users.length}`, 'users');
    }
    const snapshot = ctx.snapshots.current();
    const at = ctx.now();
    // Every user is checked before any is resolved: a refused call logs no exposures.
    const contexts = users.map((user, i) => userContext(user, `users.${i}`));
    const answers = contexts.map((user) => resolveOne(ctx, snapshot, user, at));
    return answers.some((answer) => answer instanceof Promise) ? Promise.all(answers) : (answers as ResolutionType[]);
  }

  @Authorized(Role.SDK, Role.CLIENT, Role.ADMIN)
  @Query(() => GraphQLJSON, {
    description:
      'The running configuration as JSON (with `schemaVersion`), for evaluating in-process with the engine the server runs (src/engine, bundled in @uplift/sdk). ' +
      'Server-side (SDK) keys get all of it, forced assignments included. Client-side (CLIENT) keys must name the one user they evaluate (`userId`) ' +
      'and get only that user’s forced assignments. No key gets the entitlement rules: entitlements come from resolve.',
  })
  sdkConfig(
    @Ctx() ctx: RequestContext,
    @Arg('userId', () => String, { nullable: true, description: 'CLIENT keys: the user this configuration is for (required). Other keys: ignored.' }) userId?: string | null,
  ): SdkConfigPayload {
    return sdkConfigFor(ctx.snapshots.current(), { clientSide: ctx.principal?.role === Role.CLIENT, userId });
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
