/**
 * The evaluation engine: hashing, targeting, assignment and the entitlement decisions, as pure
 * functions of plain data. The server and the SDK package (sdk/, which bundles this folder from
 * source) both run it, so an app evaluating locally gives the answers `resolve` gives.
 *
 * Nothing here may import TypeORM, type-graphql, pg, a store or a `node:` module (engine.boundary.test.ts
 * checks it): it must load unchanged in a browser.
 */
export * from './snapshot';
export * from './targeting.model';
export * from './entitlement.model';
export { bucketRanges, chooseVariant, fnv1a32, hashV2, seededHash, type BucketRange } from './hash';
export { attributeReader, compileTargeting, matchesTargeting, type UserPredicate } from './targeting.evaluate';
export { bucketedVariant, compileSnapshot, evaluate, evaluateFlags, FITS_FLAG_TYPE, servingAssignment, type CompiledSnapshot, type NotBucketed } from './evaluate';
export {
  DAY_MS,
  explainEntitlements,
  neededState,
  resolveEntitlements,
  stateNeeds,
  type ConditionCheck,
  type EntitlementExplanation,
  type EntitlementInput,
  type ResolvedEntitlement,
  type RuleExplanation,
  type RuleOutcome,
  type RuleStatus,
  type StateNeeds,
  type UserGrantStatus,
} from './entitlements';
export { SLUG_PATTERN, toUserContext, userProblem, type UserInput } from './user';
export { flagMetadata, flagsChanged, isContextProblem, userFromFlatContext, type FlatContextProblem, type FlagMetadata } from './openfeature';
export { CONFIG_SCHEMA_VERSION, compatibleSnapshot, isKnownTargeting, type CompatibleSnapshot } from './compatibility';
