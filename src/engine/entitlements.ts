/**
 * Entitlement resolution (the decisions an app may make), in three parts: compiling rules
 * (entitlement.compile.ts), resolving (entitlement.resolve.ts), explaining (entitlement.explain.ts);
 * this file is their one entry. Which entitlements a user has, with what value and from where, and
 * why each rule did or did not apply. Pure: plain data in (configuration, the user, their
 * experiment variants, behavioural facts, per-user grants, the time), plain data out.
 *
 * Order: per-user grants and revocations first (the newest unexpired one per entitlement wins),
 * then deny rules (any applicable deny rule removes the entitlement), then grant rules: for a
 * QUOTA the largest limit wins, for every other kind the highest priority; ties go to the higher
 * priority, then to the rule key in alphabetical order.
 */
export * from './entitlement.model';
export { neededState, stateNeeds } from './entitlement.compile';
export { resolveEntitlements } from './entitlement.resolve';
export { explainEntitlements } from './entitlement.explain';
