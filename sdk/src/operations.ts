/**
 * The GraphQL operations the SDK sends (operations.graphql), through the typed documents
 * `npm run codegen` generates from them: variables and answers are typed from the schema, and
 * turning an answer into the SDK's public types (types.ts) is checked by the compiler, so a schema
 * change that the public types do not follow fails the build rather than an app.
 */
import { UpliftError } from './errors';
import type { Transport } from './transport';
import type { ExposureInput, Resolution, User } from './types';
import type { ExperimentAssignment, FlagEvaluation } from '../../src/engine';
import {
  UpliftResolveDocument,
  UpliftResolveManyDocument,
  UpliftTrackEventsDocument,
  UpliftTrackExposuresDocument,
  type EventInput,
  type TypedDocumentString,
  type UpliftResolutionFragment,
} from './operations.generated';

/** An event as trackEvents takes it. */
export type EventWire = EventInput;

function send<Result, Variables extends Record<string, unknown>>(transport: Transport, document: TypedDocumentString<Result, Variables>, variables: Variables): Promise<Result> {
  return transport.graphql<Result>(document.toString(), variables);
}

type WireAssignment = UpliftResolutionFragment['experiments'][number];
type WireFlag = UpliftResolutionFragment['flags'][number];

/** The schema types an assignment's reason as any resolution reason; the engine only ever assigns by split or by a forced assignment. */
function assignmentFromWire(assignment: WireAssignment): ExperimentAssignment {
  const { reason } = assignment;
  if (reason !== 'SPLIT' && reason !== 'TARGETING_MATCH') {
    throw new UpliftError('INVALID_RESPONSE', `Uplift assigned experiment "${assignment.experimentKey}" with reason ${reason}`);
  }
  return { ...assignment, reason };
}

/** GraphQL spells an absent error code as null; the engine leaves it out. The SDK answers as the engine does, in both modes. */
function flagFromWire({ errorCode, ...flag }: WireFlag): FlagEvaluation {
  return errorCode === null ? flag : { ...flag, errorCode };
}

function fromWire(resolution: UpliftResolutionFragment): Resolution {
  return {
    userId: resolution.userId,
    inHoldout: resolution.inHoldout,
    experiments: resolution.experiments.map(assignmentFromWire),
    flags: resolution.flags.map(flagFromWire),
    entitlements: resolution.entitlements,
  };
}

export const operations = {
  async resolve(transport: Transport, user: User): Promise<Resolution> {
    return fromWire((await send(transport, UpliftResolveDocument, { user })).resolve);
  },
  async resolveMany(transport: Transport, users: User[]): Promise<Resolution[]> {
    return (await send(transport, UpliftResolveManyDocument, { users })).resolveMany.map(fromWire);
  },
  async trackEvents(transport: Transport, events: EventWire[]) {
    return (await send(transport, UpliftTrackEventsDocument, { events })).trackEvents;
  },
  async trackExposures(transport: Transport, exposures: ExposureInput[]) {
    return (await send(transport, UpliftTrackExposuresDocument, { exposures })).trackExposures;
  },
};
