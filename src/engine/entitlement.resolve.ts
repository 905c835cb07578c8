/**
 * The resolve path: the user's entitlements on the compiled catalogue's places, memoised per user
 * while their facts, grants and what the rules read stay the same.
 */
import type { ExperimentAssignment, JsonValue } from './snapshot';
import { DAY_MS, type EntitlementInput, type ResolvedEntitlement } from './entitlement.model';
import {
  compiled, factMemo, FactView, userDecisions, userGranted,
  type CompiledConfig, type CompiledRule, type Env, type FactMemo, type ResolutionMemo, type SlotGrant,
} from './entitlement.compile';

/** A place decided by a per-user grant or revocation, or removed by a deny rule: no rule can win it. */
const CLOSED = 0;
/** Per catalogue place: undefined while open, CLOSED, or the grant winning it so far. */
type Place = SlotGrant | typeof CLOSED | undefined;

const inForce = (rule: CompiledRule, now: number) => now >= rule.validFrom && now < rule.validUntil;

function anyOpen(places: readonly Place[], slots: readonly number[]): boolean {
  for (const slot of slots) if (places[slot] === undefined) return true;
  return false;
}

/** Rules come by priority, so the first to grant wins, except that a QUOTA goes to the largest limit. */
function wins(places: readonly Place[], grant: SlotGrant): boolean {
  const current = places[grant.slot];
  return current === undefined || (grant.quota && current !== CLOSED && (grant.value as number) > (current.value as number));
}

function anyWins(places: readonly Place[], grants: readonly SlotGrant[]): boolean {
  for (const grant of grants) if (wins(places, grant)) return true;
  return false;
}

/**
 * The user's entitlements, in catalogue order. The resolve path: the same decision as `decide` and
 * `listResolved` (which explanations use; a test holds the two to the same answers), on the
 * catalogue's places instead of maps, with each rule's answers built once per snapshot. A rule
 * whose every entitlement is already decided beyond its reach is not evaluated: conditions are
 * pure, so skipping them changes nothing. A cached user asked for again with the same inputs gets
 * the answer kept with their facts (ResolutionMemo). Answers are frozen: they are shared.
 */
export function resolveEntitlements(input: EntitlementInput): readonly ResolvedEntitlement[] {
  const config = compiled(input.config);
  if (config.entries.length === 0) return NOTHING;
  const memo = input.facts === null ? null : factMemo(input.facts, Math.floor(input.now / DAY_MS), config.measures);
  const known = memo?.resolution;
  if (known !== undefined && sameInputs(config, known, input)) return known.answer;
  const answer = Object.freeze(decideOnPlaces(config, input, memo));
  if (memo !== null) memo.resolution = resolutionMemo(config, input, answer);
  return answer;
}

const NOTHING: readonly ResolvedEntitlement[] = Object.freeze([]);
const NO_ATTRIBUTES: Record<string, JsonValue> = {};

function variantIn(experiments: readonly ExperimentAssignment[], experimentKey: string): string | null {
  for (const assignment of experiments) if (assignment.experimentKey === experimentKey) return assignment.variantKey;
  return null;
}

function sameInputs(config: CompiledConfig, memo: ResolutionMemo, input: EntitlementInput): boolean {
  if (input.now < memo.from || input.now >= memo.until || input.grants !== memo.grants || (input.user.tier ?? null) !== memo.tier) return false;
  const attributes = input.user.attributes ?? NO_ATTRIBUTES;
  for (let i = 0; i < config.readsAttributes.length; i++) if (config.readsAttributes[i](attributes) !== memo.attributes[i]) return false;
  for (let i = 0; i < config.readsVariantsOf.length; i++) if (variantIn(input.experiments, config.readsVariantsOf[i]) !== memo.variants[i]) return false;
  return true;
}

/**
 * The memo of this answer; none when an attribute the rules read is an object or an array, which
 * could change in place while staying the same object.
 */
function resolutionMemo(config: CompiledConfig, input: EntitlementInput, answer: readonly ResolvedEntitlement[]): ResolutionMemo | undefined {
  const attributes = config.readsAttributes.map((read) => read(input.user.attributes ?? NO_ATTRIBUTES));
  if (attributes.some((value) => typeof value === 'object' && value !== null)) return undefined;
  // Days need no bound here: the FactMemo holding this is for one day.
  const now = input.now;
  let from = -Infinity;
  let until = Infinity;
  const bound = (time: number) => {
    if (time <= now) from = Math.max(from, time);
    else until = Math.min(until, time);
  };
  config.boundaries.forEach(bound);
  for (const grant of input.grants) if (grant.expiresAt !== null) bound(grant.expiresAt);
  return {
    grants: input.grants,
    tier: input.user.tier ?? null,
    attributes,
    variants: config.readsVariantsOf.map((key) => variantIn(input.experiments, key)),
    from,
    until,
    answer,
  };
}

function decideOnPlaces(config: CompiledConfig, input: EntitlementInput, memo: FactMemo | null): ResolvedEntitlement[] {
  const entries = config.entries;
  const now = input.now;
  const env: Env = { user: input.user, experiments: input.experiments, facts: new FactView(input.facts, now, config.measures, memo) };
  const places: Place[] = new Array(entries.length);
  const userDecided = input.grants.length === 0 ? null : userDecisions(config.catalogue, input.grants, now);
  if (userDecided !== null) {
    for (let slot = 0; slot < entries.length; slot++) if (userDecided.has(entries[slot].key)) places[slot] = CLOSED;
  }
  for (const deny of config.slotDenyRules) {
    if (!anyOpen(places, deny.slots) || !inForce(deny.rule, now) || !deny.rule.holds(env)) continue;
    for (const slot of deny.slots) places[slot] = CLOSED;
  }
  for (const grantRule of config.slotGrantRules) {
    if (!anyWins(places, grantRule.grants) || !inForce(grantRule.rule, now) || !grantRule.rule.holds(env)) continue;
    for (const grant of grantRule.grants) if (wins(places, grant)) places[grant.slot] = grant;
  }
  const resolved: ResolvedEntitlement[] = [];
  for (let slot = 0; slot < entries.length; slot++) {
    const place = places[slot];
    if (place === undefined) continue;
    if (place !== CLOSED) {
      resolved.push(place.resolved);
      continue;
    }
    const grant = userDecided?.get(entries[slot].key);
    if (grant?.effect === 'GRANT') resolved.push(Object.freeze(userGranted(entries[slot], grant)));
  }
  return resolved;
}

