import { Client } from 'pg';
import { errorCode, startSecondInstance, startTestServer, type TestServer } from '../testing/harness';
import { RESULTS_JOB_LOCK } from './results.job';

/**
 * Results through the real server on small hand-built data. Exposures are written by the fixture
 * (`server.expose`), as only fixtures can backdate them; events go through trackEvents. Expected numbers are computed by
 * hand or with SciPy (scipy.stats.ttest_ind(equal_var=False), scipy.stats.norm), as noted at each.
 */
let server: TestServer;
let analystKey: string;
let sdkKey: string;

const DAY_MS = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY_MS) * DAY_MS;
/** Exposure at 01:00 UTC, `daysAgo` UTC days before today. */
const exposedAt = (daysAgo: number) => new Date(TODAY - daysAgo * DAY_MS + 3_600_000);

interface Exposed {
  user: string;
  variant: string;
  tier?: string;
  daysAgo: number;
}

function expose(experimentKey: string, users: Exposed[]): Promise<void> {
  return server.expose(users.map((u) => ({ experimentKey, phase: 1, userId: u.user, variantKey: u.variant, tier: u.tier ?? null, exposedAt: exposedAt(u.daysAgo) })));
}

let eventId = 0;
/** An event `day` UTC days after the user's exposure day (day 0), at `hour` UTC (default noon). */
async function track(exposure: Map<string, number>, events: { user: string; type: string; day: number; value?: number; hour?: number }[]): Promise<void> {
  const payload = events.map((e) => ({
    id: `ev-${++eventId}`,
    userId: e.user,
    type: e.type,
    value: e.value ?? null,
    occurredAt: new Date(TODAY - exposure.get(e.user)! * DAY_MS + e.day * DAY_MS + (e.hour ?? 12) * 3_600_000).toISOString(),
  }));
  const result = await server.gql('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted rejected { message } } }', { events: payload });
  expect(result.data.trackEvents).toEqual({ accepted: events.length, rejected: [] });
}

async function ok<T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T> {
  const result = await server.gql(query, variables, key);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

/** What asking for results must not change: the experiment's snapshots, row, status history and audit entries. */
async function storedRows(experimentKey: string): Promise<{ snapshots: number; experiment: unknown; statusChanges: number; auditEntries: number }> {
  const query = (sql: string) => server.uplift.dataSource.query(sql, [experimentKey]);
  const [{ snapshots }] = await query('SELECT count(*)::int AS snapshots FROM experiment_result_snapshots WHERE experiment_key = $1');
  const [experiment] = await query('SELECT status, version, updated_at::text FROM experiments WHERE key = $1');
  const [{ changes }] = await query('SELECT count(*)::int AS changes FROM experiment_status_changes c JOIN experiments e ON e.id = c.experiment_id WHERE e.key = $1');
  const [{ entries }] = await query('SELECT count(*)::int AS entries FROM audit_log WHERE entity_key = $1');
  return { snapshots, experiment, statusChanges: changes, auditEntries: entries };
}

async function createMetric(input: Record<string, unknown>): Promise<void> {
  await ok('mutation ($input: CreateMetricInput!) { createMetric(input: $input) { key } }', { input });
}

async function startExperiment(input: Record<string, unknown>): Promise<void> {
  await ok('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', { input });
  await ok('mutation ($key: String!) { startExperiment(key: $key, version: 1) { status } }', { key: input.key });
}

const TWO_ARMS = [
  { key: 'control', name: 'Control', weight: 50, isControl: true },
  { key: 'treatment', name: 'Treatment', weight: 50 },
];

const RESULTS = `query ($key: String!, $segmentBy: SegmentBy, $adjustment: PValueAdjustmentMethod, $sequential: Boolean) {
  experimentResults(key: $key, segmentBy: $segmentBy, adjustment: $adjustment, sequential: $sequential) {
    experimentKey phase computedAt asOfDay status segmentBy adjustment autoPaused guardrailStatus
    exposures { variantKey isControl users expectedShare }
    sampleRatio { chiSquare degreesOfFreedom pValue mismatch }
    metrics { ...metric }
    segments { tier exposures { variantKey users } metrics { ...metric } }
    guardrailProblems { metricKey variantKey kind status safeSideBound breachedAlwaysValid message } autoPauseWarranted
    recommendation { action variantKey estimatedDaysToPower reason }
    plan { source type baseline minimumDetectableLift power alpha plannedUsersPerArm plannedEndDay usersPerArm progress horizonReached decidedOnDay earlyLookAlpha }
  }
}
fragment metric on MetricResult {
  metricKey kind role higherIsBetter
  arms { variantKey isControl users value interval { lower upper } }
  comparisons {
    variantKey absoluteLift absoluteLiftInterval { lower upper } relativeLift relativeLiftInterval { lower upper } pValue relativeLiftPValue methods { pValue absoluteLiftInterval relativeLiftInterval relativeLiftPValue } adjustedPValue family { role method size sides } significant improvement
    cuped { applied theta varianceReduction absoluteLift absoluteLiftInterval { lower upper } pValue }
    chanceToBeatControl expectedLossIfShipped sequential { pValue absoluteLiftInterval { lower upper } }
  }
}`;

/** The same selection through the mutation that stores a snapshot and acts on guardrails (as the results job does). */
const REFRESH = RESULTS.replace(/^query/, 'mutation').replace('experimentResults(', 'refreshExperimentResults(');

const metricOf = (results: any, key: string) => results.metrics.find((m: any) => m.metricKey === key);
const arm = (metric: any, variant: string) => metric.arms.find((a: any) => a.variantKey === variant);
const versus = (metric: any, variant: string) => metric.comparisons.find((c: any) => c.variantKey === variant);

beforeAll(async () => {
  server = await startTestServer();
  analystKey = await server.createKey('ANALYST');
  sdkKey = await server.createKey('SDK');
});
afterAll(() => server?.close());

describe('every metric kind on hand-built data', () => {
  // Four users per arm, exposed 10 days ago (so every 3-day window and day 2 have passed).
  // Per user (conversion = a purchase on days 0-2; spend = purchase values on days 0-2;
  // opens = app_open events on days 0-2; active on day 2 = any event that day):
  //   c1: 2 opens day 0, purchase 30 day 1            -> converted, spend 30, opens 2, day 2 no
  //   c2: open day 0, open day 2                      -> no, 0, 2, day 2 yes
  //   c3: open day 0, purchase 100 on day 5           -> no (outside the window), 0, 1, no
  //   c4: nothing                                      -> no, 0, 0, no
  //   t1: purchase 20 at 00:30 of day 0 (before the 01:00 exposure: day 0 counts whole), open day 0
  //                                                    -> converted, 20, 1, no
  //   t2: 3 opens day 1, open and purchase 80 day 2   -> converted, 80, 4, yes
  //   t3: open day 2                                   -> no, 0, 1, yes
  //   t4: purchase 10 three days before exposure, 2 opens day 0 -> no, 0, 2, no
  const users: Exposed[] = [
    { user: 'c1', variant: 'control', tier: 'new', daysAgo: 10 },
    { user: 'c2', variant: 'control', tier: 'new', daysAgo: 10 },
    { user: 'c3', variant: 'control', tier: 'regular', daysAgo: 10 },
    { user: 'c4', variant: 'control', tier: 'regular', daysAgo: 10 },
    { user: 't1', variant: 'treatment', tier: 'new', daysAgo: 10 },
    { user: 't2', variant: 'treatment', tier: 'new', daysAgo: 10 },
    { user: 't3', variant: 'treatment', tier: 'regular', daysAgo: 10 },
    { user: 't4', variant: 'treatment', tier: 'regular', daysAgo: 10 },
  ];
  let results: any;

  beforeAll(async () => {
    await createMetric({ key: 'purchase_3d', name: 'Purchase (3 days)', kind: 'CONVERSION', eventTypes: ['purchase'], windowDays: 3 });
    await createMetric({ key: 'd2_active', name: 'D2 retention', kind: 'RETENTION', retentionDay: 2 });
    await createMetric({ key: 'spend_3d', name: 'Spend (3 days)', kind: 'MEAN', eventTypes: ['purchase'], windowDays: 3 });
    await createMetric({ key: 'spend_3d_capped', name: 'Spend capped at 50', kind: 'MEAN', eventTypes: ['purchase'], windowDays: 3, capValue: 50 });
    await createMetric({ key: 'spend_3d_p90', name: 'Spend capped at its 90th percentile', kind: 'MEAN', eventTypes: ['purchase'], windowDays: 3, capPercentile: 0.9 });
    await createMetric({ key: 'opens_3d', name: 'Opens (3 days)', kind: 'COUNT', eventTypes: ['app_open'], windowDays: 3 });
    await createMetric({
      key: 'spend_per_open', name: 'Spend per open', kind: 'RATIO', windowDays: 3,
      eventTypes: ['purchase'], numeratorSource: 'VALUE_SUM', denominatorEventTypes: ['app_open'], denominatorSource: 'EVENT_COUNT',
    });
    await startExperiment({
      key: 'kinds', name: 'Kinds', variants: TWO_ARMS, primaryMetricKey: 'purchase_3d',
      secondaryMetricKeys: ['d2_active', 'spend_3d', 'spend_3d_capped', 'spend_3d_p90', 'opens_3d', 'spend_per_open'],
    });
    await expose('kinds', users);
    const days = new Map(users.map((u) => [u.user, u.daysAgo]));
    await track(days, [
      { user: 'c1', type: 'app_open', day: 0 }, { user: 'c1', type: 'app_open', day: 0 }, { user: 'c1', type: 'purchase', day: 1, value: 30 },
      { user: 'c2', type: 'app_open', day: 0 }, { user: 'c2', type: 'app_open', day: 2 },
      { user: 'c3', type: 'app_open', day: 0 }, { user: 'c3', type: 'purchase', day: 5, value: 100 },
      { user: 't1', type: 'purchase', day: 0, value: 20, hour: 0.5 }, { user: 't1', type: 'app_open', day: 0 },
      { user: 't2', type: 'app_open', day: 1 }, { user: 't2', type: 'app_open', day: 1 }, { user: 't2', type: 'app_open', day: 1 },
      { user: 't2', type: 'app_open', day: 2 }, { user: 't2', type: 'purchase', day: 2, value: 80 },
      { user: 't3', type: 'app_open', day: 2 },
      { user: 't4', type: 'purchase', day: -3, value: 10 }, { user: 't4', type: 'app_open', day: 0 }, { user: 't4', type: 'app_open', day: 0 },
    ]);
    results = (await ok(RESULTS, { key: 'kinds' }, analystKey)).experimentResults;
  });

  it('reports exposures and the sample ratio check', () => {
    expect(results.exposures).toEqual([
      { variantKey: 'control', isControl: true, users: 4, expectedShare: 0.5 },
      { variantKey: 'treatment', isControl: false, users: 4, expectedShare: 0.5 },
    ]);
    expect(results.sampleRatio).toMatchObject({ chiSquare: 0, degreesOfFreedom: 1, pValue: 1, mismatch: false });
    expect(results.metrics.map((m: any) => [m.metricKey, m.role])).toEqual([
      ['purchase_3d', 'PRIMARY'], ['d2_active', 'SECONDARY'], ['spend_3d', 'SECONDARY'], ['spend_3d_capped', 'SECONDARY'], ['spend_3d_p90', 'SECONDARY'], ['opens_3d', 'SECONDARY'], ['spend_per_open', 'SECONDARY'],
    ]);
  });

  it('CONVERSION: the share of users with the event in days 0 to W-1, counting the exposure day whole', () => {
    const metric = metricOf(results, 'purchase_3d');
    expect(arm(metric, 'control')).toMatchObject({ users: 4, value: 0.25 });
    expect(arm(metric, 'treatment')).toMatchObject({ users: 4, value: 0.5 });
    // Wilson score interval of 1/4, prop.test(1, 4, correct = FALSE)$conf.int by hand: z^2/n = 0.960365,
    // centre (0.25 + 0.480182) / 1.960365 = 0.372473, half width (1.959964 / 1.960365) * sqrt(0.046875 + 0.060023)
    // = 0.326885 -> [0.04558726, 0.6993582] (the clamped Wald interval was [0, 0.674345]).
    expect(arm(metric, 'control').interval.lower).toBeCloseTo(0.04558726, 7);
    expect(arm(metric, 'control').interval.upper).toBeCloseTo(0.6993582, 6);
    // Pooled z-test 1/4 vs 2/4 (scipy.stats.norm): p = 0.4652088; Wald interval of the difference
    // 0.25 -/+ 1.959964 * sqrt(0.1875/4 + 0.25/4) = [-0.3981972, 0.8981972]; relative lift 0.5/0.25 - 1 = 1.
    const c = versus(metric, 'treatment');
    expect(c.absoluteLift).toBeCloseTo(0.25, 12);
    expect(c.pValue).toBeCloseTo(0.4652088, 6);
    expect(c.absoluteLiftInterval.lower).toBeCloseTo(-0.3981972, 6);
    expect(c.absoluteLiftInterval.upper).toBeCloseTo(0.8981972, 6);
    expect(c.relativeLift).toBeCloseTo(1, 12);
    // The lift's own interval and p (gbstats' convention): delta-method SE sqrt(0.0625/0.25^2 + 0.5^2 * 0.046875/0.25^4) = 2,
    // Welch df = 0.109375^2 / (0.046875^2/3 + 0.0625^2/3) = 5.88; qt(0.975, 5.88) = 2.4590678 and
    // 2*pt(-0.5, 5.88) = 0.6352312 (scipy.stats.t): interval 1 -/+ 4.9181357.
    expect(c.relativeLiftInterval.lower).toBeCloseTo(1 - 4.9181357, 5);
    expect(c.relativeLiftInterval.upper).toBeCloseTo(1 + 4.9181357, 5);
    expect(c.relativeLiftPValue).toBeCloseTo(0.6352312, 6);
    expect(c.methods).toEqual({ pValue: 'POOLED_Z', absoluteLiftInterval: 'WALD_UNPOOLED', relativeLiftInterval: 'DELTA_WELCH_T', relativeLiftPValue: 'DELTA_WELCH_T' });
    expect(c).toMatchObject({ significant: false, improvement: true });
  });

  it('RETENTION: the share of users active on day n', () => {
    const metric = metricOf(results, 'd2_active');
    expect(arm(metric, 'control')).toMatchObject({ users: 4, value: 0.25 });
    expect(arm(metric, 'treatment')).toMatchObject({ users: 4, value: 0.5 });
  });

  it('MEAN, capped MEAN and COUNT: Welch comparisons of per-user sums', () => {
    // spend per user: control [30, 0, 0, 0], treatment [20, 80, 0, 0] (t4's purchase was before exposure).
    // scipy.stats.ttest_ind(t, c, equal_var=False): t = 0.8594728, df = 3.9192096, p = 0.4394708,
    // 95% interval [-39.494656, 74.494656]. Control's own t interval: 7.5 -/+ qt(0.975, 3) * 15 / 2 = [-16.368347, 31.368347].
    const spend = metricOf(results, 'spend_3d');
    expect(arm(spend, 'control').value).toBeCloseTo(7.5, 12);
    expect(arm(spend, 'control').interval.lower).toBeCloseTo(-16.368347, 5);
    expect(arm(spend, 'control').interval.upper).toBeCloseTo(31.368347, 5);
    expect(arm(spend, 'treatment').value).toBeCloseTo(25, 12);
    const s = versus(spend, 'treatment');
    expect(s.absoluteLift).toBeCloseTo(17.5, 12);
    expect(s.pValue).toBeCloseTo(0.4394708, 6);
    expect(s.absoluteLiftInterval.lower).toBeCloseTo(-39.494656, 5);
    expect(s.absoluteLiftInterval.upper).toBeCloseTo(74.494656, 5);
    expect(s.relativeLift).toBeCloseTo(25 / 7.5 - 1, 12);
    // Capped at 50: treatment [20, 50, 0, 0], mean 17.5; Welch p = 0.5063471, interval [-25.802893, 45.802893].
    const capped = metricOf(results, 'spend_3d_capped');
    expect(arm(capped, 'treatment').value).toBeCloseTo(17.5, 12);
    expect(versus(capped, 'treatment').pValue).toBeCloseTo(0.5063471, 6);
    expect(versus(capped, 'treatment').absoluteLiftInterval.upper).toBeCloseTo(45.802893, 5);
    // Capped at the 90th percentile of all 8 users' spend [0, 0, 0, 0, 0, 20, 30, 80]: PostgreSQL's
    // percentile_cont interpolates at position 0.9 * 7 = 6.3, 30 + 0.3 * (80 - 30) = 45;
    // treatment [20, 45, 0, 0] has mean 16.25, control is unchanged at 7.5.
    const p90 = metricOf(results, 'spend_3d_p90');
    expect(arm(p90, 'control').value).toBeCloseTo(7.5, 12);
    expect(arm(p90, 'treatment').value).toBeCloseTo(16.25, 12);
    // opens per user: control [2, 2, 1, 0] mean 1.25, treatment [1, 4, 1, 2] mean 2; Welch p = 0.4179962,
    // interval [-1.4113535, 2.9113535].
    const opens = metricOf(results, 'opens_3d');
    expect(arm(opens, 'control').value).toBeCloseTo(1.25, 12);
    expect(arm(opens, 'treatment').value).toBeCloseTo(2, 12);
    expect(versus(opens, 'treatment').pValue).toBeCloseTo(0.4179962, 6);
    expect(versus(opens, 'treatment').absoluteLiftInterval.lower).toBeCloseTo(-1.4113535, 6);
  });

  it('adds CUPED with the 14 days before exposure as covariate, and the Bayesian view', () => {
    // spend: X (spend in days -14..-1) is 0 everywhere but t4's 10. By hand: within-arm centred
    // sums: control Sxx = Sxy = 0; treatment mean X 2.5, Sxx = 100 - 4 * 6.25 = 75,
    // Sxy = 0 - 10 * 100 / 4 = -250; theta = -250 / 75 = -3.3333333. Adjusted Y - theta (X - 1.25):
    // control [25.833, -4.167, -4.167, -4.167], treatment [15.833, 75.833, -4.167, 29.167];
    // scipy.stats.ttest_ind(treatment, control, equal_var=False): difference 25.833333,
    // p = 0.2346822, interval [-25.133808, 76.800475]; variance of the difference 1 - 345.1389 / 414.5833 = 0.1675042.
    const cuped = versus(metricOf(results, 'spend_3d'), 'treatment').cuped;
    expect(cuped.applied).toBe(true);
    expect(cuped.theta).toBeCloseTo(-3.3333333, 6);
    expect(cuped.absoluteLift).toBeCloseTo(25.833333, 5);
    expect(cuped.pValue).toBeCloseTo(0.2346822, 6);
    expect(cuped.absoluteLiftInterval.lower).toBeCloseTo(-25.133808, 5);
    expect(cuped.absoluteLiftInterval.upper).toBeCloseTo(76.800475, 5);
    expect(cuped.varianceReduction).toBeCloseTo(0.1675042, 6);
    // No pre-period activity differs within arms for the count of opens: nothing to adjust with.
    expect(versus(metricOf(results, 'opens_3d'), 'treatment').cuped).toMatchObject({ applied: false, theta: 0, varianceReduction: 0 });
    expect(versus(metricOf(results, 'spend_per_open'), 'treatment').cuped).toBeNull();
    // Conversion 1/4 vs 2/4 with uniform priors: control Beta(2, 4), treatment Beta(3, 3).
    // scipy.integrate.quad: P(treatment > control) = 0.7380952 (= 31/42); E[max(control - treatment, 0)] = 0.0429293.
    const bayes = versus(metricOf(results, 'purchase_3d'), 'treatment');
    expect(bayes.chanceToBeatControl).toBeCloseTo(0.7380952, 6);
    expect(bayes.expectedLossIfShipped).toBeCloseTo(0.0429293, 6);
    expect(bayes.sequential).toBeNull();
  });

  it('RATIO: sum over sum with the delta method', () => {
    // Control 30 / 5 opens = 6, treatment 100 / 8 = 12.5. Delta-method variances (numpy, sample
    // moments: (Var Y - 2 R Cov(Y, D) + R^2 Var D) / (n mean(D)^2)): control 26.88, treatment 36.1979167;
    // difference 6.5, SE sqrt(63.0779167) = 7.942161, normal p = 0.4131191, interval [-9.066349, 22.066349].
    const metric = metricOf(results, 'spend_per_open');
    expect(arm(metric, 'control').value).toBeCloseTo(6, 12);
    expect(arm(metric, 'treatment').value).toBeCloseTo(12.5, 12);
    const c = versus(metric, 'treatment');
    expect(c.absoluteLift).toBeCloseTo(6.5, 12);
    expect(c.pValue).toBeCloseTo(0.4131191, 6);
    expect(c.absoluteLiftInterval.lower).toBeCloseTo(-9.066349, 5);
    expect(c.absoluteLiftInterval.upper).toBeCloseTo(22.066349, 5);
  });

  it('segments by tier, each tier on its own', async () => {
    const segmented = (await ok(RESULTS, { key: 'kinds', segmentBy: 'TIER' }, analystKey)).experimentResults;
    expect(segmented.metrics).toEqual(results.metrics);
    expect(segmented.segments.map((s: any) => s.tier)).toEqual(['new', 'regular']);
    const [fresh, regular] = segmented.segments;
    expect(fresh.exposures.map((e: any) => e.users)).toEqual([2, 2]);
    // new: c1 converted, c2 not; t1 and t2 converted. regular: nobody converted.
    expect(arm(metricOf(fresh, 'purchase_3d'), 'control')).toMatchObject({ users: 2, value: 0.5 });
    expect(arm(metricOf(fresh, 'purchase_3d'), 'treatment')).toMatchObject({ users: 2, value: 1 });
    expect(arm(metricOf(regular, 'purchase_3d'), 'treatment')).toMatchObject({ users: 2, value: 0 });
    expect(arm(metricOf(regular, 'spend_3d'), 'treatment').value).toBe(0);
    expect(results.segments).toEqual([]);
  });

  it('keeps each refresh as a dated snapshot; reading results keeps none', async () => {
    const HISTORY = '{ experimentResultHistory(key: "kinds") { computedAt segmentBy metrics { metricKey arms { value } } } }';
    // Every test above read results: none of them stored anything.
    expect((await ok(HISTORY, undefined, analystKey)).experimentResultHistory).toEqual([]);
    const first = (await ok(REFRESH, { key: 'kinds' }, analystKey)).refreshExperimentResults;
    expect(first.metrics).toEqual(results.metrics);
    await ok(REFRESH, { key: 'kinds', segmentBy: 'TIER' }, analystKey);
    const history = (await ok(HISTORY, undefined, analystKey)).experimentResultHistory;
    expect(history.map((h: any) => h.segmentBy)).toEqual(['TIER', 'NONE']);
    expect(Date.parse(history[0].computedAt)).toBeGreaterThanOrEqual(Date.parse(history[1].computedAt));
    expect(Date.parse(history[1].computedAt)).toBe(Date.parse(first.computedAt));
    expect(history[1].metrics[0]).toEqual({ metricKey: 'purchase_3d', arms: [{ value: 0.25 }, { value: 0.5 }] });
  });
});

describe('retention counts only users whose day n has passed', () => {
  it('leaves out users whose day 2 is today or later, instead of counting them as lost', async () => {
    await startExperiment({ key: 'young', name: 'Young', variants: TWO_ARMS, primaryMetricKey: 'd2_active' });
    const users: Exposed[] = [
      { user: 'r1', variant: 'control', daysAgo: 3 }, // day 2 was yesterday: counted, active
      { user: 'r2', variant: 'control', daysAgo: 2 }, // day 2 is today: left out, though already active
      { user: 'r3', variant: 'control', daysAgo: 2 }, // day 2 is today: left out, not lost
      { user: 'r4', variant: 'control', daysAgo: 5 }, // counted, inactive
      { user: 'r5', variant: 'treatment', daysAgo: 4 }, // counted, active
      { user: 'r6', variant: 'treatment', daysAgo: 1 }, // day 2 is tomorrow: left out
    ];
    await expose('young', users);
    await track(new Map(users.map((u) => [u.user, u.daysAgo])), [
      { user: 'r1', type: 'app_open', day: 2 },
      { user: 'r2', type: 'app_open', day: 2, hour: 0 },
      { user: 'r5', type: 'app_open', day: 2 },
    ]);
    const results = (await ok(RESULTS, { key: 'young' })).experimentResults;
    expect(results.exposures.map((e: any) => e.users)).toEqual([4, 2]);
    expect(arm(metricOf(results, 'd2_active'), 'control')).toMatchObject({ users: 2, value: 0.5 });
    expect(arm(metricOf(results, 'd2_active'), 'treatment')).toMatchObject({ users: 1, value: 1 });
  });
});

describe('sample ratio mismatch', () => {
  it('is flagged on a skewed split and makes the recommendation INVESTIGATE', async () => {
    await startExperiment({ key: 'skewed', name: 'Skewed', variants: TWO_ARMS, primaryMetricKey: 'd2_active' });
    await expose('skewed', Array.from({ length: 100 }, (_, i) => ({ user: `s${i}`, variant: i < 30 ? 'control' : 'treatment', daysAgo: 5 })));
    const results = (await ok(RESULTS, { key: 'skewed' })).experimentResults;
    // chisq.test(c(30, 70), p = c(0.5, 0.5)): X-squared = 20^2/50 * 2 = 16, df = 1, p = erfc(sqrt(8)) = 6.334248e-05.
    expect(results.sampleRatio.chiSquare).toBeCloseTo(16, 10);
    expect(results.sampleRatio.pValue).toBeCloseTo(6.334248e-5, 9);
    expect(results.sampleRatio.mismatch).toBe(true);
    expect(results.recommendation).toMatchObject({ action: 'INVESTIGATE', variantKey: null });
    expect(results.recommendation.reason).toMatch(/sample ratio mismatch/i);
  });
});

describe('multiple testing across variants and metrics', () => {
  beforeAll(async () => {
    await createMetric({ key: 'buy_1d', name: 'Buy (day 0)', kind: 'CONVERSION', eventTypes: ['buy'], windowDays: 1 });
    await createMetric({ key: 'share_1d', name: 'Share (day 0)', kind: 'CONVERSION', eventTypes: ['share'], windowDays: 1 });
    await startExperiment({
      key: 'family', name: 'Family', primaryMetricKey: 'buy_1d', secondaryMetricKeys: ['share_1d'],
      variants: [{ key: 'control', name: 'Control', weight: 34, isControl: true }, { key: 'b', name: 'B', weight: 33 }, { key: 'c', name: 'C', weight: 33 }],
    });
    const users: Exposed[] = ['control', 'b', 'c'].flatMap((variant) => Array.from({ length: 40 }, (_, i) => ({ user: `${variant}-${i}`, variant, daysAgo: 3 })));
    await expose('family', users);
    // buy: control 4/40, b 14/40, c 8/40; share: control 10/40, b 12/40, c 22/40.
    const counts: Record<string, [number, number]> = { control: [4, 10], b: [14, 12], c: [8, 22] };
    await track(new Map(users.map((u) => [u.user, u.daysAgo])), Object.entries(counts).flatMap(([variant, [buys, shares]]) => [
      ...Array.from({ length: buys }, (_, i) => ({ user: `${variant}-${i}`, type: 'buy', day: 0 })),
      ...Array.from({ length: shares }, (_, i) => ({ user: `${variant}-${i}`, type: 'share', day: 0 })),
    ]));
  });

  // Raw pooled z-test p-values (scipy.stats.norm): buy b 0.0074196, buy c 0.2104065, share b 0.6165238, share c 0.0061699.
  // Families: buy is primary, corrected across its two arms with Holm: b x2 = 0.0148392, c x1 = 0.2104065
  // (cummax keeps 0.2104065). share is the only secondary, its own family of two: Holm c x2 = 0.0123398,
  // b x1 = 0.6165238; BH c x2/1 = 0.0123398, b x2/2 = 0.6165238. (One family of four, as before, made
  // buy/b 0.0246796: every added secondary weakened the primary.)
  it('corrects the primary across arms only and the secondaries as their own family, each stating it', async () => {
    const results = (await ok(RESULTS, { key: 'family' })).experimentResults;
    const buy = metricOf(results, 'buy_1d');
    const share = metricOf(results, 'share_1d');
    expect(versus(buy, 'b').pValue).toBeCloseTo(0.0074196, 6);
    expect(versus(share, 'c').pValue).toBeCloseTo(0.0061699, 6);
    expect(versus(buy, 'b').adjustedPValue).toBeCloseTo(0.0148392, 6);
    expect(versus(buy, 'c').adjustedPValue).toBeCloseTo(0.2104065, 6);
    expect(versus(share, 'b').adjustedPValue).toBeCloseTo(0.6165238, 6);
    expect(versus(share, 'c').adjustedPValue).toBeCloseTo(0.0123398, 6);
    expect(versus(buy, 'b').family).toEqual({ role: 'PRIMARY', method: 'HOLM', size: 2, sides: 'TWO_SIDED' });
    expect(versus(share, 'c').family).toEqual({ role: 'SECONDARY', method: 'HOLM', size: 2, sides: 'TWO_SIDED' });
    expect([versus(buy, 'b'), versus(buy, 'c'), versus(share, 'b'), versus(share, 'c')].map((c) => c.significant)).toEqual([true, false, false, true]);
    // Significant at 40 users per arm, but far before the default plan's horizon (a 10% lift on 10% needs
    // thousands per arm) and not by the always-valid test: no SHIP from a fixed-horizon p-value (was SHIP b).
    expect(results.recommendation).toMatchObject({ action: 'KEEP_RUNNING', variantKey: null });
    expect(results.plan).toMatchObject({ source: 'DEFAULT', type: 'FIXED_HORIZON', horizonReached: false, usersPerArm: 40 });
  });

  it('uses always-valid p-values for significance when asked for sequential results', async () => {
    // mSPRT by hand for buy, b against control (4/40 vs 14/40): v = 0.1 * 0.9 / 40 + 0.35 * 0.65 / 40
    // = 0.0079375; tau^2 = 80 v c(0.05) / 10,000 with c = -2 ln 0.05 + ln(1 - 2 ln 0.05) = 7.9394;
    // Lambda = sqrt(v / (v + tau^2)) exp(tau^2 D^2 / (2 v (v + tau^2))) with D = 0.25 gives p = 1 / Lambda = 0.8152522;
    // half width sqrt(v (v + tau^2) / tau^2 (ln((v + tau^2) / v) - 2 ln 0.05)) = 0.8971073: [-0.6471073, 1.1471073],
    // whose upper end is clamped to 1 like any interval of a difference of rates.
    const results = (await ok(RESULTS, { key: 'family', sequential: true })).experimentResults;
    const buyB = versus(metricOf(results, 'buy_1d'), 'b');
    expect(buyB.pValue).toBeCloseTo(0.0074196, 6);
    expect(buyB.sequential.pValue).toBeCloseTo(0.8152522, 6);
    expect(buyB.sequential.absoluteLiftInterval.lower).toBeCloseTo(-0.6471073, 6);
    expect(buyB.sequential.absoluteLiftInterval.upper).toBe(1);
    expect(results.metrics.flatMap((m: any) => m.comparisons.map((c: any) => c.significant))).toEqual([false, false, false, false]);
    expect(results.recommendation.action).not.toBe('SHIP');
  });

  it('adjusts the secondaries with Benjamini-Hochberg on request; the primary keeps Holm across arms', async () => {
    const results = (await ok(RESULTS, { key: 'family', adjustment: 'BH' })).experimentResults;
    expect(results.adjustment).toBe('BH');
    expect(versus(metricOf(results, 'buy_1d'), 'b').adjustedPValue).toBeCloseTo(0.0148392, 6);
    expect(versus(metricOf(results, 'buy_1d'), 'c').adjustedPValue).toBeCloseTo(0.2104065, 6);
    expect(versus(metricOf(results, 'share_1d'), 'c').adjustedPValue).toBeCloseTo(0.0123398, 6);
    expect(versus(metricOf(results, 'share_1d'), 'b').adjustedPValue).toBeCloseTo(0.6165238, 6);
    expect(versus(metricOf(results, 'share_1d'), 'c').family).toEqual({ role: 'SECONDARY', method: 'BH', size: 2, sides: 'TWO_SIDED' });
  });
});

describe('analysis plans and peeking', () => {
  const today = new Date().toISOString().slice(0, 10);
  // signup: control 4/40, treatment 13/40. Pooled z = 0.225 / sqrt(0.2125 * 0.7875 * 2/40) = 2.4597, p = 0.0139 (scipy.stats.norm):
  // significant at a fixed horizon. The plan: baseline 10%, lift 100%: power.prop.test(p1 = 0.1, p2 = 0.2, power = 0.8) n = 198.96 -> 199 per arm.
  async function planned(key: string, analysisPlan: Record<string, unknown>) {
    await startExperiment({ key, name: key, variants: TWO_ARMS, primaryMetricKey: 'signup_1d', analysisPlan });
    const users: Exposed[] = ['control', 'treatment'].flatMap((variant) => Array.from({ length: 40 }, (_, i) => ({ user: `${key}-${variant}-${i}`, variant, daysAgo: 3 })));
    await expose(key, users);
    await track(new Map(users.map((u) => [u.user, u.daysAgo])), [
      ...Array.from({ length: 4 }, (_, i) => ({ user: `${key}-control-${i}`, type: 'signup', day: 0 })),
      ...Array.from({ length: 13 }, (_, i) => ({ user: `${key}-treatment-${i}`, type: 'signup', day: 0 })),
    ]);
    return users;
  }
  beforeAll(() => createMetric({ key: 'signup_1d', name: 'Signup (day 0)', kind: 'CONVERSION', eventTypes: ['signup'], windowDays: 1 }));

  it('keeps running before a fixed horizon however significant the fixed-horizon p-value, and shows the plan and progress', async () => {
    await planned('planned-users', { type: 'FIXED_HORIZON', baseline: 0.1, minimumDetectableLift: 1 });
    const results = (await ok(RESULTS, { key: 'planned-users' })).experimentResults;
    expect(versus(metricOf(results, 'signup_1d'), 'treatment').pValue).toBeCloseTo(0.0139, 4);
    expect(results.recommendation.action).toBe('KEEP_RUNNING');
    expect(results.recommendation.reason).toMatch(/needs 199 users per arm/);
    expect(results.plan).toMatchObject({ source: 'EXPERIMENT', type: 'FIXED_HORIZON', plannedUsersPerArm: 199, usersPerArm: 40, horizonReached: false, earlyLookAlpha: 0.01 });
    expect(results.plan.progress).toBeCloseTo(40 / 199, 12);
    // The query's view arguments never change the recommendation.
    for (const args of [{ sequential: true }, { adjustment: 'BH' }, { minimumDetectableLift: 0.01 }]) {
      expect((await ok(RESULTS, { key: 'planned-users', ...args })).experimentResults.recommendation).toEqual(results.recommendation);
    }
    const plan = (await ok('{ experiment(key: "planned-users") { analysisPlan { type baseline minimumDetectableLift power alpha plannedEndDay secondaryAdjustment } } }')).experiment.analysisPlan;
    expect(plan).toEqual({ type: 'FIXED_HORIZON', baseline: 0.1, minimumDetectableLift: 1, power: 0.8, alpha: 0.05, plannedEndDay: null, secondaryAdjustment: 'HOLM' });
  });

  it('decides at the horizon, and later reads show that decision instead of deciding again', async () => {
    const users = await planned('planned-day', { type: 'FIXED_HORIZON', plannedEndDay: today });
    // The results job's snapshot at the horizon (refreshExperimentResults stores one now, as the job does) holds the decision.
    const first = (await ok(REFRESH, { key: 'planned-day' })).refreshExperimentResults;
    expect(first.plan).toMatchObject({ horizonReached: true, decidedOnDay: today, plannedEndDay: today });
    expect(first.recommendation).toMatchObject({ action: 'SHIP', variantKey: 'treatment' });
    // Later data would no longer support it (control 12/40: p = 0.8 by the same test); the decision stands.
    await track(new Map(users.map((u) => [u.user, u.daysAgo])), Array.from({ length: 8 }, (_, i) => ({ user: `planned-day-control-${4 + i}`, type: 'signup', day: 0 })));
    const later = (await ok(RESULTS, { key: 'planned-day' })).experimentResults;
    expect(versus(metricOf(later, 'signup_1d'), 'treatment').significant).toBe(false);
    expect(later.recommendation).toMatchObject({ action: 'SHIP', variantKey: 'treatment' });
    expect(later.recommendation.reason).toMatch(new RegExp(`^Decided at the horizon on ${today}, and it stands`));
  });

  it('refuses an unusable plan with a clear error', async () => {
    const result = await server.gql('mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { key } }', {
      input: { key: 'bad-plan', name: 'Bad', variants: TWO_ARMS, primaryMetricKey: 'signup_1d', analysisPlan: { type: 'SEQUENTIAL' } },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/analysisPlan.baseline/);
  });
});

describe('guardrails', () => {
  it('mark the experiment AT_RISK, and pause it with an audit entry only once it opts in', async () => {
    await startExperiment({ key: 'harmful', name: 'Harmful', variants: TWO_ARMS, primaryMetricKey: 'd2_active', guardrailMetricKeys: ['complaint_rate'] });
    // 14-day window: exposed 20 days ago. Complaints: control 0/40, treatment 20/40.
    const users: Exposed[] = ['control', 'treatment'].flatMap((variant) => Array.from({ length: 40 }, (_, i) => ({ user: `h-${variant}-${i}`, variant, daysAgo: 20 })));
    await expose('harmful', users);
    await track(new Map(users.map((u) => [u.user, u.daysAgo])), Array.from({ length: 20 }, (_, i) => ({ user: `h-treatment-${i}`, type: 'complaint', day: 3 })));
    const first = (await ok(RESULTS, { key: 'harmful' })).experimentResults;
    // 20/40: one-sided 95% Wilson lower bound 37.4% > 3% and worse than control's 0/40: BREACHED; the always-valid
    // bound 50% - 27.2% (by hand, docs/statistics.md) is past 3% too, so an opted-in experiment pauses.
    expect(first.guardrailStatus).toBe('BREACHED');
    expect(first.guardrailProblems.map((p: any) => [p.metricKey, p.variantKey, p.kind, p.status, p.breachedAlwaysValid])).toEqual([
      ['complaint_rate', 'treatment', 'THRESHOLD', 'BREACHED', true],
      ['complaint_rate', 'treatment', 'HARM', 'AT_RISK', false],
    ]);
    expect(first.guardrailProblems[0].message).toMatch(/50\.0%, above the alert threshold 3\.0%/);
    expect(first).toMatchObject({ autoPaused: false, status: 'RUNNING' });

    const version = (await ok('{ experiment(key: "harmful") { version } }')).experiment.version;
    await ok('mutation ($v: Int!) { updateExperiment(key: "harmful", version: $v, input: { autoPauseOnGuardrail: true }) { autoPauseOnGuardrail } }', { v: version });

    // A query is a read: at risk and opted in, yet asking changes no snapshot, experiment or audit row.
    const before = await storedRows('harmful');
    const read = (await ok(RESULTS, { key: 'harmful' }, analystKey)).experimentResults;
    expect(read).toMatchObject({ autoPaused: false, status: 'RUNNING', guardrailStatus: 'BREACHED' });
    expect(await storedRows('harmful')).toEqual(before);

    // The explicit refresh acts, as the results job does.
    const second = (await ok(REFRESH, { key: 'harmful' }, analystKey)).refreshExperimentResults;
    expect(second).toMatchObject({ autoPaused: true, status: 'PAUSED', guardrailStatus: 'BREACHED' });
    const experiment = (await ok('{ experiment(key: "harmful") { status statusHistory { to actor reason } } }')).experiment;
    expect(experiment.status).toBe('PAUSED');
    expect(experiment.statusHistory.at(-1)).toMatchObject({ to: 'PAUSED', actor: 'system' });
    expect(experiment.statusHistory.at(-1).reason).toMatch(/^guardrail breached: treatment: complaint_rate is 50\.0%/);
    const audit = (await ok('{ auditLog(experimentKey: "harmful", first: 1) { nodes { action actor before after } } }')).auditLog.nodes[0];
    expect(audit).toMatchObject({ action: 'AUTO_PAUSE', actor: 'system', before: { status: 'RUNNING' }, after: { status: 'PAUSED' } });
    expect((await storedRows('harmful')).snapshots).toBe(before.snapshots + 1);
    const third = (await ok(RESULTS, { key: 'harmful' })).experimentResults;
    expect(third).toMatchObject({ autoPaused: false, status: 'PAUSED' });
  });

  it('are acted on by the results job: every running experiment, a snapshot each, auto-pause where opted in', async () => {
    await startExperiment({ key: 'harmful-too', name: 'Harmful too', variants: TWO_ARMS, primaryMetricKey: 'd2_active', guardrailMetricKeys: ['complaint_rate'], autoPauseOnGuardrail: true });
    const users: Exposed[] = ['control', 'treatment'].flatMap((variant) => Array.from({ length: 40 }, (_, i) => ({ user: `h2-${variant}-${i}`, variant, daysAgo: 20 })));
    await expose('harmful-too', users);
    await track(new Map(users.map((u) => [u.user, u.daysAgo])), Array.from({ length: 20 }, (_, i) => ({ user: `h2-treatment-${i}`, type: 'complaint', day: 3 })));
    const running = (await ok('{ experiments(filter: { status: [RUNNING] }, first: 100) { nodes { key } } }')).experiments.nodes.map((e: any) => e.key).sort();
    expect(running).toContain('harmful-too');
    expect(running).not.toContain('harmful');
    const before = await Promise.all(running.map((key: string) => storedRows(key)));

    const run = await server.uplift.resultsJob.runOnce();
    expect({ ran: run.ran, refreshed: [...run.refreshed].sort(), failed: run.failed }).toEqual({ ran: true, refreshed: running, failed: [] });
    const after = await Promise.all(running.map((key: string) => storedRows(key)));
    expect(after.map((rows) => rows.snapshots)).toEqual(before.map((rows) => rows.snapshots + 1));
    const experiment = (await ok('{ experiment(key: "harmful-too") { status statusHistory { to actor } } }')).experiment;
    expect(experiment).toMatchObject({ status: 'PAUSED' });
    expect(experiment.statusHistory.at(-1)).toMatchObject({ to: 'PAUSED', actor: 'system' });
    const [latest] = (await ok('{ experimentResultHistory(key: "harmful-too", first: 1) { autoPaused status guardrailStatus } }')).experimentResultHistory;
    expect(latest).toEqual({ autoPaused: true, status: 'PAUSED', guardrailStatus: 'BREACHED' });
  });
});

// Instances share a database only on a PostgreSQL server; the embedded database has one instance by construction.
(process.env.DATABASE_URL ? describe : describe.skip)('the results job across instances', () => {
  if (!process.env.DATABASE_URL) {
    // eslint-disable-next-line no-console
    console.warn('SKIPPED: the results job lock test needs DATABASE_URL (a PostgreSQL server).');
  }

  it('runs on one instance at a time: while another holds the lock, a run does nothing', async () => {
    const second = await startSecondInstance(server);
    const other = new Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RESULTS_JOB_LOCK]);
      const before = await storedRows('family');
      expect(await second.resultsJob.runOnce()).toEqual({ ran: false, refreshed: [], failed: [] });
      expect(await server.uplift.resultsJob.runOnce()).toEqual({ ran: false, refreshed: [], failed: [] });
      expect(await storedRows('family')).toEqual(before);
      await other.query('SELECT pg_advisory_unlock($1)', [RESULTS_JOB_LOCK]);
      const run = await second.resultsJob.runOnce();
      expect(run).toMatchObject({ ran: true, failed: [] });
      expect(run.refreshed).toContain('family');
      expect((await storedRows('family')).snapshots).toBe(before.snapshots + 1);
    } finally {
      await other.end();
      await second.close();
    }
  });
});

describe('compareStrategies', () => {
  it('ranks arms whose lift clears 0, with cost per incremental retained user over the same users and window, and its Fieller interval', async () => {
    // d1_retention covers days 0 and 1; the cost must too: a 2-day cost metric.
    await createMetric({ key: 'reward_cost_2d', name: 'Reward cost (2 days)', kind: 'MEAN', eventTypes: ['reward_cost'], windowDays: 2, higherIsBetter: false });
    // Exposed 20 days ago, 10 users per arm.
    // checkin-test: control 3/10 active on day 1, check-in 5/10, reward cost 2 per check-in user.
    // tasks-test: control 3/10, task 8/10, reward cost 1 per task user.
    // Cost per incremental retained user: (2 - 0) / (0.5 - 0.3) = 10 and (1 - 0) / (0.8 - 0.3) = 2.
    const plan = [
      { key: 'checkin-test', strategy: 'check-in', arm: 'check-in', retained: [3, 5], cost: 2 },
      { key: 'tasks-test', strategy: 'task-system', arm: 'task', retained: [3, 8], cost: 1 },
    ];
    for (const p of plan) {
      await startExperiment({
        key: p.key, name: p.key, strategy: p.strategy, primaryMetricKey: 'd1_retention',
        variants: [{ key: 'control', name: 'Control', weight: 50, isControl: true }, { key: p.arm, name: p.arm, weight: 50 }],
      });
      const users: Exposed[] = ['control', p.arm].flatMap((variant) => Array.from({ length: 10 }, (_, i) => ({ user: `${p.key}-${variant}-${i}`, variant, daysAgo: 20 })));
      await expose(p.key, users);
      await track(new Map(users.map((u) => [u.user, u.daysAgo])), [
        ...Array.from({ length: p.retained[0] }, (_, i) => ({ user: `${p.key}-control-${i}`, type: 'app_open', day: 1 })),
        ...Array.from({ length: p.retained[1] }, (_, i) => ({ user: `${p.key}-${p.arm}-${i}`, type: 'app_open', day: 1 })),
        ...Array.from({ length: 10 }, (_, i) => ({ user: `${p.key}-${p.arm}-${i}`, type: 'reward_cost', day: 0, value: p.cost })),
      ]);
    }
    const query = `query ($keys: [String!]!, $cost: String!) { compareStrategies(metricKey: "d1_retention", experimentKeys: $keys, costMetricKey: $cost) {
      rank unrankedReason experimentKey strategy variantKey users controlValue value absoluteLift absoluteLiftInterval { lower upper } relativeLift pValue
      costMetricKey incrementalCostPerUser costPerIncrementalUser costPerIncrementalUserInterval { lower upper } costPerIncrementalUserUnbounded costNote populationNote } }`;
    const rows = (await ok(query, { keys: ['checkin-test', 'tasks-test'], cost: 'reward_cost_2d' }, analystKey)).compareStrategies;
    // task: lift 0.5, Wald interval 0.5 -/+ 1.959964 * sqrt(0.8*0.2/10 + 0.3*0.7/10) = [0.122993, 0.877007], clear of 0: ranked.
    // check-in: lift 0.2, interval 0.2 -/+ 1.959964 * sqrt(0.046) reaches -0.220365: unranked, cost unbounded.
    expect(rows.map((r: any) => [r.rank, r.experimentKey, r.strategy, r.variantKey, r.users])).toEqual([
      [1, 'tasks-test', 'task-system', 'task', 10],
      [null, 'checkin-test', 'check-in', 'check-in', 10],
    ]);
    expect(rows[1].unrankedReason).toMatch(/interval includes 0/);
    expect(rows[1]).toMatchObject({ costPerIncrementalUserUnbounded: true, costPerIncrementalUserInterval: null, populationNote: null });
    // Fieller (cost constant, so its variance is 0): [1 / 0.877007, 1 / 0.122993] = [1.140242, 8.130518].
    expect(rows[0].costPerIncrementalUserUnbounded).toBe(false);
    expect(rows[0].costPerIncrementalUserInterval.lower).toBeCloseTo(1.140242, 5);
    expect(rows[0].costPerIncrementalUserInterval.upper).toBeCloseTo(8.130518, 5);
    expect(rows[0].absoluteLift).toBeCloseTo(0.5, 12);
    expect(rows[0].relativeLift).toBeCloseTo(0.8 / 0.3 - 1, 12);
    expect(rows[0].incrementalCostPerUser).toBeCloseTo(1, 12);
    expect(rows[0].costPerIncrementalUser).toBeCloseTo(2, 12);
    expect(rows[1].absoluteLift).toBeCloseTo(0.2, 12);
    expect(rows[1].costPerIncrementalUser).toBeCloseTo(10, 12);
    // Pooled z-test 3/10 vs 8/10 (scipy.stats.norm): p = 0.0246188.
    expect(rows[0].pValue).toBeCloseTo(0.0246188, 6);
    // The 14-day reward_cost covers other days than D1: no cost figures, and the note says why.
    const mismatched = (await ok(query, { keys: ['tasks-test'], cost: 'reward_cost' }, analystKey)).compareStrategies;
    expect(mismatched[0]).toMatchObject({ costMetricKey: null, incrementalCostPerUser: null, costPerIncrementalUser: null });
    expect(mismatched[0].costNote).toMatch(/reward_cost covers 14 days after exposure but d1_retention 2/);
    const unknown = await server.gql('{ compareStrategies(metricKey: "d1_retention", experimentKeys: ["nope"]) { rank } }');
    expect([errorCode(unknown), unknown.errors?.[0].extensions?.field]).toEqual(['NOT_FOUND', 'experimentKeys.0']);
  });
});

describe('a strategy belongs to a variant', () => {
  it('labels each arm with its own strategy, defaulting to the experiment’s', async () => {
    await startExperiment({
      key: 'activity-incentives', name: 'Activity incentives', strategy: 'activity', primaryMetricKey: 'd1_retention',
      variants: [
        { key: 'control', name: 'Control', weight: 34, isControl: true },
        { key: 'check-in', name: 'Check-in', weight: 33, strategy: 'check-in' },
        { key: 'tasks', name: 'Tasks', weight: 33, strategy: 'task-system' },
        { key: 'plain', name: 'Plain', weight: 0 },
      ],
    });
    const variants = (await ok('{ experiment(key: "activity-incentives") { variants { key strategy } } }')).experiment.variants;
    expect(variants).toEqual([
      { key: 'control', strategy: null }, { key: 'check-in', strategy: 'check-in' }, { key: 'tasks', strategy: 'task-system' }, { key: 'plain', strategy: null },
    ]);
    const rows = (await ok('{ compareStrategies(metricKey: "d1_retention", experimentKeys: ["activity-incentives"]) { variantKey strategy } }', undefined, analystKey)).compareStrategies;
    expect(Object.fromEntries(rows.map((r: any) => [r.variantKey, r.strategy]))).toEqual({ 'check-in': 'check-in', tasks: 'task-system', plain: 'activity' });
  });
});

describe('access', () => {
  it('is for analysts and admins: SDK keys are FORBIDDEN, unknown experiments NOT_FOUND', async () => {
    expect(errorCode(await server.gql('{ experimentResults(key: "kinds") { experimentKey } }', undefined, sdkKey))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ experimentResultHistory(key: "kinds") { experimentKey } }', undefined, sdkKey))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ compareStrategies(metricKey: "d1_retention", experimentKeys: ["kinds"]) { rank } }', undefined, sdkKey))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql('{ experimentResults(key: "no-such-experiment") { experimentKey } }', undefined, analystKey))).toBe('NOT_FOUND');
  });
});
