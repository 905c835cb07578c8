// @ts-check
// Charts drawn with Observable Plot (served from node_modules); each has a table view and
// downloads as SVG or PNG.
import { dataTable, download } from './tables.js';
import { h } from '/assets/dom.js';

/** @type {any} */
const Plot = /** @type {any} */ (globalThis).Plot;

/** Okabe and Ito's palette, safe for the common kinds of colour blindness. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const VERDICT_COLOURS = { better: '#0072B2', worse: '#D55E00', 'not significant': '#8c8c8c' };

/** @param {SVGSVGElement} svg */
function svgText(svg) {
  const copy = /** @type {SVGSVGElement} */ (svg.cloneNode(true));
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('style', 'background: white; font-family: system-ui, sans-serif;');
  return new XMLSerializer().serializeToString(copy);
}

/** @param {SVGSVGElement} svg @param {string} filename */
function downloadPng(svg, filename) {
  const { width, height } = svg.getBoundingClientRect();
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  image.onload = () => {
    const scale = 2;
    const canvas = h('canvas', { width: String(Math.ceil(width * scale)), height: String(Math.ceil(height * scale)) });
    const context = /** @type {HTMLCanvasElement} */ (canvas).getContext('2d');
    if (!context) return;
    context.fillStyle = 'white';
    context.fillRect(0, 0, width * scale, height * scale);
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    URL.revokeObjectURL(url);
    /** @type {HTMLCanvasElement} */ (canvas).toBlob((blob) => blob && download(`${filename}.png`, blob), 'image/png');
  };
  image.src = url;
}

/**
 * A chart with its toolbar: table view, SVG and PNG downloads. Redrawn at the box's width.
 * @param {{ title: string, filename: string, draw: (width: number) => Element, table: { columns: import('./tables.js').Column[], rows: any[] }, testId: string, note?: string }} options
 */
export function chartFigure({ title, filename, draw, table, testId, note }) {
  const box = h('div', { class: 'chart', 'data-testid': testId, role: 'img', 'aria-label': title });
  const tableView = dataTable({ caption: title, columns: table.columns, rows: table.rows, filename, testId: `${testId}-table` });
  tableView.hidden = true;
  const toggle = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, ['Table view']);
  const svgButton = h('button', { type: 'button', class: 'small' }, ['SVG']);
  const pngButton = h('button', { type: 'button', class: 'small' }, ['PNG']);
  const figure = h('figure', { class: 'chart-figure' }, [
    h('figcaption', {}, [h('span', { class: 'title' }, [title]), h('span', { class: 'actions' }, [toggle, svgButton, pngButton])]),
    box,
    tableView,
  ]);
  if (note) figure.append(h('p', { class: 'muted small' }, [note]));
  // The plot itself, not a legend swatch: Plot puts it directly in the box, or in a figure beside its legend.
  const svg = () => /** @type {SVGSVGElement | null} */ (box.querySelector(':scope > svg, :scope > figure > svg'));
  toggle.addEventListener('click', () => {
    const showTable = tableView.hidden;
    tableView.hidden = !showTable;
    box.hidden = showTable;
    toggle.setAttribute('aria-pressed', String(showTable));
    toggle.textContent = showTable ? 'Chart view' : 'Table view';
  });
  svgButton.addEventListener('click', () => {
    const element = svg();
    if (element) download(`${filename}.svg`, new Blob([svgText(element)], { type: 'image/svg+xml' }));
  });
  pngButton.addEventListener('click', () => {
    const element = svg();
    if (element) downloadPng(element, filename);
  });
  let drawnWidth = 0;
  const redraw = () => {
    const width = Math.max(280, Math.floor(box.clientWidth || figure.clientWidth || 600));
    if (width === drawnWidth) return;
    drawnWidth = width;
    const chart = draw(width);
    // The box is the image, labelled with the title; the table view is the accessible reading.
    chart.setAttribute('aria-hidden', 'true');
    box.replaceChildren(chart);
  };
  requestAnimationFrame(redraw);
  new ResizeObserver(() => redraw()).observe(figure);
  return figure;
}

/**
 * Every metric's lift with its interval, coloured by direction and significance.
 * @param {{ label: string, lift: number, lower: number, upper: number, verdict: string }[]} rows
 * @param {number} width
 */
export function forestPlot(rows, width) {
  const labelWidth = Math.min(220, Math.floor(width * 0.42));
  return Plot.plot({
    width,
    height: 40 + rows.length * 28,
    marginLeft: labelWidth,
    x: { label: 'relative lift (%) →', tickFormat: (/** @type {number} */ d) => `${d}%`, grid: true },
    y: { label: null, domain: rows.map((r) => r.label) },
    color: { domain: Object.keys(VERDICT_COLOURS), range: Object.values(VERDICT_COLOURS), legend: true },
    marks: [
      Plot.ruleX([0], { stroke: '#444' }),
      Plot.ruleY(rows, { y: 'label', x1: (/** @type {any} */ r) => r.lower * 100, x2: (/** @type {any} */ r) => r.upper * 100, stroke: 'verdict', strokeWidth: 2 }),
      Plot.dot(rows, { y: 'label', x: (/** @type {any} */ r) => r.lift * 100, fill: 'verdict', r: 4, title: (/** @type {any} */ r) => r.label }),
    ],
  });
}

/**
 * Observed share of users per arm against the share its weight promises.
 * @param {{ variantKey: string, observed: number, expected: number }[]} rows
 * @param {number} width
 */
export function sampleRatioChart(rows, width) {
  return Plot.plot({
    width,
    height: 50 + rows.length * 32,
    marginLeft: 110,
    x: { label: 'share of exposed users (%) →', domain: [0, 100], grid: true },
    y: { label: null, domain: rows.map((r) => r.variantKey) },
    marks: [
      Plot.barX(rows, { y: 'variantKey', x: (/** @type {any} */ r) => r.observed * 100, fill: PALETTE[0] }),
      Plot.tickX(rows, { y: 'variantKey', x: (/** @type {any} */ r) => r.expected * 100, stroke: PALETTE[5], strokeWidth: 3 }),
    ],
  });
}

/**
 * An estimate and its interval per arm over time.
 * @param {{ at: Date, series: string, value: number, lower: number, upper: number }[]} rows
 * @param {number} width
 * @param {string} label
 */
export function overTimeChart(rows, width, label) {
  const series = [...new Set(rows.map((r) => r.series))];
  return Plot.plot({
    width,
    height: 260,
    y: { label, grid: true, tickFormat: (/** @type {number} */ d) => `${d}`},
    x: { label: null, type: 'time' },
    color: { domain: series, range: PALETTE, legend: true },
    marks: [
      Plot.ruleY([0], { stroke: '#444' }),
      Plot.areaY(rows, { x: 'at', y1: 'lower', y2: 'upper', fill: 'series', fillOpacity: 0.15, z: 'series' }),
      Plot.lineY(rows, { x: 'at', y: 'value', stroke: 'series', z: 'series' }),
      Plot.dot(rows, { x: 'at', y: 'value', fill: 'series', r: 2.5 }),
    ],
  });
}

/**
 * Lift against cost per incremental retained user, with both intervals where they exist (the
 * cost's by Fieller's theorem; arms whose cost is unbounded are left out of the chart).
 * @param {{ label: string, lift: number, liftLower: number, liftUpper: number, cost: number | null, costLower: number | null, costUpper: number | null }[]} rows
 * @param {number} width
 */
export function costLiftChart(rows, width) {
  const priced = rows.filter((r) => r.cost !== null && Number.isFinite(r.cost));
  return Plot.plot({
    width,
    height: 300,
    x: { label: 'absolute lift (points) →', grid: true },
    y: { label: '↑ reward cost per incremental user', grid: true },
    color: { domain: rows.map((r) => r.label), range: PALETTE, legend: true },
    marks: [
      Plot.ruleX([0], { stroke: '#444' }),
      Plot.ruleY(priced, { y: 'cost', x1: (/** @type {any} */ r) => r.liftLower * 100, x2: (/** @type {any} */ r) => r.liftUpper * 100, stroke: 'label' }),
      Plot.ruleX(priced.filter((r) => r.costLower !== null && r.costUpper !== null), { x: (/** @type {any} */ r) => r.lift * 100, y1: 'costLower', y2: 'costUpper', stroke: 'label' }),
      Plot.dot(priced, { y: 'cost', x: (/** @type {any} */ r) => r.lift * 100, fill: 'label', r: 5 }),
    ],
  });
}

/**
 * Each arm's retention curve, Dn for n = 0 to 30, with its interval as a band.
 * @param {{ variantKey: string, day: number, rate: number, lower: number, upper: number }[]} rows
 * @param {number} width
 */
export function retentionChart(rows, width) {
  const arms = [...new Set(rows.map((r) => r.variantKey))];
  return Plot.plot({
    width,
    height: 280,
    x: { label: 'days after exposure →', domain: [0, 30] },
    y: { label: '↑ active (%)', grid: true, domain: [0, 100] },
    color: { domain: arms, range: PALETTE, legend: true },
    marks: [
      Plot.areaY(rows, { x: 'day', y1: (/** @type {any} */ r) => r.lower * 100, y2: (/** @type {any} */ r) => r.upper * 100, fill: 'variantKey', fillOpacity: 0.15, z: 'variantKey' }),
      Plot.lineY(rows, { x: 'day', y: (/** @type {any} */ r) => r.rate * 100, stroke: 'variantKey', z: 'variantKey' }),
      Plot.dot(rows, { x: 'day', y: (/** @type {any} */ r) => r.rate * 100, fill: 'variantKey', r: 2 }),
    ],
  });
}

/**
 * Users first exposed per day, per arm.
 * @param {{ variantKey: string, day: Date, users: number }[]} rows
 * @param {number} width
 */
export function exposuresPerDayChart(rows, width) {
  const arms = [...new Set(rows.map((r) => r.variantKey))];
  return Plot.plot({
    width,
    height: 220,
    x: { label: null, type: 'time' },
    y: { label: '↑ users first exposed', grid: true },
    color: { domain: arms, range: PALETTE, legend: true },
    marks: [Plot.ruleY([0]), Plot.lineY(rows, { x: 'day', y: 'users', stroke: 'variantKey', z: 'variantKey' }), Plot.dot(rows, { x: 'day', y: 'users', fill: 'variantKey', r: 2 })],
  });
}
