/**
 * The growth teams' rules (docs/concepts.md), as data, and a loader that puts them into an Uplift
 * through its public GraphQL API with an admin key. Idempotent: what exists and matches is left
 * alone, what differs is updated (a new version, audited), what is missing is created.
 *
 * Interpretation (documented in the README, "Entitlements"):
 * - Genuine activity: paid more than 100 over the last 30 days, or 3 or more posts over the last
 *   7 days, or 10 or more comments and likes over the last 30 days. Each check is a grant rule
 *   (rules are conjunctions; "any of three" is three rules) of `genuine-activity` and of the full
 *   task-reward quota (5 a week; everyone else gets 1: downgraded).
 * - Hollow activity: active in the last 30 days yet none of the three checks. One deny rule,
 *   independent of the tier, withholds the rewards (`checkin-bonus`, `recall-coupon`).
 * - Win-back: recall day k is (days since last active) - 2, so day 1 is the day a user has been
 *   away 3 days. Day 1 only: the recall pop-up and the 5-unit no-minimum coupon (withheld from
 *   hollow users: core users only). From day 3: personalised content and dedicated support; from
 *   day 7: the survey invitation; both while the user stays away, up to 30 days away.
 * - Advisor: users in the `advisor` arm of `advisor-pilot` get the advisor and the invitation to
 *   offline events.
 */

export interface SeedEntitlement {
  key: string;
  name: string;
  description: string;
  kind: 'FEATURE' | 'QUOTA' | 'COUPON' | 'CONFIG';
  period: 'DAY' | 'WEEK' | 'MONTH' | 'LIFETIME' | null;
  defaultValue: unknown;
}

interface Behaviour {
  fact: 'DAYS_SINCE_LAST_ACTIVE' | 'EVENT_COUNT' | 'EVENT_VALUE_SUM';
  eventTypes: string[];
  windowDays: number | null;
  operator: 'EQ' | 'NEQ' | 'GT' | 'GTE' | 'LT' | 'LTE';
  value: number;
}

export interface SeedRule {
  key: string;
  name: string;
  description: string;
  effect: 'GRANT' | 'DENY';
  priority: number;
  enabled: boolean;
  targeting: { tiers: string[]; match: 'ALL' | 'ANY'; conditions: { attribute: string; operator: string; value: unknown }[] };
  variants: { experimentKey: string; variantKeys: string[] }[];
  behaviour: Behaviour[];
  entitlements: { key: string; value: unknown }[];
}

const feature = (key: string, name: string, description: string): SeedEntitlement => ({ key, name, description, kind: 'FEATURE', period: null, defaultValue: true });

export const ENTITLEMENTS: SeedEntitlement[] = [
  { key: 'checkin-bonus', name: 'Daily check-in red packet', description: 'Check-in rewards a user may claim per day.', kind: 'QUOTA', period: 'DAY', defaultValue: 1 },
  { key: 'task-rewards', name: 'Task-centre rewards', description: 'Task and badge rewards a user may claim per week.', kind: 'QUOTA', period: 'WEEK', defaultValue: 1 },
  feature('genuine-activity', 'Genuinely active', 'Passes at least one of the three genuine-activity checks.'),
  feature('recall-popup', 'Recall pop-up', 'Win-back day 1: the recall pop-up.'),
  {
    key: 'recall-coupon', name: 'Recall coupon', description: 'Win-back day 1: a 5-unit coupon with no minimum spend.', kind: 'COUPON', period: null,
    defaultValue: { amount: 5, currency: 'CNY', minSpend: 0 },
  },
  feature('personalised-content', 'Personalised content', 'Win-back from day 3.'),
  feature('dedicated-support', 'Dedicated support contact', 'Win-back from day 3.'),
  feature('recall-survey', 'Survey invitation', 'Win-back from day 7: an invitation to a short survey.'),
  feature('advisor', 'Dedicated advisor', 'The advisor arm of advisor-pilot.'),
  feature('offline-event-invitation', 'Offline event invitation', 'The advisor arm of advisor-pilot.'),
];

const EVERYONE = { tiers: [], match: 'ALL' as const, conditions: [] };
const rule = (fields: Partial<SeedRule> & Pick<SeedRule, 'key' | 'name' | 'description' | 'effect' | 'entitlements'>): SeedRule => ({
  priority: 0,
  enabled: true,
  targeting: EVERYONE,
  variants: [],
  behaviour: [],
  ...fields,
});
const daysAway = (operator: Behaviour['operator'], value: number): Behaviour => ({ fact: 'DAYS_SINCE_LAST_ACTIVE', eventTypes: [], windowDays: null, operator, value });
const paid = (operator: Behaviour['operator'], value: number): Behaviour => ({ fact: 'EVENT_VALUE_SUM', eventTypes: ['payment'], windowDays: 30, operator, value });
const posts = (operator: Behaviour['operator'], value: number): Behaviour => ({ fact: 'EVENT_COUNT', eventTypes: ['post'], windowDays: 7, operator, value });
const interactions = (operator: Behaviour['operator'], value: number): Behaviour => ({ fact: 'EVENT_COUNT', eventTypes: ['comment', 'like'], windowDays: 30, operator, value });
const GENUINE_GRANTS = [{ key: 'genuine-activity', value: null }, { key: 'task-rewards', value: 5 }];

export const RULES: SeedRule[] = [
  rule({ key: 'checkin-for-everyone', name: 'Daily check-in reward', description: 'One check-in reward a day.', effect: 'GRANT', entitlements: [{ key: 'checkin-bonus', value: 1 }] }),
  rule({ key: 'task-rewards-baseline', name: 'Task rewards, baseline', description: 'One task reward a week for users not (yet) genuinely active.', effect: 'GRANT', entitlements: [{ key: 'task-rewards', value: 1 }] }),
  rule({ key: 'genuine-payer', name: 'Genuine: paid more than 100 in 30 days', description: 'First genuine-activity check.', effect: 'GRANT', priority: 10, behaviour: [paid('GT', 100)], entitlements: GENUINE_GRANTS }),
  rule({ key: 'genuine-poster', name: 'Genuine: 3 or more posts in 7 days', description: 'Second genuine-activity check.', effect: 'GRANT', priority: 10, behaviour: [posts('GTE', 3)], entitlements: GENUINE_GRANTS }),
  rule({
    key: 'genuine-interactions', name: 'Genuine: 10 or more comments and likes in 30 days', description: 'Third genuine-activity check.', effect: 'GRANT', priority: 10,
    behaviour: [interactions('GTE', 10)], entitlements: GENUINE_GRANTS,
  }),
  rule({
    key: 'hollow-activity', name: 'Hollow activity: rewards withheld', description: 'Active in the last 30 days, yet none of the three genuine-activity checks. Whatever the tier.',
    effect: 'DENY', behaviour: [daysAway('LTE', 29), paid('LTE', 100), posts('LT', 3), interactions('LT', 10)],
    entitlements: [{ key: 'checkin-bonus', value: null }, { key: 'recall-coupon', value: null }],
  }),
  rule({
    key: 'winback-day-1', name: 'Win-back day 1: pop-up and coupon', description: 'Away exactly 3 days: the recall pop-up and a 5-unit no-minimum coupon.',
    effect: 'GRANT', behaviour: [daysAway('EQ', 3)], entitlements: [{ key: 'recall-popup', value: null }, { key: 'recall-coupon', value: { amount: 5, currency: 'CNY', minSpend: 0 } }],
  }),
  rule({
    key: 'winback-day-3', name: 'Win-back day 3: content and support', description: 'Away 5 to 30 days: personalised content and a dedicated support contact.',
    effect: 'GRANT', behaviour: [daysAway('GTE', 5), daysAway('LTE', 30)], entitlements: [{ key: 'personalised-content', value: null }, { key: 'dedicated-support', value: null }],
  }),
  rule({
    key: 'winback-day-7', name: 'Win-back day 7: survey', description: 'Away 9 to 30 days: an invitation to a short survey.',
    effect: 'GRANT', behaviour: [daysAway('GTE', 9), daysAway('LTE', 30)], entitlements: [{ key: 'recall-survey', value: null }],
  }),
  rule({
    key: 'advisor-pilot-advisor', name: 'Advisor pilot: advisor arm', description: 'The dedicated advisor and the offline event invitation.',
    effect: 'GRANT', variants: [{ experimentKey: 'advisor-pilot', variantKeys: ['advisor'] }],
    entitlements: [{ key: 'advisor', value: null }, { key: 'offline-event-invitation', value: null }],
  }),
];

/** advisor-pilot as docs/concepts.md describes it; created as a draft when missing, so that the advisor rule can name it. */
const ADVISOR_PILOT = {
  key: 'advisor-pilot',
  name: 'Advisor pilot',
  strategy: 'advisor',
  hypothesis: 'A dedicated advisor and offline events bring silent high-value users back.',
  primaryMetricKey: 'd7_retention',
  targeting: { tiers: ['high_value'] },
  variants: [
    { key: 'control', name: 'Control', weight: 50, isControl: true },
    { key: 'advisor', name: 'Advisor', weight: 50, payload: { advisor: true, eventInvitation: true } },
  ],
};

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<{ data?: any; errors?: { message: string; extensions?: { code?: string } }[] }>;

const ENTITLEMENT_FIELDS = 'key name description kind period defaultValue status version';
const RULE_FIELDS = `key name description effect priority enabled status version
  targeting { tiers match conditions { attribute operator value } } variants { experimentKey variantKeys }
  behaviour { fact eventTypes windowDays operator value } entitlements { key value }`;

/** The fields the seed sets, in one order, for comparing what is there with what should be. */
const entitlementShape = (e: SeedEntitlement) => JSON.stringify([e.name, e.description, e.kind, e.period, e.defaultValue]);
const ruleShape = (r: SeedRule) =>
  JSON.stringify([
    r.name, r.description, r.effect, r.priority, r.enabled,
    [r.targeting.tiers, r.targeting.match, r.targeting.conditions.map((c) => [c.attribute, c.operator, c.value])],
    r.variants.map((v) => [v.experimentKey, v.variantKeys]),
    r.behaviour.map((b) => [b.fact, b.eventTypes, b.windowDays, b.operator, b.value]),
    r.entitlements.map((e) => [e.key, e.value]),
  ]);

export interface SeedReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Loads ENTITLEMENTS and RULES into the Uplift at `url` with an admin key. */
export async function seedRules(url: string, adminKey: string): Promise<SeedReport> {
  const gql: Gql = async (query, variables) => {
    const response = await fetch(`${url.replace(/\/$/, '')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Awaited<ReturnType<Gql>>;
  };
  const must = async (query: string, variables?: Record<string, unknown>) => {
    const result = await gql(query, variables);
    if (result.errors?.length) throw new Error(`${result.errors[0].message} (${result.errors[0].extensions?.code ?? 'no code'})`);
    return result.data;
  };
  /** The entity, or null when NOT_FOUND. */
  const find = async (query: string, key: string) => {
    const result = await gql(query, { key });
    if (result.errors?.[0]?.extensions?.code === 'NOT_FOUND') return null;
    if (result.errors?.length) throw new Error(result.errors[0].message);
    return Object.values(result.data)[0] as any;
  };
  const report: SeedReport = { created: [], updated: [], unchanged: [] };

  if (!(await find('query ($key: String!) { experiment(key: $key) { key } }', ADVISOR_PILOT.key))) {
    await must('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', { input: ADVISOR_PILOT });
    report.created.push(`experiment ${ADVISOR_PILOT.key} (draft)`);
  }

  for (const entitlement of ENTITLEMENTS) {
    const existing = await find(`query ($key: String!) { entitlement(key: $key) { ${ENTITLEMENT_FIELDS} } }`, entitlement.key);
    const { key, name, description, kind, period, defaultValue } = entitlement;
    if (!existing) {
      await must('mutation ($input: CreateEntitlementInput!) { createEntitlement(input: $input) { key } }', { input: { key, name, description, kind, period, defaultValue } });
      report.created.push(`entitlement ${key}`);
    } else if (existing.status === 'ACTIVE' && entitlementShape(existing) !== entitlementShape(entitlement)) {
      if (existing.kind !== kind) throw new Error(`Entitlement "${key}" exists with kind ${existing.kind}, not ${kind}: archive it or pick another key`);
      await must('mutation ($key: String!, $version: Int!, $input: UpdateEntitlementInput!) { updateEntitlement(key: $key, version: $version, input: $input) { key } }', {
        key, version: existing.version, input: { name, description, period, defaultValue },
      });
      report.updated.push(`entitlement ${key}`);
    } else {
      report.unchanged.push(`entitlement ${key}`);
    }
  }

  for (const seed of RULES) {
    const existing = await find(`query ($key: String!) { entitlementRule(key: $key) { ${RULE_FIELDS} } }`, seed.key);
    const { key, effect, enabled, ...fields } = seed;
    if (!existing) {
      await must('mutation ($input: CreateEntitlementRuleInput!) { createEntitlementRule(input: $input) { key } }', { input: { key, effect, enabled, ...fields } });
      report.created.push(`rule ${key}`);
      continue;
    }
    if (existing.status !== 'ACTIVE' || ruleShape(existing) === ruleShape(seed)) {
      report.unchanged.push(`rule ${key}`);
      continue;
    }
    if (existing.effect !== effect) throw new Error(`Rule "${key}" exists with effect ${existing.effect}, not ${effect}: archive it or pick another key`);
    const updated = await must(
      'mutation ($key: String!, $version: Int!, $input: UpdateEntitlementRuleInput!) { updateEntitlementRule(key: $key, version: $version, input: $input) { version } }',
      { key, version: existing.version, input: fields },
    );
    if (existing.enabled !== enabled) {
      await must('mutation ($key: String!, $version: Int!, $enabled: Boolean!) { setEntitlementRuleEnabled(key: $key, version: $version, enabled: $enabled) { key } }', {
        key, version: updated.updateEntitlementRule.version, enabled,
      });
    }
    report.updated.push(`rule ${key}`);
  }
  return report;
}
