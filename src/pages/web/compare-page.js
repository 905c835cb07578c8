// @ts-check
// Strategies side by side: the treatment arms of chosen experiments on one metric, against what
// each costs per incremental user.
import { gql } from './api.js';
import { CompareChoicesDocument, CompareStrategiesDocument } from './operations.generated.js';
import { chartFigure, costLiftChart } from './charts.js';
import { count, interval, isRate, number, points, pValue, relative } from './format.js';
import { dataTable } from './tables.js';
import { h } from '/assets/dom.js';

/** @param {HTMLElement} root */
export async function renderComparePage(root) {
  const params = new URLSearchParams(location.search);
  const { experiments, metrics } = await gql(CompareChoicesDocument);
  const chosen = (params.get('experiments') ?? '').split(',').filter(Boolean);
  const metricKey = params.get('metric') ?? 'd7_retention';
  const form = h('form', { class: 'filters', method: 'get', action: '/results/compare' });
  const metricSelect = /** @type {HTMLSelectElement} */ (h('select', { name: 'metric', id: 'compare-metric' }, metrics.map((/** @type {any} */ m) => h('option', { value: m.key }, [m.name]))));
  metricSelect.value = metricKey;
  const boxes = experiments.nodes.map((/** @type {any} */ e) => {
    const box = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', value: e.key, id: `compare-${e.key}` }));
    box.checked = chosen.includes(e.key);
    return h('label', { for: `compare-${e.key}`, class: 'check' }, [box, ` ${e.name} (${e.strategy ?? 'no strategy'}, ${e.status.toLowerCase()})`]);
  });
  const hidden = /** @type {HTMLInputElement} */ (h('input', { type: 'hidden', name: 'experiments' }));
  const submit = h('button', { type: 'submit' }, ['Compare']);
  form.append(h('label', { for: 'compare-metric' }, ['Metric ', metricSelect]), h('fieldset', {}, [h('legend', {}, ['Experiments']), ...boxes]), hidden, submit);
  form.addEventListener('submit', () => {
    hidden.value = [...form.querySelectorAll('input[type=checkbox]:checked')].map((b) => /** @type {HTMLInputElement} */ (b).value).join(',');
  });
  root.replaceChildren(h('h1', {}, ['Compare strategies']), form);
  if (chosen.length === 0) {
    root.append(h('p', { class: 'muted' }, ['Choose experiments and a metric.']));
    return;
  }
  const arms = (await gql(CompareStrategiesDocument, { metricKey, experimentKeys: chosen })).compareStrategies;
  const metric = metrics.find((/** @type {any} */ m) => m.key === metricKey);
  const rate = metric && isRate(metric.kind);
  const lift = rate ? (/** @type {number} */ v) => points(v) : (/** @type {number} */ v) => number(v);
  const rows = arms.map((/** @type {any} */ a) => ({
    ...a,
    label: `${a.experimentKey} · ${a.variantKey}`,
    lift: a.absoluteLift,
    liftLower: a.absoluteLiftInterval?.lower,
    liftUpper: a.absoluteLiftInterval?.upper,
    cost: a.costPerIncrementalUserUnbounded ? null : a.costPerIncrementalUser,
    costLower: a.costPerIncrementalUserInterval?.lower ?? null,
    costUpper: a.costPerIncrementalUserInterval?.upper ?? null,
  }));
  /** @param {any} r */
  const costText = (r) => (r.costPerIncrementalUserUnbounded ? 'unbounded (the lift may be 0)' : r.costPerIncrementalUser === null ? '—' : `${number(r.costPerIncrementalUser)} ${r.costPerIncrementalUserInterval ? interval(r.costPerIncrementalUserInterval, (v) => number(v)) : ''}`.trim());
  const notes = [...new Set(arms.flatMap((/** @type {any} */ a) => [a.populationNote, a.costNote]).filter(Boolean))];
  root.append(
    h('p', { class: 'muted', 'data-testid': 'populations' }, [`Each arm is compared with its own experiment's control. ${notes.join(' ')}`]),
    chartFigure({
      title: `${metric?.name ?? metricKey}: lift against reward cost per incremental user`,
      filename: `compare-${metricKey}`,
      testId: 'cost-lift-chart',
      draw: (width) => costLiftChart(rows, width),
      table: {
        rows,
        columns: [
          { label: 'Arm', text: (r) => r.label },
          { label: 'Lift', numeric: true, text: (r) => `${lift(r.absoluteLift)} ${interval(r.absoluteLiftInterval, lift)}`, csv: (r) => r.absoluteLift },
          { label: 'Cost per incremental user', numeric: true, text: costText, csv: (r) => r.costPerIncrementalUser },
        ],
      },
    }),
    dataTable({
      caption: 'Ranked by lift in the metric’s good direction (only arms whose lift clears 0)',
      filename: `compare-${metricKey}-ranked`,
      testId: 'compare-table',
      rows,
      columns: [
        { label: 'Rank', numeric: true, text: (r) => (r.rank === null ? '—' : String(r.rank)), csv: (r) => r.rank },
        { label: 'Why unranked', text: (r) => r.unrankedReason ?? '' },
        { label: 'Experiment', text: (r) => r.experimentKey },
        { label: 'Strategy', text: (r) => r.strategy ?? '—' },
        { label: 'Arm', text: (r) => r.variantKey },
        { label: 'Users', numeric: true, text: (r) => count(r.users), csv: (r) => r.users },
        { label: 'Absolute lift', numeric: true, text: (r) => `${lift(r.absoluteLift)} ${interval(r.absoluteLiftInterval, lift)}`, csv: (r) => r.absoluteLift },
        { label: 'Relative lift', numeric: true, text: (r) => `${relative(r.relativeLift)} ${interval(r.relativeLiftInterval, relative)}`, csv: (r) => r.relativeLift },
        { label: 'p (raw)', numeric: true, text: (r) => pValue(r.pValue), csv: (r) => r.pValue },
        { label: 'Incremental cost per user', numeric: true, text: (r) => number(r.incrementalCostPerUser), csv: (r) => r.incrementalCostPerUser },
        { label: 'Cost per incremental user (95% interval)', numeric: true, text: costText, csv: (r) => r.costPerIncrementalUser },
      ],
    }),
  );
}
