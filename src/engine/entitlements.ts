/**
 * Entitlement resolution: which entitlements a user has, with what value and from where, and
 * why each rule did or did not apply. Pure: plain data in (configuration, the user, their
 * experiment variants, behavioural facts, per-user grants, the time), plain data out.
 *
 * Order: per-user grants and revocations first (the newest unexpired one per entitlement wins),
 * then deny rules (any applicable deny rule removes the entitlement), then grant rules: for a
 * QUOTA the largest limit wins, for every other kind the highest priority; ties go to the higher
 * priority, then to the rule key in alphabetical order.
 */
import { attributeReader, compileTargeting, type UserPredicate } from './targeting.evaluate';
import type { ExperimentAssignment, JsonValue, UserContext } from './snapshot';
import type {
  BehaviourConditionSnapshot,
  CatalogueEntry,
  Comparison,
  EntitlementConfig,
  EntitlementKind,
  EntitlementRuleSnapshot,
  QuotaPeriod,
  RuleEffect,
  UserFacts,
  UserGrantSnapshot,
} from './entitlement.model';

export const DAY_MS = 86_400_000;

export interface ResolvedEntitlement {
  key: string;
  kind: EntitlementKind;
  /** FEATURE: true; QUOTA: the limit (a number); COUPON: { amount, currency, minSpend }; CONFIG: any JSON. */
  value: JsonValue;
  period: QuotaPeriod | null;
  /** The rule key, or the per-user grant id. */
  source: string;
  sourceType: 'RULE' | 'USER_GRANT';
  /** The grant's expiry or the rule's validUntil; null when open-ended. */
  expiresAt: Date | null;
}

export type RuleStatus = 'APPLIED' | 'DISABLED' | 'NOT_YET_VALID' | 'EXPIRED' | 'CONDITIONS_NOT_MET';
export type RuleOutcome = 'GRANTED' | 'DENIED' | 'NOT_APPLIED' | 'OVERRIDDEN_BY_USER_GRANT' | 'DENIED_BY_RULE' | 'LESS_GENEROUS' | 'LOWER_PRIORITY' | 'NOT_IN_CATALOGUE';
export type UserGrantStatus = 'APPLIED' | 'EXPIRED' | 'SUPERSEDED' | 'NOT_IN_CATALOGUE';

export interface ConditionCheck {
  /** Human-readable, e.g. `sum of payment values over the last 30 days > 100`. */
  condition: string;
  held: boolean;
  /** What the user had: their tier, attribute values, variant, or the fact's value (null: none). */
  actual: JsonValue;
}

export interface RuleExplanation {
  ruleKey: string;
  effect: RuleEffect;
  priority: number;
  status: RuleStatus;
  /** Every condition, evaluated even when an earlier one failed or the rule is off. */
  conditions: ConditionCheck[];
  entitlements: { key: string; outcome: RuleOutcome; by: string | null }[];
}

export interface EntitlementExplanation {
  entitlements: ResolvedEntitlement[];
  rules: RuleExplanation[];
  userGrants: { grant: UserGrantSnapshot; status: UserGrantStatus }[];
  daysSinceLastActive: number | null;
}

export interface EntitlementInput {
  config: EntitlementConfig;
  user: UserContext;
  /** The user's experiments, from evaluate(). */
  experiments: readonly ExperimentAssignment[];
  /** Null when no enabled rule has a behavioural condition (then nothing was read). */
  facts: UserFacts | null;
  grants: readonly UserGrantSnapshot[];
  /** Epoch milliseconds. */
  now: number;
}

/** A total over a window: the number of events of some types, or the sum of their values. */
interface Measure {
  types: ReadonlySet<string>;
  windowDays: number;
  field: 'count' | 'sum';
}

/**
 * What was already computed for a user's facts (the same object while cached), for one day and one
 * configuration: totals, and the last resolution with what it was computed from.
 */
interface FactMemo {
  today: number;
  measures: readonly Measure[];
  values: (number | undefined)[];
  resolution?: ResolutionMemo;
}
const factMemos = new WeakMap<UserFacts, FactMemo>();

function factMemo(facts: UserFacts, today: number, measures: readonly Measure[]): FactMemo {
  let memo = factMemos.get(facts);
  if (memo === undefined || memo.today !== today || memo.measures !== measures) {
    memo = { today, measures, values: [] };
    factMemos.set(facts, memo);
  }
  return memo;
}

/**
 * A resolution and everything else it depends on: the grants (the same array while cached), what
 * the rules read of the user (the tier, the attributes their conditions name, the variants of the
 * experiments they name), and the span of time in which no validity window starts or ends and no
 * grant expires. Same facts, configuration and day (the FactMemo's), same all these: same answer.
 */
interface ResolutionMemo {
  grants: readonly UserGrantSnapshot[];
  tier: string | null;
  attributes: (JsonValue | undefined)[];
  variants: (string | null)[];
  from: number;
  until: number;
  answer: readonly ResolvedEntitlement[];
}

/** A user's behaviour seen from one day: days since last active, and totals over windows, each computed once. */
class FactView {
  private readonly today: number;
  private readonly values: (number | undefined)[];

  constructor(
    private readonly facts: UserFacts | null,
    now: number,
    private readonly measures: readonly Measure[],
    memo: FactMemo | null = facts === null ? null : factMemo(facts, Math.floor(now / DAY_MS), measures),
  ) {
    this.today = Math.floor(now / DAY_MS);
    this.values = memo === null ? [] : memo.values;
  }

  /** Whole UTC calendar days between the last event's day and today; null for a user never seen. */
  daysSinceLastActive(): number | null {
    const last = this.facts?.lastActiveAt;
    return last == null ? null : Math.max(0, this.today - Math.floor(last / DAY_MS));
  }

  /** Measure number `index` of the configuration. */
  total(index: number): number {
    const known = this.values[index];
    if (known !== undefined) return known;
    const { types, windowDays, field } = this.measures[index];
    const from = this.today - windowDays + 1;
    let total = 0;
    for (const row of this.facts?.days ?? []) {
      if (row.day >= from && row.day <= this.today && types.has(row.eventType)) total += row[field];
    }
    this.values[index] = total;
    return total;
  }
}

interface Env {
  user: UserContext;
  experiments: readonly ExperimentAssignment[];
  facts: FactView;
}

interface CompiledCheck {
  condition: string;
  /** The value compared (or shown); the check holds when `test` accepts it. */
  actual(env: Env): JsonValue;
  test(actual: JsonValue, env: Env): boolean;
}

interface CompiledRule {
  rule: EntitlementRuleSnapshot;
  validFrom: number;
  validUntil: number;
  /** All conditions at once, short-circuiting: the resolve path. */
  holds(env: Env): boolean;
  /** One by one, for explanations. */
  checks: CompiledCheck[];
}

/**
 * One entitlement a grant rule grants, as the resolve path reads it: its place in the catalogue,
 * its value, and the very answer served when this rule wins it (built once per snapshot, shared by
 * every request, so frozen).
 */
interface SlotGrant {
  slot: number;
  value: JsonValue;
  quota: boolean;
  resolved: Readonly<ResolvedEntitlement>;
}

/** An enabled rule as the resolve path reads it: only the entitlements in the catalogue, by place. */
interface SlotRule {
  rule: CompiledRule;
  /** Deny rules: the places it removes. */
  slots: number[];
  /** Grant rules: what it grants, in the rule's order. */
  grants: SlotGrant[];
}

interface CompiledConfig {
  catalogue: Map<string, CatalogueEntry>;
  /** The catalogue in order: place i of the resolve path's per-request array. */
  entries: CatalogueEntry[];
  /** Enabled rules only, by place in the catalogue: what resolveEntitlements runs. */
  slotDenyRules: SlotRule[];
  /** By priority (then key), as grantRules. */
  slotGrantRules: SlotRule[];
  /** What the enabled rules read of a user besides facts and grants, for ResolutionMemo. */
  readsAttributes: ReturnType<typeof attributeReader>[];
  readsVariantsOf: string[];
  /** The enabled rules' validity boundaries, epoch ms. */
  boundaries: number[];
  /** Grant rules by priority (then key), deny rules in any order. */
  grantRules: CompiledRule[];
  denyRules: CompiledRule[];
  /** In the configuration's order, for explanations. */
  rules: CompiledRule[];
  measures: Measure[];
  /** What resolve must read for a user: a summary window and event types, and whether per-user grants. */
  needs: StateNeeds;
}

export interface StateNeeds {
  /** Whether some enabled rule has a behavioural condition. */
  facts: boolean;
  /** The longest window of any enabled rule, in days (0: only days since last active). */
  lookbackDays: number;
  eventTypes: string[];
  grants: boolean;
}

const COMPARE: Record<Comparison, (actual: number, bound: number) => boolean> = {
  EQ: (a, b) => a === b,
  NEQ: (a, b) => a !== b,
  GT: (a, b) => a > b,
  GTE: (a, b) => a >= b,
  LT: (a, b) => a < b,
  LTE: (a, b) => a <= b,
};
const SYMBOL: Record<Comparison, string> = { EQ: '=', NEQ: '≠', GT: '>', GTE: '>=', LT: '<', LTE: '<=' };

/** Exact key first, then the dotted path: as targeting reads attributes. */
function attributeValue(attributes: Record<string, JsonValue> | undefined, name: string): JsonValue {
  if (!attributes) return null;
  if (Object.prototype.hasOwnProperty.call(attributes, name)) return attributes[name];
  let current: JsonValue | undefined = attributes;
  for (const segment of name.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, segment)) return null;
    current = current[segment];
  }
  return current ?? null;
}

/** Numbers the distinct measures of a configuration, so that each is computed once per user and day. */
type MeasureIndex = (types: readonly string[], windowDays: number, field: Measure['field']) => number;

function behaviourCheck(condition: BehaviourConditionSnapshot, measureIndex: MeasureIndex): CompiledCheck {
  const compare = COMPARE[condition.operator];
  const bound = condition.value;
  const test = (actual: JsonValue) => typeof actual === 'number' && compare(actual, bound);
  const comparison = `${SYMBOL[condition.operator]} ${bound}`;
  if (condition.fact === 'DAYS_SINCE_LAST_ACTIVE') {
    return { condition: `days since last active ${comparison}`, actual: (env) => env.facts.daysSinceLastActive(), test };
  }
  const window = condition.windowDays ?? 1;
  const index = measureIndex(condition.eventTypes, window, condition.fact === 'EVENT_COUNT' ? 'count' : 'sum');
  const what = condition.fact === 'EVENT_COUNT' ? 'number of' : 'sum of the values of';
  return {
    condition: `${what} ${condition.eventTypes.join(' or ')} events over the last ${window} days ${comparison}`,
    actual: (env) => env.facts.total(index),
    test,
  };
}

function compileRule(rule: EntitlementRuleSnapshot, measureIndex: MeasureIndex): CompiledRule {
  const checks: CompiledCheck[] = [];
  const { tiers, conditions, match } = rule.targeting;
  if (tiers.length > 0) {
    const set = new Set(tiers);
    checks.push({ condition: `tier in [${tiers.join(', ')}]`, actual: (env) => env.user.tier ?? null, test: (tier) => typeof tier === 'string' && set.has(tier) });
  }
  if (conditions.length > 0) {
    const attributes = compileTargeting({ tiers: [], match, conditions });
    const names = [...new Set(conditions.map((c) => c.attribute))];
    const description = conditions.map((c) => `${c.attribute} ${c.operator} ${JSON.stringify(c.value)}`).join(match === 'ANY' ? ' or ' : ' and ');
    // The predicate reads the whole user; `actual` shows the attributes it looked at.
    checks.push({
      condition: `attributes: ${description}`,
      actual: (env) => Object.fromEntries(names.map((name) => [name, attributeValue(env.user.attributes, name)])),
      test: (_actual, env) => attributes(env.user),
    });
  }
  for (const variant of rule.variants) {
    const keys = new Set(variant.variantKeys);
    checks.push({
      condition: `variant in ${variant.experimentKey} is one of [${variant.variantKeys.join(', ')}]`,
      actual: (env) => {
        for (const assignment of env.experiments) if (assignment.experimentKey === variant.experimentKey) return assignment.variantKey;
        return null;
      },
      test: (actual) => typeof actual === 'string' && keys.has(actual),
    });
  }
  for (const condition of rule.behaviour) checks.push(behaviourCheck(condition, measureIndex));

  const targeted: UserPredicate = compileTargeting(rule.targeting);
  const otherChecks = checks.slice((tiers.length > 0 ? 1 : 0) + (conditions.length > 0 ? 1 : 0));
  return {
    rule,
    validFrom: rule.validFrom ? Date.parse(rule.validFrom) : -Infinity,
    validUntil: rule.validUntil ? Date.parse(rule.validUntil) : Infinity,
    holds: (env) => {
      if (!targeted(env.user)) return false;
      for (const check of otherChecks) if (!check.test(check.actual(env), env)) return false;
      return true;
    },
    checks,
  };
}

/** What to read for these rules (explanations consider disabled rules too). */
export function neededState(config: EntitlementConfig, includeDisabled = false): StateNeeds {
  // Nothing to resolve, nothing to read.
  if (config.catalogue.length === 0) return { facts: false, lookbackDays: 0, eventTypes: [], grants: false };
  let facts = false;
  let lookbackDays = 0;
  const eventTypes = new Set<string>();
  for (const rule of config.rules) {
    if (!rule.enabled && !includeDisabled) continue;
    for (const condition of rule.behaviour) {
      facts = true;
      if (condition.windowDays !== null) lookbackDays = Math.max(lookbackDays, condition.windowDays);
      for (const type of condition.eventTypes) eventTypes.add(type);
    }
  }
  return { facts, lookbackDays, eventTypes: [...eventTypes].sort(), grants: config.hasUserGrants };
}

const byPriority = (a: CompiledRule, b: CompiledRule) => b.rule.priority - a.rule.priority || (a.rule.key < b.rule.key ? -1 : a.rule.key > b.rule.key ? 1 : 0);

function compile(config: EntitlementConfig): CompiledConfig {
  const measures: Measure[] = [];
  const indexes = new Map<string, number>();
  const measureIndex: MeasureIndex = (types, windowDays, field) => {
    const sorted = [...new Set(types)].sort();
    const key = JSON.stringify([sorted, windowDays, field]);
    let index = indexes.get(key);
    if (index === undefined) {
      index = measures.push({ types: new Set(sorted), windowDays, field }) - 1;
      indexes.set(key, index);
    }
    return index;
  };
  const rules = config.rules.map((rule) => compileRule(rule, measureIndex));
  const catalogue = new Map(config.catalogue.map((entry) => [entry.key, entry]));
  const grantRules = rules.filter((r) => r.rule.effect === 'GRANT').sort(byPriority);
  const denyRules = rules.filter((r) => r.rule.effect === 'DENY');
  const places = new Map(config.catalogue.map((entry, slot) => [entry.key, slot]));
  const slotRule = (rule: CompiledRule): SlotRule => {
    const named = rule.rule.entitlements.filter(({ key }) => places.has(key));
    return {
      rule,
      slots: named.map(({ key }) => places.get(key)!),
      grants: rule.rule.effect === 'DENY' ? [] : named.map((granted) => {
        const entry = catalogue.get(granted.key)!;
        const value = valueOf(entry, granted.value);
        const resolved: ResolvedEntitlement = {
          key: entry.key,
          kind: entry.kind,
          value,
          period: entry.period,
          source: rule.rule.key,
          sourceType: 'RULE',
          expiresAt: Number.isFinite(rule.validUntil) ? new Date(rule.validUntil) : null,
        };
        return { slot: places.get(granted.key)!, value, quota: entry.kind === 'QUOTA', resolved: Object.freeze(resolved) };
      }),
    };
  };
  const isEnabled = (r: CompiledRule) => r.rule.enabled;
  const enabled = rules.filter(isEnabled);
  return {
    measures,
    catalogue,
    entries: config.catalogue,
    slotDenyRules: denyRules.filter(isEnabled).map(slotRule),
    slotGrantRules: grantRules.filter(isEnabled).map(slotRule),
    readsAttributes: [...new Set(enabled.flatMap((r) => r.rule.targeting.conditions.map((c) => c.attribute)))].map(attributeReader),
    readsVariantsOf: [...new Set(enabled.flatMap((r) => r.rule.variants.map((v) => v.experimentKey)))],
    boundaries: enabled.flatMap((r) => [r.validFrom, r.validUntil]).filter(Number.isFinite),
    grantRules,
    denyRules,
    rules,
    needs: neededState(config),
  };
}

const compiledConfigs = new WeakMap<EntitlementConfig, CompiledConfig>();

function compiled(config: EntitlementConfig): CompiledConfig {
  let result = compiledConfigs.get(config);
  if (result === undefined) {
    result = compile(config);
    compiledConfigs.set(config, result);
  }
  return result;
}

/** What resolving users against this configuration needs to read about them. */
export function stateNeeds(config: EntitlementConfig): StateNeeds {
  return compiled(config).needs;
}

function statusAt(rule: CompiledRule, now: number): RuleStatus | null {
  if (!rule.rule.enabled) return 'DISABLED';
  if (now < rule.validFrom) return 'NOT_YET_VALID';
  if (now >= rule.validUntil) return 'EXPIRED';
  return null;
}

const activeGrant = (grant: UserGrantSnapshot, now: number) => grant.expiresAt === null || grant.expiresAt > now;
const newestFirst = (a: UserGrantSnapshot, b: UserGrantSnapshot) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** The per-user decision for each entitlement: the newest unexpired grant or revocation of an entitlement in the catalogue. */
function userDecisions(catalogue: Map<string, CatalogueEntry>, grants: readonly UserGrantSnapshot[], now: number): Map<string, UserGrantSnapshot> {
  const decisions = new Map<string, UserGrantSnapshot>();
  if (grants.length === 0) return decisions;
  for (const grant of [...grants].sort(newestFirst)) {
    if (activeGrant(grant, now) && catalogue.has(grant.entitlementKey) && !decisions.has(grant.entitlementKey)) decisions.set(grant.entitlementKey, grant);
  }
  return decisions;
}

function valueOf(entry: CatalogueEntry, value: JsonValue | null): JsonValue {
  return entry.kind === 'FEATURE' ? true : value ?? entry.defaultValue;
}

interface Decision {
  winners: Map<string, { rule: CompiledRule; value: JsonValue }>;
  userDecided: Map<string, UserGrantSnapshot>;
  /** Entitlement key to the first deny rule that removed it. */
  denied: Map<string, string>;
}

function decide(input: EntitlementInput, applies: (rule: CompiledRule) => boolean): Decision {
  const config = compiled(input.config);
  const userDecided = userDecisions(config.catalogue, input.grants, input.now);
  const denied = new Map<string, string>();
  for (const rule of config.denyRules) {
    if (!applies(rule)) continue;
    for (const { key } of rule.rule.entitlements) if (!userDecided.has(key) && !denied.has(key)) denied.set(key, rule.rule.key);
  }
  const winners = new Map<string, { rule: CompiledRule; value: JsonValue }>();
  for (const rule of config.grantRules) {
    if (!applies(rule)) continue;
    for (const granted of rule.rule.entitlements) {
      const entry = config.catalogue.get(granted.key);
      if (!entry || userDecided.has(granted.key) || denied.has(granted.key)) continue;
      const value = valueOf(entry, granted.value);
      const current = winners.get(granted.key);
      // Rules come by priority, so the first to grant wins, except that a QUOTA goes to the largest limit.
      if (!current || (entry.kind === 'QUOTA' && (value as number) > (current.value as number))) winners.set(granted.key, { rule, value });
    }
  }
  return { winners, userDecided, denied };
}

function userGranted(entry: CatalogueEntry, grant: UserGrantSnapshot): ResolvedEntitlement {
  return {
    key: entry.key,
    kind: entry.kind,
    value: valueOf(entry, grant.value),
    period: entry.period,
    source: grant.id,
    sourceType: 'USER_GRANT',
    expiresAt: grant.expiresAt === null ? null : new Date(grant.expiresAt),
  };
}

function listResolved(config: CompiledConfig, decision: Decision): ResolvedEntitlement[] {
  const resolved: ResolvedEntitlement[] = [];
  for (const entry of config.catalogue.values()) {
    const grant = decision.userDecided.get(entry.key);
    if (grant) {
      if (grant.effect === 'GRANT') resolved.push(userGranted(entry, grant));
      continue;
    }
    const winner = decision.winners.get(entry.key);
    if (winner) {
      resolved.push({
        key: entry.key,
        kind: entry.kind,
        value: winner.value,
        period: entry.period,
        source: winner.rule.rule.key,
        sourceType: 'RULE',
        expiresAt: Number.isFinite(winner.rule.validUntil) ? new Date(winner.rule.validUntil) : null,
      });
    }
  }
  return resolved;
}

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

/** The same resolution, with every rule and per-user grant considered and why it did or did not count. */
export function explainEntitlements(input: EntitlementInput): EntitlementExplanation {
  const config = compiled(input.config);
  const facts = new FactView(input.facts, input.now, config.measures);
  const env: Env = { user: input.user, experiments: input.experiments, facts };
  const statuses = new Map<CompiledRule, { status: RuleStatus; conditions: ConditionCheck[] }>();
  for (const rule of config.rules) {
    const conditions = rule.checks.map((check) => {
      const actual = check.actual(env);
      return { condition: check.condition, held: check.test(actual, env), actual };
    });
    const status = statusAt(rule, input.now) ?? (conditions.every((c) => c.held) ? 'APPLIED' : 'CONDITIONS_NOT_MET');
    statuses.set(rule, { status, conditions });
  }
  const decision = decide(input, (rule) => statuses.get(rule)!.status === 'APPLIED');

  const outcomeOf = (rule: CompiledRule, applied: boolean, key: string): { outcome: RuleOutcome; by: string | null } => {
    if (!config.catalogue.has(key)) return { outcome: 'NOT_IN_CATALOGUE', by: null };
    if (!applied) return { outcome: 'NOT_APPLIED', by: null };
    const grant = decision.userDecided.get(key);
    if (grant) return { outcome: 'OVERRIDDEN_BY_USER_GRANT', by: grant.id };
    if (rule.rule.effect === 'DENY') return { outcome: 'DENIED', by: null };
    const denier = decision.denied.get(key);
    if (denier) return { outcome: 'DENIED_BY_RULE', by: denier };
    const winner = decision.winners.get(key)!;
    if (winner.rule === rule) return { outcome: 'GRANTED', by: null };
    return { outcome: config.catalogue.get(key)!.kind === 'QUOTA' ? 'LESS_GENEROUS' : 'LOWER_PRIORITY', by: winner.rule.rule.key };
  };

  const rules = config.rules.map((rule): RuleExplanation => {
    const { status, conditions } = statuses.get(rule)!;
    return {
      ruleKey: rule.rule.key,
      effect: rule.rule.effect,
      priority: rule.rule.priority,
      status,
      conditions,
      entitlements: rule.rule.entitlements.map(({ key }) => ({ key, ...outcomeOf(rule, status === 'APPLIED', key) })),
    };
  });
  const userGrants = [...input.grants].sort(newestFirst).map((grant) => {
    let status: UserGrantStatus;
    if (!config.catalogue.has(grant.entitlementKey)) status = 'NOT_IN_CATALOGUE';
    else if (!activeGrant(grant, input.now)) status = 'EXPIRED';
    else status = decision.userDecided.get(grant.entitlementKey) === grant ? 'APPLIED' : 'SUPERSEDED';
    return { grant, status };
  });
  return { entitlements: listResolved(config, decision), rules, userGrants, daysSinceLastActive: facts.daysSinceLastActive() };
}
