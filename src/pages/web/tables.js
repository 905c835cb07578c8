// @ts-check
// Tables with a CSV download; every chart's table view is one of these.

import { h } from '/assets/dom.js';

/**
 * @typedef {{ label: string, text: (row: any) => string, csv?: (row: any) => unknown, numeric?: boolean, cell?: (row: any) => Node | string }} Column
 */

/** @param {unknown} value */
function csvCell(value) {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** @param {Column[]} columns @param {any[]} rows */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.csv ? c.csv(row) : c.text(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Offers `content` as a file to save. @param {string} filename @param {Blob} blob */
export function download(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * A table in its own scrolling box (the page never scrolls sideways), with a CSV download.
 * @param {{ caption: string, columns: Column[], rows: any[], filename: string, testId?: string }} options
 */
export function dataTable({ caption, columns, rows, filename, testId }) {
  const table = h('table', testId ? { 'data-testid': testId } : {});
  table.append(h('caption', {}, [caption]));
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : '' }, [c.label])));
  table.append(h('thead', {}, [head]));
  const body = h('tbody');
  for (const row of rows) {
    body.append(h('tr', {}, columns.map((c) => h('td', { class: c.numeric ? 'num' : '' }, [c.cell ? c.cell(row) : c.text(row)]))));
  }
  if (rows.length === 0) body.append(h('tr', {}, [h('td', { colspan: String(columns.length), class: 'muted' }, ['Nothing to show yet.'])]));
  table.append(body);
  const button = h('button', { type: 'button', class: 'small' }, ['Download CSV']);
  button.addEventListener('click', () => download(`${filename}.csv`, new Blob([toCsv(columns, rows)], { type: 'text/csv' })));
  // Focusable, so that keyboard users can scroll a wide table too.
  const scroll = h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption }, [table]);
  return h('figure', { class: 'table' }, [scroll, h('div', { class: 'actions' }, [button])]);
}

/** A small coloured label. @param {string} text @param {string} tone good | bad | warn | neutral */
export function badge(text, tone) {
  return h('span', { class: `badge ${tone}` }, [text]);
}
