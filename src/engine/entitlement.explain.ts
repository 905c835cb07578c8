/** Explaining a resolution: every rule and per-user grant considered, and why it did or did not count. */
import type { JsonValue } from './snapshot';
import type { UserGrantSnapshot } from './entitlement.model';
import type { ConditionCheck, EntitlementExplanation, EntitlementInput, ResolvedEntitlement, RuleExplanation, RuleOutcome, RuleStatus, UserGrantStatus } from './entitlement.model';
import {
  activeGrant, compiled, FactView, newestFirst, statusAt, userDecisions, userGranted, valueOf,
  type CompiledConfig, type CompiledRule, type Env,
} from './entitlement.compile';

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
