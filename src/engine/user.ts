/**
 * What makes a user context acceptable: checked by the server's resolve and by the SDK's local
 * mode alike, so both refuse the same users with the same messages.
 */
import type { JsonValue, UserContext } from './snapshot';

/** Lower-case letters and digits, joined by - or _: keys and tiers. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

export interface UserInput {
  id: string;
  tier?: string | null;
  attributes?: Record<string, JsonValue> | null;
}

/** The first problem with a user, with the field below the user it concerns, or null. */
export function userProblem(input: UserInput): { field: 'id' | 'tier' | 'attributes'; message: string } | null {
  if (typeof input.id !== 'string' || input.id.length < 1 || input.id.length > 200) return { field: 'id', message: 'id must be 1 to 200 characters' };
  if (input.tier != null && (typeof input.tier !== 'string' || !SLUG_PATTERN.test(input.tier))) return { field: 'tier', message: 'tier must be a slug' };
  const attributes = input.attributes ?? {};
  if (typeof attributes !== 'object' || Array.isArray(attributes)) return { field: 'attributes', message: 'attributes must be a JSON object' };
  return null;
}

/** The user as the engine takes it; call only once userProblem found nothing. */
export function toUserContext(input: UserInput): UserContext {
  return { id: input.id, tier: input.tier ?? null, attributes: input.attributes ?? {} };
}
