/**
 * Compiling an entitlement configuration once per snapshot: rules into predicates and checks, the
 * catalogue into places, the behavioural measures numbered; and the pieces resolving and
 * explaining share (rule status, the per-user decisions, values).
 */
import { attributeReader, compileTargeting, type UserPredicate } from './targeting.evaluate';
import type { ExperimentAssignment, JsonValue, UserContext } from './snapshot';
import type {
  BehaviourConditionSnapshot,
  CatalogueEntry,
  Comparison,
  EntitlementConfig,
  EntitlementRuleSnapshot,
  UserFacts,
  UserGrantSnapshot,
} from './entitlement.model';
import { DAY_MS, type ResolvedEntitlement, type RuleStatus, type StateNeeds } from './entitlement.model';

/** A total over a window: the number of events of some types, or the sum of their values. */
export interface Measure {
  types: ReadonlySet<string>;
  windowDays: number;
  field: 'count' | 'sum';
}

/**
 * What was already computed for a user's facts (the same object while cached), for one day and one
 * configuration: totals, and the last resolution with what it was computed from.
 */
export interface FactMemo {
  today: number;
  measures: readonly Measure[];
  values: (number | undefined)[];
  resolution?: ResolutionMemo;
}
const factMemos = new WeakMap<UserFacts, FactMemo>();

export function factMemo(facts: UserFacts, today: number, measures: readonly Measure[]): FactMemo {
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
export interface ResolutionMemo {
  grants: readonly UserGrantSnapshot[];
  tier: string | null;
  attributes: (JsonValue | undefined)[];
  variants: (string | null)[];
  from: number;
  until: number;
  answer: readonly ResolvedEntitlement[];
}

/** A user's behaviour seen from one day: days since last active, and totals over windows, each computed once. */
export class FactView {
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

export interface Env {
  user: UserContext;
  experiments: readonly ExperimentAssignment[];
  facts: FactView;
}

export interface CompiledCheck {
  condition: string;
  /** The value compared (or shown); the check holds when `test` accepts it. */
  actual(env: Env): JsonValue;
  test(actual: JsonValue, env: Env): boolean;
}

export interface CompiledRule {
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
export interface SlotGrant {
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

export interface CompiledConfig {
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

export function compiled(config: EntitlementConfig): CompiledConfig {
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
export function statusAt(rule: CompiledRule, now: number): RuleStatus | null {
  if (!rule.rule.enabled) return 'DISABLED';
  if (now < rule.validFrom) return 'NOT_YET_VALID';
  if (now >= rule.validUntil) return 'EXPIRED';
  return null;
}

export const activeGrant = (grant: UserGrantSnapshot, now: number) => grant.expiresAt === null || grant.expiresAt > now;
export const newestFirst = (a: UserGrantSnapshot, b: UserGrantSnapshot) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** The per-user decision for each entitlement: the newest unexpired grant or revocation of an entitlement in the catalogue. */
export function userDecisions(catalogue: Map<string, CatalogueEntry>, grants: readonly UserGrantSnapshot[], now: number): Map<string, UserGrantSnapshot> {
  const decisions = new Map<string, UserGrantSnapshot>();
  if (grants.length === 0) return decisions;
  for (const grant of [...grants].sort(newestFirst)) {
    if (activeGrant(grant, now) && catalogue.has(grant.entitlementKey) && !decisions.has(grant.entitlementKey)) decisions.set(grant.entitlementKey, grant);
  }
  return decisions;
}

export function valueOf(entry: CatalogueEntry, value: JsonValue | null): JsonValue {
  return entry.kind === 'FEATURE' ? true : value ?? entry.defaultValue;
}
export function userGranted(entry: CatalogueEntry, grant: UserGrantSnapshot): ResolvedEntitlement {
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

