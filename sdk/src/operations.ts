/**
 * The GraphQL operations the SDK sends, each with the type of its answer. They select exactly
 * what the types in types.ts declare.
 */
import type { Transport } from './transport';
import type { Entitlement, ExposureInput, Resolution, SdkConfig, User } from './types';
import type { ExperimentAssignment, FlagEvaluation } from '../../src/engine';

const RESOLUTION_FIELDS = `userId inHoldout
  experiments { experimentKey variantKey payload phase reason }
  flags { key value variant reason errorCode }
  entitlements { key kind value period source sourceType expiresAt }`;

export const RESOLVE = `query UpliftResolve($user: UserContextInput!) { resolve(user: $user) { ${RESOLUTION_FIELDS} } }`;
export const RESOLVE_MANY = `query UpliftResolveMany($users: [UserContextInput!]!) { resolveMany(users: $users) { ${RESOLUTION_FIELDS} } }`;
export const SDK_CONFIG = `query UpliftSdkConfig($userId: String) { sdkConfig(userId: $userId) }`;
export const TRACK_EVENTS = `mutation UpliftTrackEvents($events: [EventInput!]!) { trackEvents(events: $events) { accepted duplicates rejected { index id field message } } }`;
export const TRACK_EXPOSURES = `mutation UpliftTrackExposures($exposures: [ExposureInput!]!) { trackExposures(exposures: $exposures) { accepted duplicates rejected { index field message } } }`;

interface WireFlag extends Omit<FlagEvaluation, 'errorCode'> {
  errorCode: string | null;
}
interface WireResolution {
  userId: string;
  inHoldout: boolean;
  experiments: ExperimentAssignment[];
  flags: WireFlag[];
  entitlements: Entitlement[] | null;
}

/** GraphQL spells an absent error code as null; the engine leaves it out. The SDK answers as the engine does, in both modes. */
function fromWire(resolution: WireResolution): Resolution {
  return {
    ...resolution,
    flags: resolution.flags.map(({ errorCode, ...flag }) => (errorCode === null ? flag : { ...flag, errorCode })),
  };
}

export interface EventWire {
  id: string;
  userId: string;
  type: string;
  value: number | null;
  properties: Record<string, unknown> | null;
  occurredAt: string;
}

export interface TrackResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; field: string; message: string }[];
}

export const operations = {
  async resolve(transport: Transport, user: User): Promise<Resolution> {
    const data = await transport.graphql<{ resolve: WireResolution }>(RESOLVE, { user });
    return fromWire(data.resolve);
  },
  async resolveMany(transport: Transport, users: User[]): Promise<Resolution[]> {
    const data = await transport.graphql<{ resolveMany: WireResolution[] }>(RESOLVE_MANY, { users });
    return data.resolveMany.map(fromWire);
  },
  async sdkConfig(transport: Transport, userId?: string): Promise<SdkConfig> {
    return (await transport.graphql<{ sdkConfig: SdkConfig }>(SDK_CONFIG, { userId: userId ?? null })).sdkConfig;
  },
  async trackEvents(transport: Transport, events: EventWire[]): Promise<TrackResult> {
    return (await transport.graphql<{ trackEvents: TrackResult }>(TRACK_EVENTS, { events })).trackEvents;
  },
  async trackExposures(transport: Transport, exposures: ExposureInput[]): Promise<TrackResult> {
    return (await transport.graphql<{ trackExposures: TrackResult }>(TRACK_EXPOSURES, { exposures })).trackExposures;
  },
};
