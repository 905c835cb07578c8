import type { EventRow } from '../analytics/analytics.model';
import { inputProblem } from '../input/input.rules';

export const MAX_EVENTS_PER_CALL = 5_000;
const MAX_PROPERTIES_BYTES = 8_192;
/** Events may arrive late (offline apps), but not from the far past or the future. */
export const OLDEST_MS = 400 * 24 * 3600 * 1000;
export const CLOCK_SKEW_MS = 3600 * 1000;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.:-]{0,99}$/;

export interface EventInputShape {
  id: string;
  userId: string;
  type: string;
  value?: number | null;
  properties?: unknown;
  occurredAt: string;
}

export interface RejectedEvent {
  index: number;
  id: string;
  field: string;
  message: string;
}

/** The first problem with one event, or null. Pure: `now` is passed in. */
function eventProblem(event: EventInputShape, now: number): { field: string; message: string } | null {
  // The API's input rules, judged here per event rather than for the whole call (src/server/schema.ts).
  const unstorable = inputProblem(event);
  if (unstorable) return { field: unstorable.field, message: unstorable.message };
  if (event.id.length < 1 || event.id.length > 100) return { field: 'id', message: 'must be 1 to 100 characters' };
  if (event.userId.length < 1 || event.userId.length > 200) return { field: 'userId', message: 'must be 1 to 200 characters' };
  if (!EVENT_TYPE_PATTERN.test(event.type)) return { field: 'type', message: 'must be lower-case letters, digits, _ . : or -, starting with a letter' };
  if (event.value !== undefined && event.value !== null && !Number.isFinite(event.value)) return { field: 'value', message: 'must be a finite number' };
  const properties = event.properties ?? null;
  if (properties !== null && (typeof properties !== 'object' || Array.isArray(properties))) return { field: 'properties', message: 'must be a JSON object' };
  if (properties !== null && JSON.stringify(properties).length > MAX_PROPERTIES_BYTES) return { field: 'properties', message: `larger than ${MAX_PROPERTIES_BYTES} bytes` };
  const at = Date.parse(event.occurredAt);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(event.occurredAt) || Number.isNaN(at)) return { field: 'occurredAt', message: 'must be an ISO 8601 date-time' };
  if (at > now + CLOCK_SKEW_MS) return { field: 'occurredAt', message: 'is in the future' };
  if (at < now - OLDEST_MS) return { field: 'occurredAt', message: 'is more than 400 days old' };
  return null;
}

/** Splits a batch into rows to store and per-item refusals, so one bad event does not sink the others. */
export function validateEvents(events: EventInputShape[], now: number): { rows: EventRow[]; rejected: RejectedEvent[] } {
  const rows: EventRow[] = [];
  const rejected: RejectedEvent[] = [];
  events.forEach((event, index) => {
    const problem = eventProblem(event, now);
    if (problem) {
      rejected.push({ index, id: event.id, ...problem });
      return;
    }
    rows.push({
      id: event.id,
      userId: event.userId,
      type: event.type,
      value: event.value ?? null,
      properties: (event.properties as Record<string, unknown> | undefined) ?? null,
      occurredAt: new Date(event.occurredAt),
    });
  });
  return { rows, rejected };
}
