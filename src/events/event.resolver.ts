import { Arg, Authorized, Ctx, Field, Float, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { MAX_EVENTS_PER_CALL, validateEvents } from './event.rules';
import { AnalyticsStore } from '../analytics/analytics.store';
import { EventErrorReason, eventError } from './event.errors';
import type { RequestContext } from '../common/context';
import { Role } from '../auth/principal';

/** Loosely typed on purpose: each event is checked on its own, so that one bad event does not refuse the batch. */
@InputType()
class EventInput {
  @Field({ description: 'Your unique id for the event: sending it again is harmless (retries).' })
  id!: string;

  @Field()
  userId!: string;

  @Field({ description: 'e.g. `app_open`, `payment`, `post`, `comment`, `reward_cost`.' })
  type!: string;

  @Field(() => Float, { nullable: true, description: 'An amount, e.g. the payment or the reward’s cost.' })
  value?: number | null;

  @Field(() => GraphQLJSON, { nullable: true })
  properties?: unknown;

  @Field({ description: 'ISO 8601 date-time; at most an hour ahead of the server, at most 400 days old.' })
  occurredAt!: string;
}

@ObjectType()
class RejectedEvent {
  @Field(() => Int, { description: 'Position in the batch.' })
  index!: number;

  @Field()
  id!: string;

  @Field()
  field!: string;

  @Field()
  message!: string;
}

@ObjectType()
class TrackEventsResult {
  @Field(() => Int, { description: 'New events stored.' })
  accepted!: number;

  @Field(() => Int, { description: 'Valid events whose id was already stored: not stored twice.' })
  duplicates!: number;

  @Field(() => [RejectedEvent])
  rejected!: RejectedEvent[];
}

@Resolver()
export class EventResolver {
  @Authorized(Role.SDK, Role.CLIENT, Role.ADMIN)
  @Mutation(() => TrackEventsResult, { description: `Up to ${MAX_EVENTS_PER_CALL} events per call. Idempotent by event id.` })
  async trackEvents(
    @Ctx() ctx: RequestContext,
    // class-validator would only walk a thousand instances with no constraints: validateEvents judges each event.
    @Arg('events', () => [EventInput], { validate: false }) events: EventInput[],
  ): Promise<TrackEventsResult> {
    if (events.length > MAX_EVENTS_PER_CALL) {
      throw eventError(EventErrorReason.TOO_MANY_EVENTS, `At most ${MAX_EVENTS_PER_CALL} events per call, got ${events.length}`, 'events');
    }
    const { rows, rejected } = validateEvents(events, ctx.now().getTime());
    const accepted = await new AnalyticsStore(ctx.dataSource.manager).insertEvents(rows);
    // Their behavioural facts changed: this instance reads them afresh (others within the cache's lifetime).
    ctx.userStates.invalidate(new Set(rows.map((row) => row.userId)));
    return { accepted, duplicates: rows.length - accepted, rejected };
  }
}
