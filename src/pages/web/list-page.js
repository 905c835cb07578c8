// @ts-check
// Every experiment with its latest stored results: never computed live (there may be a thousand).
import { gql } from './api.js';
import { ResultsListDocument } from './operations.generated.js';
import { age, count, day, interval, liftFormat, pValue, relative } from './format.js';
import { badge, dataTable } from './tables.js';
import { h } from '/assets/dom.js';

/** The latest results warn of users seen in more than one variant. @param {any} experiment */
const crossedOver = (experiment) => experiment.latestResults?.multipleVariantUsers?.status === 'WARNING';

/** @returns {Promise<any[]>} */
async function allExperiments() {
  const experiments = [];
  let after = null;
  for (;;) {
    const data = await gql(ResultsListDocument, { after });
    experiments.push(...data.experiments.nodes);
    if (!data.experiments.pageInfo.hasNextPage) return experiments;
    after = data.experiments.pageInfo.endCursor;
  }
}

/** The primary metric's best-looking treatment comparison, for one line per experiment. @param {any} experiment */
export function headline(experiment) {
  const results = experiment.latestResults;
  const primary = results?.metrics.find((/** @type {any} */ m) => m.role === 'PRIMARY');
  if (!primary) return null;
  const ranked = [...primary.comparisons].sort((a, b) => (a.adjustedPValue ?? 1) - (b.adjustedPValue ?? 1));
  return ranked[0] ? { metric: primary, comparison: ranked[0] } : null;
}

/** @param {Date} now @param {any} experiment */
function daysRunning(experiment, now) {
  if (!experiment.startedAt) return null;
  const end = experiment.stoppedAt ? new Date(experiment.stoppedAt) : now;
  return Math.max(0, Math.floor((end.getTime() - new Date(experiment.startedAt).getTime()) / 86_400_000));
}

/** @param {HTMLElement} root */
export async function renderListPage(root) {
  const experiments = await allExperiments();
  const now = new Date();
  const params = new URLSearchParams(location.search);
  const filters = { status: params.get('status') ?? '', strategy: params.get('strategy') ?? '', tag: params.get('tag') ?? '', q: params.get('q') ?? '' };
  const values = (/** @type {(e: any) => string[]} */ of) => [...new Set(experiments.flatMap(of))].filter(Boolean).sort();
  /** @param {string} name @param {string} label @param {string[]} options */
  const select = (name, label, options) => {
    const element = /** @type {HTMLSelectElement} */ (h('select', { name, id: `filter-${name}` }, [h('option', { value: '' }, ['All']), ...options.map((o) => h('option', { value: o }, [o]))]));
    element.value = /** @type {any} */ (filters)[name];
    return h('label', { for: `filter-${name}` }, [label, ' ', element]);
  };
  const search = /** @type {HTMLInputElement} */ (h('input', { type: 'search', name: 'q', id: 'filter-q', placeholder: 'key, name or hypothesis' }));
  search.value = filters.q;
  const form = h('form', { class: 'filters', role: 'search' }, [
    select('status', 'Status', values((e) => [e.status])),
    select('strategy', 'Strategy', values((e) => [e.strategy ?? ''])),
    select('tag', 'Tag', values((e) => e.tags)),
    h('label', { for: 'filter-q' }, ['Search ', search]),
  ]);
  const listBox = h('div');
  const draw = () => {
    const q = filters.q.toLowerCase();
    const shown = experiments.filter(
      (e) =>
        (!filters.status || e.status === filters.status) &&
        (!filters.strategy || e.strategy === filters.strategy) &&
        (!filters.tag || e.tags.includes(filters.tag)) &&
        (!q || `${e.key} ${e.name}`.toLowerCase().includes(q)),
    );
    listBox.replaceChildren(
      dataTable({
        caption: `${shown.length} of ${experiments.length} experiments`,
        filename: 'experiments',
        testId: 'experiments-table',
        rows: shown,
        columns: [
          { label: 'Experiment', text: (e) => e.key, cell: (e) => h('a', { href: `/results/experiments/${encodeURIComponent(e.key)}` }, [e.name, h('br'), h('span', { class: 'muted small' }, [e.key])]) },
          { label: 'Status', text: (e) => e.status },
          { label: 'Strategy per arm', text: (e) => `${e.strategy ?? '—'}: ${e.variants.map((/** @type {any} */ v) => v.key).join(' / ')}` },
          { label: 'Days running', numeric: true, text: (e) => count(daysRunning(e, now)), csv: (e) => daysRunning(e, now) },
          { label: 'Exposures', numeric: true, text: (e) => count(e.latestResults?.exposures.reduce((/** @type {number} */ s, /** @type {any} */ x) => s + x.users, 0)), csv: (e) => e.latestResults?.exposures.reduce((/** @type {number} */ s, /** @type {any} */ x) => s + x.users, 0) },
          {
            label: 'Primary metric lift',
            text: (e) => {
              const top = headline(e);
              return top ? `${top.metric.metricKey} ${top.comparison.variantKey}: ${liftFormat(top.metric.kind)(top.comparison.absoluteLift)} ${interval(top.comparison.absoluteLiftInterval, liftFormat(top.metric.kind))} (${relative(top.comparison.relativeLift)})` : '—';
            },
            cell: (e) => {
              const top = headline(e);
              if (!top) return h('span', { class: 'muted' }, ['no results yet']);
              const { metric, comparison } = top;
              const tone = !comparison.significant ? 'neutral' : comparison.improvement ? 'good' : 'bad';
              return h('span', {}, [
                `${metric.metricKey}, ${comparison.variantKey}: ${liftFormat(metric.kind)(comparison.absoluteLift)} `,
                h('span', { class: 'muted' }, [interval(comparison.absoluteLiftInterval, liftFormat(metric.kind))]),
                ' ',
                badge(comparison.significant ? `p ${pValue(comparison.adjustedPValue)}` : 'not significant', tone),
              ]);
            },
          },
          {
            label: 'Health',
            text: (e) => (e.latestResults ? `${e.latestResults.sampleRatio?.mismatch ? 'SRM' : 'ratio ok'}${crossedOver(e) ? '; users in several variants' : ''}; guardrails ${e.latestResults.guardrailStatus}` : '—'),
            cell: (e) => (e.latestResults
              ? h('span', {}, [
                e.latestResults.sampleRatio?.mismatch ? badge('SRM', 'bad') : badge('ratio ok', 'good'), ' ',
                crossedOver(e) ? h('span', {}, [badge('users in several variants', 'warn'), ' ']) : '',
                badge(`guardrails ${e.latestResults.guardrailStatus}`, e.latestResults.guardrailStatus === 'OK' ? 'good' : 'bad'),
              ])
              : '—'),
          },
          { label: 'Recommendation', text: (e) => (e.latestResults ? `${e.latestResults.recommendation.action}${e.latestResults.recommendation.variantKey ? ` ${e.latestResults.recommendation.variantKey}` : ''}` : '—') },
          { label: 'Results computed', text: (e) => (e.latestResults ? `${day(e.latestResults.computedAt)} (${age(e.latestResults.computedAt, now)})` : 'never'), csv: (e) => e.latestResults?.computedAt ?? '' },
        ],
      }),
    );
  };
  form.addEventListener('input', (event) => {
    const target = /** @type {HTMLInputElement} */ (event.target);
    /** @type {any} */ (filters)[target.name] = target.value;
    const next = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    history.replaceState(null, '', `${location.pathname}${next.size ? `?${next}` : ''}`);
    draw();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  root.replaceChildren(h('h1', {}, ['Experiments']), form, listBox);
  draw();
}
