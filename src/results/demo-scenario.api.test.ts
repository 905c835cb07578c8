import { startTestServer, type TestServer } from '../testing/harness';
import { DEMO_TRUTH, demoUsers } from '../demo/scenario';

/**
 * the demo scenario (docs/concepts.md), simulated: 4,000 users arriving over four weeks (the last more than
 * 14 days ago, so every D1, D7 and 14-day conversion window has passed), with the arms' true rates.
 * A correct analysis puts each true rate inside the arm's 95% interval and finds task-system best
 * on D7. The generator is seeded, so the run is reproducible. Honest note on the seed: with 15
 * intervals at 95% each, only about 0.95^15 = 46% of seeds put every true rate inside (of seeds 1
 * to 12, 5 did, checked offline with Wald intervals on the generated users); seed 5 is one of them.
 * What this guards against is a systematic error (a wrong day convention, a window off by one,
 * intervals too narrow), which misses on nearly every seed.
 */
let server: TestServer;
const DAY_MS = 86_400_000;
const RESULTS = `query ($key: String!) { experimentResults(key: $key) {
  metrics { metricKey arms { variantKey users value interval { lower upper } } comparisons { variantKey absoluteLift significant improvement } }
  recommendation { action variantKey reason } guardrailStatus sampleRatio { mismatch } } }`;

beforeAll(async () => {
  server = await startTestServer();
  const metrics = 'primaryMetricKey: "d7_retention", secondaryMetricKeys: ["d1_retention", "paid_conversion_14d", "revenue_per_user_14d"], guardrailMetricKeys: ["complaint_rate"]';
  for (const mutation of [
    `createExperiment(input: { key: "activity-incentives", name: "Activity incentives", ${metrics}, variants: [
      { key: "control", name: "Control", weight: 33.34, isControl: true }, { key: "check-in", name: "Check-in", weight: 33.33 }, { key: "task-system", name: "Task system", weight: 33.33 }] }) { key }`,
    `createExperiment(input: { key: "advisor-pilot", name: "Advisor pilot", targeting: { tiers: ["high_value"] }, ${metrics}, variants: [
      { key: "control", name: "Control", weight: 50, isControl: true }, { key: "advisor", name: "Advisor", weight: 50 }] }) { key }`,
    'startExperiment(key: "activity-incentives", version: 1) { key }',
    'startExperiment(key: "advisor-pilot", version: 1) { key }',
  ]) {
    const result = await server.gql(`mutation { ${mutation} }`);
    expect(result.errors).toBeUndefined();
  }
  const users = [...demoUsers({ users: 4000, seed: 5, today: new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS), firstArrivalDaysAgo: 42, lastArrivalDaysAgo: 16 })];
  // Backdated exposures can only be fixtures; the events go through trackEvents.
  await server.expose(users.map((u) => ({ experimentKey: u.experimentKey, phase: 1, userId: u.userId, variantKey: u.variantKey, tier: u.tier, exposedAt: u.exposedAt })));
  const events = users.flatMap((u) => u.events.map((e, i) => ({ id: `${u.userId}-${i}`, userId: u.userId, type: e.type, value: e.value, occurredAt: e.occurredAt.toISOString() })));
  for (let from = 0; from < events.length; from += 5000) {
    const result = await server.gql('mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }', { events: events.slice(from, from + 5000) });
    expect(result.data.trackEvents.accepted).toBe(Math.min(5000, events.length - from));
  }
}, 120_000);
afterAll(() => server?.close());

const TRUTH_OF_METRIC = { d1_retention: 'd1', d7_retention: 'd7', paid_conversion_14d: 'conversion14d' } as const;

describe('the demo scenario', () => {
  for (const experimentKey of Object.keys(DEMO_TRUTH)) {
    it(`recovers ${experimentKey}'s true rates within the reported intervals`, async () => {
      const { data } = await server.gql(RESULTS, { key: experimentKey });
      const results = data.experimentResults;
      expect(results.sampleRatio.mismatch).toBe(false);
      for (const [metricKey, field] of Object.entries(TRUTH_OF_METRIC)) {
        const metric = results.metrics.find((m: any) => m.metricKey === metricKey);
        for (const arm of metric.arms) {
          const truth = DEMO_TRUTH[experimentKey][arm.variantKey][field];
          expect({ metricKey, variant: arm.variantKey, truth, inside: arm.interval.lower <= truth && truth <= arm.interval.upper }).toEqual({ metricKey, variant: arm.variantKey, truth, inside: true });
        }
      }
    });
  }

  it('finds task-system best on D7 and recommends shipping it', async () => {
    const results = (await server.gql(RESULTS, { key: 'activity-incentives' })).data.experimentResults;
    const d7 = results.metrics.find((m: any) => m.metricKey === 'd7_retention');
    const best = [...d7.comparisons].sort((a: any, b: any) => b.absoluteLift - a.absoluteLift)[0];
    expect(best).toMatchObject({ variantKey: 'task-system', significant: true, improvement: true });
    expect(results.recommendation).toMatchObject({ action: 'SHIP', variantKey: 'task-system' });
    expect(results.guardrailStatus).toBe('OK');
    // Check-in's gain shows on D1 (38% against 30%) more than on D7 (12% against 10%).
    const d1 = results.metrics.find((m: any) => m.metricKey === 'd1_retention');
    expect(d1.comparisons.find((c: any) => c.variantKey === 'check-in')).toMatchObject({ significant: true, improvement: true });
  });
});
