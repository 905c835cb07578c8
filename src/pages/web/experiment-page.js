// @ts-check
// One experiment's results: header, health, metrics (table and forest plot), over time, tiers,
// guardrails and the recommendation.
import { gql } from './api.js';
import {
  ExperimentHistoryDocument,
  ExperimentPageDocument,
  ExperimentResultsDocument,
  ExperimentTiersDocument,
  ExperimentTimelineDocument,
  RefreshResultsDocument,
  StoredResultsDocument,
} from './operations.generated.js';
import { chartFigure, exposuresPerDayChart, forestPlot, overTimeChart, retentionChart, sampleRatioChart } from './charts.js';
import { age, count, day, interval, liftFormat, number, percent, pValue, relative, valueFormat } from './format.js';
import { badge, dataTable } from './tables.js';
import { h } from '/assets/dom.js';

/**
 * The results to show: the latest stored snapshot of the current phase (the results job keeps one
 * per running experiment), or, when there is none yet, the results computed now (a read that
 * stores nothing). @param {string} key
 */
async function resultsToShow(key) {
  const { experiment } = await gql(StoredResultsDocument, { key });
  const stored = experiment.latestResults;
  if (stored && stored.phase === experiment.phase) return { results: stored, stored: true };
  return { results: (await gql(ExperimentResultsDocument, { key })).experimentResults, stored: false };
}

/** A payload in a few words: its keys and short values. @param {unknown} payload */
export function payloadSummary(payload) {
  if (payload === null || payload === undefined) return '—';
  if (typeof payload !== 'object') return String(payload);
  if (Array.isArray(payload)) return `${payload.length} items`;
  return Object.entries(payload)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? `${value.length} items` : typeof value === 'object' && value !== null ? '{…}' : String(value)}`)
    .join(', ');
}

/** "primary, Holm over 2" or "guardrail, one-sided, alone". @param {{ role: string, method: string, size: number, sides: string }} family */
export function familyText(family) {
  const role = family.role.toLowerCase();
  const sides = family.sides === 'ONE_SIDED_HARM' ? ', one-sided for harm' : '';
  if (family.method === 'NONE' || family.size <= 1) return `${role}${sides}, uncorrected`;
  return `${role}${sides}, ${family.method === 'BH' ? 'BH' : 'Holm'} over ${family.size}`;
}

/** @param {any} comparison */
function verdict(comparison) {
  if (!comparison.significant) return 'not significant';
  return comparison.improvement ? 'better' : 'worse';
}

/** @param {any} comparison */
function verdictBadge(comparison) {
  const text = verdict(comparison);
  return badge(text, text === 'better' ? 'good' : text === 'worse' ? 'bad' : 'neutral');
}

/** One row per metric and arm: the control's row has no comparison. @param {any[]} metrics */
export function metricRows(metrics) {
  return metrics.flatMap((metric) =>
    metric.arms.map((/** @type {any} */ arm) => ({ metric, arm, comparison: metric.comparisons.find((/** @type {any} */ c) => c.variantKey === arm.variantKey) ?? null })),
  );
}

/** @param {string} title @param {any[]} metrics @param {string} filename @param {string} testId */
function metricsTable(title, metrics, filename, testId) {
  return dataTable({
    caption: title,
    filename,
    testId,
    rows: metricRows(metrics),
    columns: [
      { label: 'Metric', text: (r) => r.metric.name, cell: (r) => h('span', {}, [r.metric.name, h('br'), h('span', { class: 'muted small' }, [`${r.metric.metricKey} · ${r.metric.role.toLowerCase()}`])]), csv: (r) => r.metric.metricKey },
      { label: 'Arm', text: (r) => `${r.arm.variantKey}${r.arm.isControl ? ' (control)' : ''}` },
      { label: 'Users', numeric: true, text: (r) => count(r.arm.users), csv: (r) => r.arm.users },
      { label: 'Value', numeric: true, text: (r) => valueFormat(r.metric.kind)(r.arm.value), csv: (r) => r.arm.value },
      { label: '95% interval', numeric: true, text: (r) => interval(r.arm.interval, valueFormat(r.metric.kind)), csv: (r) => (r.arm.interval ? `${r.arm.interval.lower};${r.arm.interval.upper}` : '') },
      { label: 'Absolute lift', numeric: true, text: (r) => (r.comparison ? `${liftFormat(r.metric.kind)(r.comparison.absoluteLift)} ${interval(r.comparison.absoluteLiftInterval, liftFormat(r.metric.kind))}` : '—'), csv: (r) => r.comparison?.absoluteLift ?? '' },
      { label: 'Relative lift', numeric: true, text: (r) => (r.comparison ? `${relative(r.comparison.relativeLift)} ${interval(r.comparison.relativeLiftInterval, relative)}` : '—'), csv: (r) => r.comparison?.relativeLift ?? '' },
      { label: 'p (raw)', numeric: true, text: (r) => (r.comparison ? pValue(r.comparison.pValue) : '—'), csv: (r) => r.comparison?.pValue ?? '' },
      { label: 'p (adjusted)', numeric: true, text: (r) => (r.comparison ? pValue(r.comparison.adjustedPValue) : '—'), csv: (r) => r.comparison?.adjustedPValue ?? '' },
      { label: 'Family', text: (r) => (r.comparison?.family ? familyText(r.comparison.family) : '—') },
      { label: 'Chance to beat control', numeric: true, text: (r) => (r.comparison ? percent(r.comparison.chanceToBeatControl, 0) : '—'), csv: (r) => r.comparison?.chanceToBeatControl ?? '' },
      { label: 'CUPED variance reduction', numeric: true, text: (r) => (r.comparison?.cuped?.applied ? percent(r.comparison.cuped.varianceReduction, 0) : '—'), csv: (r) => r.comparison?.cuped?.varianceReduction ?? '' },
      { label: 'Verdict', text: (r) => (r.comparison ? verdict(r.comparison) : 'control'), cell: (r) => (r.comparison ? verdictBadge(r.comparison) : h('span', { class: 'muted' }, ['control'])) },
    ],
  });
}

/** The forest plot's rows: every treatment comparison with a relative lift. @param {any[]} metrics */
export function forestRows(metrics) {
  return metrics.flatMap((metric) =>
    metric.comparisons
      .filter((/** @type {any} */ c) => c.relativeLift !== null && c.relativeLiftInterval)
      .map((/** @type {any} */ c) => ({
        label: `${metric.name} · ${c.variantKey}`,
        metricKey: metric.metricKey,
        variantKey: c.variantKey,
        lift: c.relativeLift,
        lower: c.relativeLiftInterval.lower,
        upper: c.relativeLiftInterval.upper,
        verdict: verdict(c),
      })),
  );
}

/** @param {string} title @param {any[]} metrics @param {string} filename @param {string} testId */
function forestFigure(title, metrics, filename, testId) {
  const rows = forestRows(metrics);
  return chartFigure({
    title,
    filename,
    testId,
    draw: (width) => forestPlot(rows, width),
    table: {
      rows,
      columns: [
        { label: 'Metric and arm', text: (r) => r.label },
        { label: 'Relative lift', numeric: true, text: (r) => relative(r.lift), csv: (r) => r.lift },
        { label: '95% interval', numeric: true, text: (r) => interval(r, relative), csv: (r) => `${r.lower};${r.upper}` },
        { label: 'Verdict', text: (r) => r.verdict },
      ],
    },
  });
}

/** The analysis plan in words, and how far the experiment has come. @param {any} plan */
export function planText(plan) {
  if (!plan) return 'No analysis plan.';
  const method = plan.type === 'SEQUENTIAL' ? 'Sequential (always-valid) test' : 'Fixed-horizon test';
  const source = plan.source === 'DEFAULT' ? ' (the default plan: this experiment has none of its own)' : '';
  const target = plan.plannedEndDay ? `until ${plan.plannedEndDay}` : plan.plannedUsersPerArm ? `at ${count(plan.plannedUsersPerArm)} users per arm` : 'with no horizon yet';
  const effect = `to detect a ${relative(plan.minimumDetectableLift)} lift${plan.baseline !== null ? ` on a ${percent(plan.baseline)} baseline` : ''} with ${percent(plan.power, 0)} power`;
  const progress = plan.horizonReached
    ? `Horizon reached${plan.decidedOnDay ? ` on ${plan.decidedOnDay}: the decision made then stands` : ''}.`
    : `${count(plan.usersPerArm)} users in the smallest arm${plan.progress !== null ? ` (${percent(plan.progress, 0)} of the way)` : ''}.`;
  return `${method}${source} ${target}, ${effect}. ${progress}`;
}

/**
 * The multiple-variant check beside the sample ratio: how many exposed users were also seen in
 * another variant, per arm they are analysed in. @param {any} check
 * @returns {(Node | string)[]}
 */
function multipleVariantsText(check) {
  if (!check) return [badge('Multiple variants not checked', 'neutral'), ' These results were stored before the check existed.'];
  if (check.users === 0) return [badge('No user in more than one variant', 'good')];
  const arms = check.arms.filter((/** @type {any} */ a) => a.users > 0).map((/** @type {any} */ a) => `${count(a.users)} in ${a.variantKey}`).join(', ');
  return [
    check.status === 'WARNING' ? badge('Users in more than one variant', 'warn') : badge('A few users in more than one variant', 'neutral'),
    ` ${count(check.users)} exposed users (${percent(check.share, 2)}) were also seen in another variant (${arms}); they stay in the arm they were exposed to. Warning from ${percent(check.warningShare, 0)}.`,
  ];
}

/** @param {string} title @param {...(Node | string)} children */
function section(title, ...children) {
  return h('section', { 'data-section': title.toLowerCase().replace(/[^a-z]+/g, '-') }, [h('h2', {}, [title]), ...children]);
}

/** @param {HTMLElement} root @param {string} key */
export async function renderExperimentPage(root, key) {
  const { experiment, metrics: definitions } = await gql(ExperimentPageDocument, { key });
  const header = h('header', { class: 'experiment-header' }, [
    h('h1', {}, [experiment.name, ' ', badge(experiment.status, experiment.status === 'RUNNING' ? 'good' : 'neutral')]),
    h('p', { class: 'muted' }, [`${experiment.key} · phase ${experiment.phase} · strategy ${experiment.strategy ?? '—'} · ${percent(experiment.trafficAllocation / 100, 0)} of traffic${experiment.targeting.tiers.length ? ` · tiers ${experiment.targeting.tiers.join(', ')}` : ''}`]),
    h('p', {}, [h('strong', {}, ['Hypothesis: ']), experiment.hypothesis ?? '—']),
    h('p', { class: 'muted' }, [`Started ${day(experiment.startedAt)}${experiment.stoppedAt ? `, stopped ${day(experiment.stoppedAt)}` : ''}`]),
    dataTable({
      caption: 'Arms',
      filename: `${experiment.key}-arms`,
      testId: 'arms-table',
      rows: experiment.variants,
      columns: [
        { label: 'Arm', text: (v) => `${v.name} (${v.key})${v.isControl ? ', control' : ''}` },
        { label: 'Weight', numeric: true, text: (v) => `${number(v.weight)}%`, csv: (v) => v.weight },
        { label: 'Payload', text: (v) => payloadSummary(v.payload), csv: (v) => JSON.stringify(v.payload) },
      ],
    }),
  ]);
  const body = h('div', {}, [h('p', { class: 'muted' }, ['Computing results…'])]);
  root.replaceChildren(header, body);

  const { results, stored } = await resultsToShow(key);
  const refresh = h('button', { type: 'button' }, ['Refresh results']);
  refresh.addEventListener('click', async () => {
    refresh.setAttribute('disabled', '');
    try {
      // A new snapshot, as the results job would store (and its guardrail actions).
      await gql(RefreshResultsDocument, { key });
      await renderExperimentPage(root, key);
    } catch (error) {
      root.append(h('p', { class: 'error', role: 'alert' }, [String(/** @type {any} */ (error).message ?? error)]));
    }
  });
  const total = results.exposures.reduce((/** @type {number} */ sum, /** @type {any} */ e) => sum + e.users, 0);
  const srmRows = results.exposures.map((/** @type {any} */ e) => ({ variantKey: e.variantKey, users: e.users, observed: total ? e.users / total : 0, expected: e.expectedShare }));
  const recommendation = results.recommendation;
  const guardrails = results.metrics.filter((/** @type {any} */ m) => m.role === 'GUARDRAIL');
  const thresholdOf = (/** @type {string} */ metricKey) => definitions.find((/** @type {any} */ d) => d.key === metricKey);

  body.replaceChildren(
    h('p', { class: 'computed', 'data-testid': 'computed-at' }, [
      stored ? `Stored results computed ${day(results.computedAt)} (${age(results.computedAt)}), as of ${results.asOfDay}. ` : `No stored results yet: computed now, as of ${results.asOfDay}, and not stored. `,
      refresh,
    ]),
    section(
      'Recommendation',
      h('p', { 'data-testid': 'recommendation' }, [badge(recommendation.action.replace(/_/g, ' '), recommendation.action === 'SHIP' ? 'good' : recommendation.action === 'INVESTIGATE' ? 'bad' : 'neutral'), ' ', recommendation.variantKey ? `${recommendation.variantKey}: ` : '', recommendation.reason]),
      h('p', { 'data-testid': 'plan' }, [h('strong', {}, ['Analysis plan: ']), planText(results.plan)]),
      results.plan && !results.plan.horizonReached && recommendation.estimatedDaysToPower !== null ? h('p', { class: 'muted' }, [`About ${count(recommendation.estimatedDaysToPower)} more days to reach the horizon.`]) : '',
    ),
    section(
      'Health',
      h('p', { 'data-testid': 'srm' }, [
        results.sampleRatio?.mismatch ? badge('Sample ratio mismatch', 'bad') : badge('Sample ratio as planned', 'good'),
        ` ${count(total)} exposed users; chi-square ${number(results.sampleRatio?.chiSquare)} on ${results.sampleRatio?.degreesOfFreedom ?? '—'} df, p ${pValue(results.sampleRatio?.pValue)}.`,
      ]),
      h('p', { 'data-testid': 'multiple-variants' }, multipleVariantsText(results.multipleVariantUsers)),
      chartFigure({
        title: 'Exposed users per arm: observed share (bar) against planned share (tick)',
        filename: `${experiment.key}-sample-ratio`,
        testId: 'srm-chart',
        draw: (width) => sampleRatioChart(srmRows, width),
        table: {
          rows: srmRows,
          columns: [
            { label: 'Arm', text: (r) => r.variantKey },
            { label: 'Users', numeric: true, text: (r) => count(r.users), csv: (r) => r.users },
            { label: 'Observed share', numeric: true, text: (r) => percent(r.observed), csv: (r) => r.observed },
            { label: 'Planned share', numeric: true, text: (r) => percent(r.expected), csv: (r) => r.expected },
          ],
        },
      }),
    ),
    section('Metrics', forestFigure('Relative lift of every metric against control, with 95% intervals', results.metrics, `${experiment.key}-forest`, 'forest-chart'), metricsTable('Every metric per arm', results.metrics, `${experiment.key}-metrics`, 'metrics-table')),
    section(
      'Guardrails',
      h('p', { 'data-testid': 'guardrail-status' }, [badge(`guardrails ${results.guardrailStatus}`, results.guardrailStatus === 'OK' ? 'good' : 'bad'), results.autoPaused ? ' This computation paused the experiment.' : '']),
      dataTable({
        caption: 'Guardrail metrics and their thresholds',
        filename: `${experiment.key}-guardrails`,
        testId: 'guardrails-table',
        rows: guardrails,
        columns: [
          { label: 'Metric', text: (m) => m.name },
          { label: 'Alert below', numeric: true, text: (m) => valueFormat(m.kind)(thresholdOf(m.metricKey)?.alertBelow ?? null) },
          { label: 'Alert above', numeric: true, text: (m) => valueFormat(m.kind)(thresholdOf(m.metricKey)?.alertAbove ?? null) },
          { label: 'Problems', text: (m) => results.guardrailProblems.filter((/** @type {any} */ p) => p.metricKey === m.metricKey).map((/** @type {any} */ p) => `${p.variantKey}: ${p.message}`).join('; ') || 'none' },
        ],
      }),
    ),
  );

  const [history, tiers, timeline] = await Promise.all([gql(ExperimentHistoryDocument, { key }), gql(ExperimentTiersDocument, { key }), gql(ExperimentTimelineDocument, { key })]);
  const curve = timeline.experimentTimeline.retention
    .filter((/** @type {any} */ p) => p.rate !== null)
    .map((/** @type {any} */ p) => ({ variantKey: p.variantKey, day: p.day, users: p.users, activeUsers: p.activeUsers, rate: p.rate, lower: p.interval.lower, upper: p.interval.upper }));
  const daily = timeline.experimentTimeline.exposuresPerDay.map((/** @type {any} */ d) => ({ variantKey: d.variantKey, day: new Date(`${d.day}T00:00:00Z`), dayText: d.day, users: d.users }));
  const health = body.querySelector('section[data-section=health]');
  health?.append(
    chartFigure({
      title: 'Users first exposed per day, by arm',
      filename: `${experiment.key}-exposures-per-day`,
      testId: 'exposures-chart',
      draw: (width) => exposuresPerDayChart(daily, width),
      table: {
        rows: daily,
        columns: [
          { label: 'Day', text: (r) => r.dayText },
          { label: 'Arm', text: (r) => r.variantKey },
          { label: 'Users', numeric: true, text: (r) => count(r.users), csv: (r) => r.users },
        ],
      },
    }),
  );
  body.append(
    section(
      'Retention curve',
      chartFigure({
        title: 'Share of each arm active on day n after first exposure, with 95% intervals',
        filename: `${experiment.key}-retention-curve`,
        testId: 'retention-chart',
        draw: (width) => retentionChart(curve, width),
        note: `Day n counts the users whose day n had ended by ${timeline.experimentTimeline.asOfDay}.`,
        table: {
          rows: curve,
          columns: [
            { label: 'Arm', text: (r) => r.variantKey },
            { label: 'Day', numeric: true, text: (r) => String(r.day) },
            { label: 'Users', numeric: true, text: (r) => count(r.users), csv: (r) => r.users },
            { label: 'Active', numeric: true, text: (r) => percent(r.rate), csv: (r) => r.rate },
            { label: '95% interval', numeric: true, text: (r) => interval(r, percent), csv: (r) => `${r.lower};${r.upper}` },
          ],
        },
      }),
    ),
  );
  const primaryKey = experiment.primaryMetricKey;
  const primary = results.metrics.find((/** @type {any} */ m) => m.role === 'PRIMARY');
  const overTime = history.experimentResultHistory
    .filter((/** @type {any} */ snapshot) => snapshot.phase === results.phase)
    .flatMap((/** @type {any} */ snapshot) => {
      const metric = snapshot.metrics.find((/** @type {any} */ m) => m.metricKey === primaryKey);
      // Sequential plans are read with their always-valid interval, which stays valid however often it is looked at.
      const sequential = snapshot.plan?.type === 'SEQUENTIAL';
      return (metric?.comparisons ?? [])
        .filter((/** @type {any} */ c) => c.absoluteLift !== null && c.absoluteLiftInterval)
        .map((/** @type {any} */ c) => {
          const band = (sequential && c.sequential?.absoluteLiftInterval) || c.absoluteLiftInterval;
          return { at: new Date(snapshot.computedAt), series: c.variantKey, value: c.absoluteLift * 100, lower: band.lower * 100, upper: band.upper * 100, kind: band === c.absoluteLiftInterval ? 'fixed-horizon' : 'always-valid' };
        });
    })
    .sort((/** @type {any} */ a, /** @type {any} */ b) => a.at - b.at);
  if (primary) {
    body.append(
      section(
        'Over time',
        chartFigure({
          title: `${primary.name}: absolute lift against control (points) at each stored computation`,
          filename: `${experiment.key}-over-time`,
          testId: 'over-time-chart',
          draw: (width) => overTimeChart(overTime, width, 'lift (points)'),
          table: {
            rows: overTime,
            columns: [
              { label: 'Computed', text: (r) => r.at.toISOString() },
              { label: 'Arm', text: (r) => r.series },
              { label: 'Lift (points)', numeric: true, text: (r) => number(r.value), csv: (r) => r.value },
              { label: '95% interval', numeric: true, text: (r) => `[${number(r.lower)}, ${number(r.upper)}]`, csv: (r) => `${r.lower};${r.upper}` },
              { label: 'Interval', text: (r) => r.kind },
            ],
          },
        }),
      ),
    );
  }
  const segments = tiers.experimentResults.segments;
  body.append(
    section(
      'Tiers (exploratory)',
      h('p', { class: 'muted' }, ['Exploratory: the same metrics per tier, without correction for multiple comparisons, part of no family, and never used by the recommendation.']),
      h(
        'div',
        { class: 'small-multiples', 'data-testid': 'tiers' },
        segments.map((/** @type {any} */ segment) => forestFigure(`Tier ${segment.tier ?? 'none'}`, segment.metrics, `${experiment.key}-tier-${segment.tier ?? 'none'}`, `tier-chart-${segment.tier ?? 'none'}`)),
      ),
    ),
  );
}
