import { ENTITLEMENTS, RULES, seedRules } from './product-rules';
import { startTestServer, type TestServer } from '../../src/testing/harness';

const DAY = 86_400_000;
// Midnight (UTC) today: trackEvents refuses events ahead of real time, so events are placed at or
// before it and the server's entitlement clock is moved forward instead.
const BASE = Math.floor(Date.now() / DAY) * DAY;
const NOON = BASE + 12 * 3600_000;
let clock = NOON;

let server: TestServer;
let sdkKey: string;

async function must(query: string, variables?: Record<string, unknown>, key?: string) {
  const result = await server.gql(query, variables, key);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

/** The user's entitlements as { key: value }, `days` days after today noon. */
async function entitlementsOf(user: { id: string; tier?: string }, days = 0): Promise<Record<string, unknown>> {
  clock = NOON + days * DAY;
  try {
    const result = await must('query ($user: UserContextInput!) { resolve(user: $user) { entitlements { key value } } }', { user }, sdkKey);
    return Object.fromEntries(result.resolve.entitlements.map((e: { key: string; value: unknown }) => [e.key, e.value]));
  } finally {
    clock = NOON;
  }
}

/** Events of one type, `values` one each, at the given time (default: just after midnight today). */
async function track(userId: string, type: string, values: (number | null)[], time = BASE + 60_000) {
  const events = values.map((value, i) => ({ id: `${userId}-${type}-${time}-${i}`, userId, type, value, occurredAt: new Date(time).toISOString() }));
  const result = await must('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted rejected { message } } }', { events });
  expect(result.trackEvents).toEqual({ accepted: values.length, rejected: [] });
}

beforeAll(async () => {
  server = await startTestServer({ now: () => new Date(clock) });
  sdkKey = await server.createKey('SDK');
});
afterAll(async () => {
  await server?.close();
});

describe('npm run seed:rules', () => {
  it('loads the teams’ entitlements and rules through the API, and a second run changes nothing', async () => {
    const first = await seedRules(server.url, server.adminKey);
    expect(first.created).toEqual(['experiment advisor-pilot (draft)', ...ENTITLEMENTS.map((e) => `entitlement ${e.key}`), ...RULES.map((r) => `rule ${r.key}`)]);
    const second = await seedRules(server.url, server.adminKey);
    expect(second).toEqual({ created: [], updated: [], unchanged: [...ENTITLEMENTS.map((e) => `entitlement ${e.key}`), ...RULES.map((r) => `rule ${r.key}`)] });
  });

  it('puts back a rule someone changed', async () => {
    await must('mutation { setEntitlementRuleEnabled(key: "winback-day-7", version: 1, enabled: false) { version } }');
    await must('mutation { updateEntitlementRule(key: "winback-day-7", version: 2, input: { priority: 3 }) { version } }');
    const report = await seedRules(server.url, server.adminKey);
    expect(report.updated).toEqual(['rule winback-day-7']);
    const rule = (await must('{ entitlementRule(key: "winback-day-7") { enabled priority version } }')).entitlementRule;
    expect(rule).toEqual({ enabled: true, priority: 0, version: 5 });
  });
});

describe('genuine versus hollow activity', () => {
  const GENUINE = { 'checkin-bonus': 1, 'task-rewards': 5, 'genuine-activity': true };
  const HOLLOW = { 'task-rewards': 1 };

  it('paid more than 100 in the last 30 days: 101 is genuine; 99 and exactly 100 are hollow', async () => {
    await track('paid-101', 'payment', [60, 41]);
    await track('paid-99', 'payment', [60, 39]);
    await track('paid-100', 'payment', [100]);
    expect(await entitlementsOf({ id: 'paid-101' })).toEqual(GENUINE);
    expect(await entitlementsOf({ id: 'paid-99' })).toEqual(HOLLOW);
    expect(await entitlementsOf({ id: 'paid-100' })).toEqual(HOLLOW);
    // Thirty days on, the payments have left the window (today and the 29 days before it).
    expect(await entitlementsOf({ id: 'paid-101' }, 29)).toMatchObject(GENUINE);
    const later = await entitlementsOf({ id: 'paid-101' }, 30);
    expect(later).toMatchObject(HOLLOW);
    expect(later).not.toHaveProperty('genuine-activity');
  });

  it('3 or more posts in the last 7 days: 3 is genuine, 2 is hollow', async () => {
    await track('posts-3', 'post', [null, null], BASE - 6 * DAY); // the window's first day
    await track('posts-3', 'post', [null]);
    await track('posts-2', 'post', [null], BASE - 7 * DAY); // a day too early
    await track('posts-2', 'post', [null, null]);
    expect(await entitlementsOf({ id: 'posts-3' })).toEqual(GENUINE);
    expect(await entitlementsOf({ id: 'posts-2' })).toEqual(HOLLOW);
  });

  it('10 or more comments and likes together in the last 30 days: 10 is genuine, 9 is hollow', async () => {
    await track('likes-10', 'comment', [null, null, null, null]);
    await track('likes-10', 'like', [null, null, null, null, null, null], BASE - 20 * DAY);
    await track('likes-9', 'comment', [null, null, null]);
    await track('likes-9', 'like', [null, null, null, null, null, null]);
    expect(await entitlementsOf({ id: 'likes-10' })).toEqual(GENUINE);
    expect(await entitlementsOf({ id: 'likes-9' })).toEqual(HOLLOW);
  });

  it('withholds rewards whatever the tier, and not from users who were never seen', async () => {
    await track('hollow-vip', 'app_open', [null]);
    expect(await entitlementsOf({ id: 'hollow-vip', tier: 'high_value' })).toEqual(HOLLOW);
    expect(await entitlementsOf({ id: 'newcomer', tier: 'new' })).toEqual({ 'checkin-bonus': 1, 'task-rewards': 1 });
  });

  it('is explained condition by condition', async () => {
    const explained = (await must('query { explainEntitlements(user: { id: "paid-99" }) { rules { ruleKey status conditions { condition held actual } } } }')).explainEntitlements;
    const hollow = explained.rules.find((r: { ruleKey: string }) => r.ruleKey === 'hollow-activity');
    expect(hollow).toEqual({
      ruleKey: 'hollow-activity',
      status: 'APPLIED',
      conditions: [
        { condition: 'days since last active <= 29', held: true, actual: 0 },
        { condition: 'sum of the values of payment events over the last 30 days <= 100', held: true, actual: 99 },
        { condition: 'number of post events over the last 7 days < 3', held: true, actual: 0 },
        { condition: 'number of comment or like events over the last 30 days < 10', held: true, actual: 0 },
      ],
    });
  });
});

describe('win-back after 3 days away', () => {
  const COUPON = { amount: 5, currency: 'CNY', minSpend: 0 };
  const CORE = { 'checkin-bonus': 1, 'task-rewards': 5, 'genuine-activity': true };

  it('day 1 (3 days away): the pop-up and the 5-unit no-minimum coupon; not at 2 days, not on day 2', async () => {
    await track('core-user', 'payment', [150]);
    expect(await entitlementsOf({ id: 'core-user' }, 2)).toEqual(CORE);
    expect(await entitlementsOf({ id: 'core-user' }, 3)).toEqual({ ...CORE, 'recall-popup': true, 'recall-coupon': COUPON });
    expect(await entitlementsOf({ id: 'core-user' }, 4)).toEqual(CORE);
  });

  it('day 3 (5 days away): personalised content and support; day 7 (9 days away): the survey; nothing past 30 days away', async () => {
    expect(await entitlementsOf({ id: 'core-user' }, 4)).not.toHaveProperty('dedicated-support');
    expect(await entitlementsOf({ id: 'core-user' }, 5)).toEqual({ ...CORE, 'personalised-content': true, 'dedicated-support': true });
    expect(await entitlementsOf({ id: 'core-user' }, 8)).not.toHaveProperty('recall-survey');
    expect(await entitlementsOf({ id: 'core-user' }, 9)).toEqual({ ...CORE, 'personalised-content': true, 'dedicated-support': true, 'recall-survey': true });
    expect(await entitlementsOf({ id: 'core-user' }, 31)).toEqual({ 'checkin-bonus': 1, 'task-rewards': 1 });
  });

  it('ends when the user comes back, and withholds the coupon from hollow users', async () => {
    await track('returning', 'payment', [150], BASE - 3 * DAY);
    expect(await entitlementsOf({ id: 'returning' })).toHaveProperty('recall-coupon');
    await track('returning', 'app_open', [null]);
    expect(await entitlementsOf({ id: 'returning' })).toEqual(CORE);

    await track('hollow-away', 'app_open', [null], BASE - 3 * DAY);
    expect(await entitlementsOf({ id: 'hollow-away' })).toEqual({ 'task-rewards': 1, 'recall-popup': true });
  });
});

describe('the advisor pilot', () => {
  it('gives the advisor and the event invitation to the advisor arm only', async () => {
    await must('mutation { startExperiment(key: "advisor-pilot", version: 1) { status } }');
    await must('mutation { setForcedAssignment(experimentKey: "advisor-pilot", userId: "vip-a", variantKey: "advisor") { userId } }');
    await must('mutation { setForcedAssignment(experimentKey: "advisor-pilot", userId: "vip-c", variantKey: "control") { userId } }');
    await server.uplift.snapshots.refresh();
    expect(await entitlementsOf({ id: 'vip-a', tier: 'high_value' })).toEqual({ 'checkin-bonus': 1, 'task-rewards': 1, advisor: true, 'offline-event-invitation': true });
    expect(await entitlementsOf({ id: 'vip-c', tier: 'high_value' })).toEqual({ 'checkin-bonus': 1, 'task-rewards': 1 });
  });
});
