import { analyseExperiment, recommendExperiment, type AnalysisInput, type Recommendation } from './results.analysis';
import { MetricKind } from '../metrics/metric.entity';
import type { GroupAggregate, MetricDefinition } from '../analytics/analytics.model';
import type { AnalysisPlan } from '../stats/analysis-plan';
import { mulberry32 } from '../common/random';

/**
 * Peeking, simulated through the recommendation code itself (recommendExperiment: analyseExperiment's
 * own recommendation, without the Bayesian and CUPED views it does not read), on sufficient
 * statistics built day by day rather than through the database: 200 users a day per arm, D7
 * retention (a user counts once day 7 has passed, 8 days after exposure), read every day for 28
 * days, the way analysts read results. Each experiment follows its plan; the first decision at or
 * past the horizon is handed to later reads, as the service does from the first stored snapshot
 * past the horizon.
 */
const D7: MetricDefinition = {
  key: 'd7_retention', name: 'D7', description: null, kind: MetricKind.RETENTION, eventTypes: [], windowDays: null, retentionDay: 7,
  numeratorSource: null, denominatorEventTypes: null, denominatorSource: null, capValue: null, capPercentile: null,
  higherIsBetter: true, alertBelow: null, alertAbove: null,
};
const USERS_PER_DAY = 200;
const READ_DAYS = 28;
const EXPERIMENTS = 2000;
const BASELINE = 0.3;

function group(variantKey: string, exposed: number, n: number, retained: number): GroupAggregate {
  return { variantKey, tier: null, segmented: false, exposed, multipleVariantUsers: 0, metrics: { d7_retention: { n, sumY: retained, sumY2: retained, sumX: 0, sumX2: 0, sumXY: 0, sumD: 0, sumD2: 0, sumYD: 0 } } };
}

interface Outcome {
  /** Recommended SHIP on any read. */
  everShipped: boolean;
  /** Recommended SHIP on some read at or before the horizon's. */
  shippedByHorizon: boolean;
  horizonDay: number | null;
}

/** One experiment: each day a cohort per arm whose D7 outcome is drawn; each read sees the cohorts whose day 7 has passed. */
function simulate(seed: number, plan: AnalysisPlan, treatmentRate: number): Outcome {
  const random = mulberry32(seed);
  const retainedOfCohort = (rate: number) => {
    let retained = 0;
    for (let i = 0; i < USERS_PER_DAY; i++) if (random() < rate) retained++;
    return retained;
  };
  const cohorts = { control: [] as number[], treatment: [] as number[] };
  let decisionAtHorizon: { recommendation: Recommendation; asOfDay: string } | null = null;
  const outcome: Outcome = { everShipped: false, shippedByHorizon: false, horizonDay: null };
  for (let day = 1; day <= READ_DAYS; day++) {
    // Cohorts exposed on day k count from day k + 8.
    while (cohorts.control.length < day - 7) {
      cohorts.control.push(retainedOfCohort(BASELINE));
      cohorts.treatment.push(retainedOfCohort(treatmentRate));
    }
    const n = cohorts.control.length * USERS_PER_DAY;
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const asOfDay = `2026-03-${String(day).padStart(2, '0')}`;
    const input: AnalysisInput = {
      variants: [{ key: 'control', weight: 50, isControl: true }, { key: 'treatment', weight: 50, isControl: false }],
      metrics: [{ definition: D7, role: 'PRIMARY' }],
      aggregates: [group('control', day * USERS_PER_DAY, n, sum(cohorts.control)), group('treatment', day * USERS_PER_DAY, n, sum(cohorts.treatment))],
      adjustment: 'holm', daysRunning: day, minimumDetectableLift: 0.1, sequential: false,
      plan, asOfDay, decisionAtHorizon,
    };
    const analysis = recommendExperiment(input);
    const shipped = analysis.recommendation.action === 'SHIP';
    outcome.everShipped ||= shipped;
    if (outcome.horizonDay === null) outcome.shippedByHorizon ||= shipped;
    if (analysis.plan?.horizonReached && decisionAtHorizon === null) {
      decisionAtHorizon = { recommendation: analysis.recommendation, asOfDay };
      outcome.horizonDay = day;
    }
  }
  return outcome;
}

/** One-sided 95% upper bound of a binomial share (Wilson score, z = qnorm(0.95) = 1.644854), written out here. */
function upperBound(successes: number, trials: number): number {
  const z = 1.6448536269514722;
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  return (p + (z * z) / (2 * trials) + z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
}

function run(plan: AnalysisPlan, treatmentRate: number, seedBase: number): Outcome[] {
  return Array.from({ length: EXPERIMENTS }, (_, i) => simulate(seedBase + i, plan, treatmentRate));
}

// 0.30 -> 0.33 (a 10% relative lift) at 80% power: power.prop.test(p1 = 0.3, p2 = 0.33, power = 0.8) gives n = 3762.4 per arm,
// reached on day 26 (19 cohorts of 200 have passed day 7). A SEQUENTIAL plan needs (3.035 + 0.8416)^2 (0.21 + 0.2211) / 0.03^2
// = 7200 per arm, more than 28 days give: it is checked for false SHIPs only.
const FIXED: AnalysisPlan = {
  type: 'FIXED_HORIZON', baseline: BASELINE, baselineStandardDeviation: null, minimumDetectableLift: 0.1, power: 0.8, alpha: 0.05, plannedEndDay: null, secondaryAdjustment: 'HOLM',
};

it('recommendExperiment recommends exactly what analyseExperiment does', () => {
  const plan = FIXED;
  for (const [control, treatment, day] of [[1100, 1200, 20], [1130, 1130, 27], [1100, 1400, 12]]) {
    const n = (day - 7) * USERS_PER_DAY;
    const input: AnalysisInput = {
      variants: [{ key: 'control', weight: 50, isControl: true }, { key: 'treatment', weight: 50, isControl: false }],
      metrics: [{ definition: D7, role: 'PRIMARY' }],
      aggregates: [group('control', day * USERS_PER_DAY, n, Math.round((control * n) / 4000)), group('treatment', day * USERS_PER_DAY, n, Math.round((treatment * n) / 4000))],
      adjustment: 'holm', daysRunning: day, minimumDetectableLift: 0.1, sequential: false, plan, asOfDay: '2026-03-20', decisionAtHorizon: null,
    };
    const full = analyseExperiment(input);
    expect(recommendExperiment(input)).toEqual({ recommendation: full.recommendation, plan: full.plan });
  }
});

describe('peeking-safe recommendations, simulated (2,000 seeded experiments each, read daily for 28 days)', () => {
  it('A/A, fixed-horizon plan: the upper 95% bound of the share ever recommended SHIP is at most 5%', () => {
    const outcomes = run(FIXED, BASELINE, 1_000_000);
    const shipped = outcomes.filter((o) => o.everShipped).length;
    expect(outcomes.every((o) => o.horizonDay === 26)).toBe(true);
    expect(upperBound(shipped, EXPERIMENTS)).toBeLessThanOrEqual(0.05);
  });

  it('A/A, sequential plan: the upper 95% bound of the share ever recommended SHIP is at most 5%', () => {
    const outcomes = run({ ...FIXED, type: 'SEQUENTIAL' }, BASELINE, 2_000_000);
    const shipped = outcomes.filter((o) => o.everShipped).length;
    expect(upperBound(shipped, EXPERIMENTS)).toBeLessThanOrEqual(0.05);
  });

  it('a true effect at the planned MDE (0.30 -> 0.33, 80% power plan) is recommended SHIP by the horizon at least 75% of the time', () => {
    const outcomes = run(FIXED, BASELINE * 1.1, 3_000_000);
    const shipped = outcomes.filter((o) => o.shippedByHorizon).length;
    expect(shipped / EXPERIMENTS).toBeGreaterThanOrEqual(0.75);
  });
});
