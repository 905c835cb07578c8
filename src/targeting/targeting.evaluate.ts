/**
 * Evaluation of targeting (validation is targeting.rules.ts). Condition values were validated on
 * save, so they are taken as well-formed here. Pure, and compiled once per targeting: operator
 * dispatch, semver parsing and date parsing of the condition values happen at compile time.
 *
 * Only types are imported from targeting.types: its runtime (type-graphql decorators, which need
 * reflect-metadata) stays out of the evaluation path, so the engine loads on its own.
 */
import semver, { type SemVer } from 'semver';
import type { JsonValue, UserContext } from '../assignment/snapshot';
import type { ConditionOperator, Targeting, TargetingCondition } from './targeting.model';

export type UserPredicate = (user: UserContext) => boolean;

/** An attribute's value, undefined when the user does not have it. */
type Attribute = JsonValue | undefined;
type AttributeTest = (attribute: Attribute) => boolean;

const NO_ATTRIBUTES: Record<string, JsonValue> = {};
const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** Exact key first (`app.version` may be a flat key), then the dotted path into nested objects. */
export function attributeReader(name: string): (attributes: Record<string, JsonValue>) => Attribute {
  if (!name.includes('.')) return (attributes) => (hasOwn(attributes, name) ? attributes[name] : undefined);
  const path = name.split('.');
  return (attributes) => {
    if (hasOwn(attributes, name)) return attributes[name];
    let current: Attribute = attributes;
    for (const segment of path) {
      if (typeof current !== 'object' || current === null || !hasOwn(current, segment)) return undefined;
      current = (current as Record<string, JsonValue>)[segment];
    }
    return current;
  };
}

/**
 * Versions a user reports repeat across users (a handful of app releases), and parsing is the
 * expensive part of a semver comparison, so parsed versions are kept, up to a bound.
 */
const MAX_CACHED_VERSIONS = 1000;
const parsedVersions = new Map<string, SemVer | null>();

function parseVersion(attribute: Attribute): SemVer | null {
  if (typeof attribute !== 'string') return null;
  let parsed = parsedVersions.get(attribute);
  if (parsed === undefined) {
    if (parsedVersions.size >= MAX_CACHED_VERSIONS) parsedVersions.clear();
    parsed = semver.parse(attribute);
    parsedVersions.set(attribute, parsed);
  }
  return parsed;
}

function semverTest(value: unknown, accepts: (comparison: number) => boolean): AttributeTest {
  const expected = new semver.SemVer(value as string);
  return (attribute) => {
    const actual = parseVersion(attribute);
    return actual !== null && accepts(actual.compare(expected));
  };
}

/**
 * An ISO 8601 date-time without a zone is read as UTC: `Date.parse` would read it in the
 * process's local time zone, and two servers in different zones would then disagree.
 */
const ZONELESS_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

function parseInstant(text: string): number {
  const zoneless = ZONELESS_DATE_TIME.exec(text);
  return Date.parse(zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : text);
}

function dateTest(value: unknown, accepts: (attributeTime: number, valueTime: number) => boolean): AttributeTest {
  const valueTime = parseInstant(value as string);
  return (attribute) => {
    if (typeof attribute !== 'string') return false;
    const attributeTime = parseInstant(attribute);
    return !Number.isNaN(attributeTime) && accepts(attributeTime, valueTime);
  };
}

function inListTest(value: unknown): AttributeTest {
  const list = new Set(value as JsonValue[]);
  return (attribute) => (Array.isArray(attribute) ? attribute.some((element) => list.has(element)) : list.has(attribute as JsonValue));
}

function numberTest(value: unknown, accepts: (attribute: number, value: number) => boolean): AttributeTest {
  const bound = value as number;
  return (attribute) => typeof attribute === 'number' && accepts(attribute, bound);
}

/** One test builder per operator; the record type makes the list exhaustive. */
const OPERATOR_TESTS: Record<`${ConditionOperator}`, (value: unknown) => AttributeTest> = {
  EQ: (value) => (attribute) => attribute === value,
  NEQ: (value) => (attribute) => attribute !== value,
  IN: inListTest,
  NOT_IN: (value) => {
    const inList = inListTest(value);
    return (attribute) => !inList(attribute);
  },
  GT: (value) => numberTest(value, (attribute, bound) => attribute > bound),
  GTE: (value) => numberTest(value, (attribute, bound) => attribute >= bound),
  LT: (value) => numberTest(value, (attribute, bound) => attribute < bound),
  LTE: (value) => numberTest(value, (attribute, bound) => attribute <= bound),
  CONTAINS: (value) => (attribute) =>
    typeof attribute === 'string' ? attribute.includes(value as string) : Array.isArray(attribute) && attribute.includes(value as JsonValue),
  EXISTS: (value) => (attribute) => (attribute !== undefined && attribute !== null) === value,
  SEMVER_EQ: (value) => semverTest(value, (comparison) => comparison === 0),
  SEMVER_GT: (value) => semverTest(value, (comparison) => comparison > 0),
  SEMVER_GTE: (value) => semverTest(value, (comparison) => comparison >= 0),
  SEMVER_LT: (value) => semverTest(value, (comparison) => comparison < 0),
  SEMVER_LTE: (value) => semverTest(value, (comparison) => comparison <= 0),
  DATE_BEFORE: (value) => dateTest(value, (attributeTime, valueTime) => attributeTime < valueTime),
  DATE_AFTER: (value) => dateTest(value, (attributeTime, valueTime) => attributeTime > valueTime),
};

type AttributesPredicate = (attributes: Record<string, JsonValue>) => boolean;

function compileCondition(condition: TargetingCondition): AttributesPredicate {
  const read = attributeReader(condition.attribute);
  const test = OPERATOR_TESTS[condition.operator](condition.value);
  return (attributes) => test(read(attributes));
}

function compileConditions(targeting: Targeting): AttributesPredicate | null {
  const predicates = targeting.conditions.map(compileCondition);
  if (predicates.length === 0) return null;
  if (predicates.length === 1) return predicates[0];
  // Loops rather than some/every, which would allocate a closure on every call: this runs for every
  // experiment, flag rule and entitlement rule of every resolve.
  return targeting.match === 'ANY'
    ? (attributes) => {
        for (const predicate of predicates) if (predicate(attributes)) return true;
        return false;
      }
    : (attributes) => {
        for (const predicate of predicates) if (!predicate(attributes)) return false;
        return true;
      };
}

const EVERYONE: UserPredicate = () => true;

/** A predicate equivalent to `matchesTargeting(targeting, ·)`, with all the per-targeting work done now. */
export function compileTargeting(targeting: Targeting): UserPredicate {
  const tiers = targeting.tiers.length > 0 ? new Set(targeting.tiers) : null;
  const conditions = compileConditions(targeting);
  if (tiers === null) return conditions === null ? EVERYONE : (user) => conditions(user.attributes ?? NO_ATTRIBUTES);
  if (conditions === null) return (user) => user.tier != null && tiers.has(user.tier);
  return (user) => user.tier != null && tiers.has(user.tier) && conditions(user.attributes ?? NO_ATTRIBUTES);
}

const compiledTargetings = new WeakMap<Targeting, UserPredicate>();

/**
 * Whether the user is targeted: one of `tiers` (any tier when empty), then the conditions combined
 * with ALL or ANY (none: everyone). Compiles on first use of a targeting object.
 */
export function matchesTargeting(targeting: Targeting, user: UserContext): boolean {
  let predicate = compiledTargetings.get(targeting);
  if (predicate === undefined) {
    predicate = compileTargeting(targeting);
    compiledTargetings.set(targeting, predicate);
  }
  return predicate(user);
}
