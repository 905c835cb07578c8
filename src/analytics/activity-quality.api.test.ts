import { mulberry32 } from '../common/random';
import { foldMetricValues, rebuildMetricValues } from './metric-values';
import { startTestServer, type TestServer } from '../testing/harness';

/**
 * Activity quality (issue 12, item 9): genuine_activity_rate and hollow_activity_rate through the
 * real server, events sent with trackEvents, against an independent computation of the teams' rule
 * from the raw events written here in plain TypeScript: paid more than 100, or 3 posts within some
 * 7 consecutive days, or 10 comments and likes, within days 0 to 29 (x: the same over days -14 to -1).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const DAY_MS = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY_MS);

interface UserEvent {
  type: string;
  day: number;
  value?: number;
}
interface Fixture {
  user: string;
  variant: string;
  daysAgo: number;
  events: UserEvent[];
}

/** The rule over days `from` to `to` of the user's events (days relative to exposure): whether active, whether genuine. */
function verdict(events: UserEvent[], from: number, to: number): { active: boolean; genuine: boolean } {
  const within = events.filter((e) => e.day >= from && e.day <= to);
  const paid = within.filter((e) => e.type === 'payment').reduce((sum, e) => sum + (e.value ?? 0), 0);
  const reactions = within.filter((e) => e.type === 'comment' || e.type === 'like').length;
  let postsInSomeWeek = false;
  for (let start = from; start <= to; start++) {
    const posts = within.filter((e) => e.type === 'post' && e.day >= start && e.day <= start + 6).length;
    if (posts >= 3) postsInSomeWeek = true;
  }
  return { active: within.length > 0, genuine: paid > 100 || postsInSomeWeek || reactions >= 10 };
}

/** What each exposure should hold for both metrics: rows only for users with an event on days -14 to 29. */
function expectedValues(experimentKey: string, fixtures: Fixture[]): Record<string, { y: number; x: number }> {
  const values: Record<string, { y: number; x: number }> = {};
  for (const f of fixtures) {
    if (!f.events.some((e) => e.day >= -14 && e.day <= 29)) continue;
    const window = verdict(f.events, 0, 29);
    const pre = verdict(f.events, -14, -1);
    values[`${experimentKey}/genuine_activity_rate/${f.user}`] = { y: Number(window.genuine), x: Number(pre.genuine) };
    values[`${experimentKey}/hollow_activity_rate/${f.user}`] = { y: Number(window.active && !window.genuine), x: Number(pre.active && !pre.genuine) };
  }
  return values;
}

async function ok(query: string, variables?: Record<string, unknown>): Promise<any> {
  const result = await server.gql(query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

let eventId = 0;
async function track(experimentDayOf: Map<string, number>, events: { user: string; event: UserEvent }[]): Promise<void> {
  const payload = events.map(({ user, event }) => ({
    id: `aq-${++eventId}`,
    userId: user,
    type: event.type,
    value: event.value ?? null,
    occurredAt: new Date((experimentDayOf.get(user)! + event.day) * DAY_MS + 1_000 + ((eventId * 7_919_000) % (DAY_MS - 2_000))).toISOString(),
  }));
  const data = await ok('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted rejected { message } } }', { events: payload });
  expect(data.trackEvents).toEqual({ accepted: events.length, rejected: [] });
}

const times = (n: number, event: UserEvent): UserEvent[] => Array.from({ length: n }, () => ({ ...event }));

/** The boundaries of each condition, all exposed 40 days ago (their 30 days have passed), in control. */
const BOUNDARIES: Fixture[] = [
  { user: 'paid-100', events: [{ type: 'payment', day: 3, value: 60 }, { type: 'payment', day: 20, value: 40 }] },
  { user: 'paid-100.01', events: [{ type: 'payment', day: 3, value: 60 }, { type: 'payment', day: 20, value: 40.01 }] },
  { user: 'paid-on-day-30', events: [{ type: 'app_open', day: 29 }, { type: 'payment', day: 30, value: 500 }] },
  { user: 'posts-2-in-7', events: [{ type: 'post', day: 5 }, { type: 'post', day: 11 }, { type: 'post', day: 19 }] },
  { user: 'posts-3-in-7', events: [{ type: 'post', day: 5 }, { type: 'post', day: 8 }, { type: 'post', day: 11 }] },
  { user: 'posts-3-over-8', events: [{ type: 'post', day: 5 }, { type: 'post', day: 8 }, { type: 'post', day: 12 }] },
  { user: 'posts-3-on-day-29', events: times(3, { type: 'post', day: 29 }) },
  { user: 'posts-past-window', events: [...times(2, { type: 'post', day: 29 }), { type: 'post', day: 30 }] },
  { user: 'reactions-9', events: [...times(5, { type: 'comment', day: 2 }), ...times(4, { type: 'like', day: 9 })] },
  { user: 'reactions-10', events: [...times(5, { type: 'comment', day: 2 }), ...times(5, { type: 'like', day: 9 })] },
  { user: 'opens-only', events: [{ type: 'app_open', day: 0 }, { type: 'app_open', day: 14 }] },
  { user: 'genuine-before-only', events: times(10, { type: 'comment', day: -3 }) },
  { user: 'active-after-window', events: [{ type: 'app_open', day: 30 }] },
  { user: 'nothing', events: [] },
].map((f) => ({ ...f, variant: 'control', daysAgo: 40 }));

const TWO_ARMS = [
  { key: 'control', name: 'Control', weight: 50, isControl: true },
  { key: 'treatment', name: 'Treatment', weight: 50 },
];
const EXPERIMENTS: [string, string, string[], string[]][] = [
  ['aq', 'genuine_activity_rate', [], ['hollow_activity_rate', 'nps', 'support_response_seconds']],
  ['aq2', 'hollow_activity_rate', ['genuine_activity_rate'], []],
  ['aq3', 'd1_retention', ['hollow_activity_rate'], ['genuine_activity_rate']],
];

describe('activity quality', () => {
  let fixtures: Fixture[];
  const dayOf = new Map<string, number>();

  beforeAll(async () => {
    // Random users in treatment, around every threshold; some of them exposed too recently to count.
    const random = mulberry32(12);
    const randoms: Fixture[] = [];
    for (let u = 0; u < 80; u++) {
      const events: UserEvent[] = [];
      const daysAgo = u < 60 ? 31 + Math.floor(random() * 25) : 20;
      const count = Math.floor(random() * 16);
      for (let i = 0; i < count; i++) {
        const type = ['payment', 'post', 'post', 'comment', 'like', 'app_open'][Math.floor(random() * 6)];
        // Days -14 to 35, none after yesterday.
        const day = Math.min(-14 + Math.floor(random() * 50), daysAgo - 1);
        events.push({ type, day, value: type === 'payment' ? Math.round(random() * 6000) / 100 : undefined });
      }
      randoms.push({ user: `r${u}`, variant: 'treatment', daysAgo, events });
    }
    fixtures = [...BOUNDARIES, ...randoms];
    for (const f of fixtures) dayOf.set(f.user, TODAY - f.daysAgo);

    // Each metric in each role: aq (genuine primary, hollow guardrail), aq2 (hollow primary, genuine secondary), aq3 (hollow secondary, genuine guardrail).
    for (const [key, primary, secondary, guardrails] of EXPERIMENTS) {
      await ok(`mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }`, {
        input: { key, name: key, primaryMetricKey: primary, secondaryMetricKeys: secondary, guardrailMetricKeys: guardrails, variants: TWO_ARMS },
      });
      await ok('mutation ($key: String!) { startExperiment(key: $key, version: 1) { status } }', { key });
    }

    // Events before exposures, exposures, then the rest side by side with folds: every writer's path.
    const all = fixtures.flatMap((f) => f.events.map((event) => ({ user: f.user, event })));
    const early = all.filter((_, i) => i % 3 === 0);
    const late = all.filter((_, i) => i % 3 !== 0);
    await track(dayOf, early);
    for (const [experimentKey] of EXPERIMENTS) {
      await server.expose(fixtures.map((f) => ({ experimentKey, phase: 1, userId: f.user, variantKey: f.variant, tier: null, exposedAt: new Date(dayOf.get(f.user)! * DAY_MS + 500) })));
    }
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < late.length; i += 40) writes.push(track(dayOf, late.slice(i, i + 40)));
    for (let i = 0; i < 3; i++) writes.push(foldMetricValues(server.uplift.dataSource.manager));
    await Promise.all(writes);
    // Survey answers and support responses for the guardrails: treatment's NPS 50 points below control's, its support slower than 90 s.
    const survey = (user: string, values: number[], type: string) => {
      const events = values.map((value, i) => ({ type, day: 1 + i, value }));
      fixtures.find((f) => f.user === user)!.events.push(...events);
      return events.map((event) => ({ user, event }));
    };
    await track(dayOf, [
      ...survey('paid-100', [100, 100, 0, -100], 'nps_response'),
      ...survey('r1', [100, 0, -100, -100], 'nps_response'),
      ...survey('reactions-9', [30, 40], 'support_response'),
      ...survey('r2', [120, 100], 'support_response'),
    ]);
  }, 60_000);

  it('hold, per exposure, the rule’s verdict from the raw events, at every boundary', async () => {
    const expected: Record<string, { y: number; x: number }> = Object.assign({}, ...EXPERIMENTS.map(([key]) => expectedValues(key, fixtures)));
    const verdictOf = (user: string) => expected[`aq/genuine_activity_rate/${user}`]?.y;
    const hollowOf = (user: string) => expected[`aq/hollow_activity_rate/${user}`]?.y;
    // The oracle itself, at the boundaries the teams' rule draws (100 against 100.01 paid, 2 against 3 posts in 7 days, 9 against 10 reactions).
    expect(['paid-100', 'paid-100.01', 'posts-2-in-7', 'posts-3-in-7', 'posts-3-over-8', 'posts-3-on-day-29', 'posts-past-window', 'reactions-9', 'reactions-10'].map(verdictOf)).toEqual([0, 1, 0, 1, 0, 1, 0, 0, 1]);
    expect(['paid-100', 'posts-3-over-8', 'reactions-9', 'opens-only', 'paid-on-day-30', 'reactions-10'].map(hollowOf)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(expected['aq/genuine_activity_rate/genuine-before-only']).toEqual({ y: 0, x: 1 });
    expect(expected['aq/genuine_activity_rate/active-after-window']).toBeUndefined();
    // Plenty of both verdicts among the random users, for the comparison to mean something.
    const randomVerdicts = Object.entries(expected).filter(([key]) => key.includes('/r'));
    expect(randomVerdicts.filter(([key, v]) => key.includes('genuine') && v.y === 1).length).toBeGreaterThan(8);
    expect(randomVerdicts.filter(([key, v]) => key.includes('hollow') && v.y === 1).length).toBeGreaterThan(8);

    await foldMetricValues(server.uplift.dataSource.manager);
    const read = async (query: (sql: string) => Promise<any[]>) =>
      Object.fromEntries(
        (await query(`SELECT experiment_key, metric_key, user_id, y, x FROM exposure_metric_values WHERE metric_key IN ('genuine_activity_rate', 'hollow_activity_rate')`)).map((r) => [
          `${r.experiment_key}/${r.metric_key}/${r.user_id}`,
          { y: r.y, x: r.x },
        ]),
      );
    const stored = await read((sql) => server.uplift.dataSource.query(sql));
    expect(stored).toEqual(expected);
    // A rebuild from the daily summaries (as after a metric change) gives the same, rolled back afterwards.
    const runner = server.uplift.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await rebuildMetricValues(runner.manager, null);
      expect(await read((sql) => runner.query(sql))).toEqual(expected);
      await rebuildMetricValues(runner.manager, 'hollow_activity_rate');
      expect(await read((sql) => runner.query(sql))).toEqual(expected);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('are shares of every exposed user whose 30 days have passed, as primary, secondary and guardrail', async () => {
    const expected = expectedValues('aq', fixtures);
    const counted = fixtures.filter((f) => f.daysAgo >= 30);
    const roles: string[] = [];
    let data: any;
    for (const [key] of EXPERIMENTS) {
      data = await ok(`query ($key: String!) { experimentResults(key: $key) {
        metrics { metricKey role arms { variantKey users value } }
        guardrailProblems { metricKey variantKey kind message } } }`, { key });
      for (const result of data.experimentResults.metrics.filter((m: any) => m.metricKey.endsWith('_activity_rate'))) {
        roles.push(`${result.metricKey} ${result.role}`);
        for (const variant of ['control', 'treatment']) {
          const users = counted.filter((f) => f.variant === variant);
          const share = users.reduce((sum, f) => sum + (expected[`aq/${result.metricKey}/${f.user}`]?.y ?? 0), 0) / users.length;
          const arm = result.arms.find((a: any) => a.variantKey === variant);
          // Every exposed user counts, those with no event at all included: never only the "active" ones.
          expect(arm.users).toBe(users.length);
          expect(arm.value).toBeCloseTo(share, 10);
        }
      }
      if (key === 'aq') {
        // NPS: 25 in control against -25 in treatment, more than the 5 points allowed; support response 110 s, above 90.
        const problems = data.experimentResults.guardrailProblems;
        expect(problems).toEqual(expect.arrayContaining([
          expect.objectContaining({ metricKey: 'nps', variantKey: 'treatment', kind: 'THRESHOLD' }),
          expect.objectContaining({ metricKey: 'support_response_seconds', variantKey: 'treatment', kind: 'THRESHOLD' }),
        ]));
        const nps = data.experimentResults.metrics.find((m: any) => m.metricKey === 'nps');
        expect(nps.arms.map((a: any) => a.value)).toEqual([25, -25]);
      }
    }
    expect(roles.sort()).toEqual(['PRIMARY', 'SECONDARY', 'GUARDRAIL'].flatMap((role) => [`genuine_activity_rate ${role}`, `hollow_activity_rate ${role}`]).sort());
  });

  it('refuse event types, which the rule names itself, and a drop threshold that is not positive', async () => {
    const create = (input: string) => server.gql(`mutation { createMetric(input: { key: "q", name: "q", ${input} }) { key } }`);
    const withTypes = await create('kind: GENUINE_ACTIVITY, windowDays: 30, eventTypes: ["post"]');
    expect(withTypes.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INVALID_METRIC' }) })]);
    const badDrop = await create('kind: MEAN, eventTypes: ["nps_response"], windowDays: 30, alertDropBelowControl: 0');
    expect(badDrop.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'INVALID_METRIC' }) })]);
    const made = await ok('mutation { createMetric(input: { key: "hollow_7d", name: "Hollow (7 days)", kind: HOLLOW_ACTIVITY, windowDays: 7 }) { key kind eventTypes } }');
    expect(made.createMetric).toEqual({ key: 'hollow_7d', kind: 'HOLLOW_ACTIVITY', eventTypes: [] });
  });
});
