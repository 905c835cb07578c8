// @ts-check
// Numbers for people: rates as %, lifts in points and %, p-values to two significant digits.

const MINUS = '\u2212';

/** @param {string} text */
const signed = (text) => text.replace(/^-/, MINUS);

/** A rate, e.g. 0.1234 -> "12.3%". @param {number | null | undefined} value */
export function percent(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return signed(`${(value * 100).toFixed(digits)}%`);
}

/** An absolute difference of rates in percentage points, e.g. 0.021 -> "+2.1 pp". @param {number | null | undefined} value */
export function points(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = (value * 100).toFixed(digits);
  return signed(`${value > 0 && Number(text) !== 0 ? '+' : ''}${text} pp`);
}

/** A relative lift, e.g. 0.152 -> "+15.2%". @param {number | null | undefined} value */
export function relative(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = (value * 100).toFixed(digits);
  return signed(`${value > 0 && Number(text) !== 0 ? '+' : ''}${text}%`);
}

/** A plain number with up to `digits` decimals and thousands separators. @param {number | null | undefined} value */
export function number(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return signed(value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }));
}

/** @param {number | null | undefined} value */
export function count(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

/** Two significant digits; below 0.001, "< 0.001". @param {number | null | undefined} p */
export function pValue(p) {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  if (p < 0.001) return '< 0.001';
  return Number(p.toPrecision(2)).toString();
}

/**
 * "[a, b]" with each bound in the given format.
 * @param {{ lower: number, upper: number } | null | undefined} interval
 * @param {(value: number) => string} format
 */
export function interval(interval, format) {
  if (!interval) return '—';
  return `[${format(interval.lower)}, ${format(interval.upper)}]`;
}

/** Kinds whose values are shares of users (the activity-quality kinds too). @param {string} kind */
export function isRate(kind) {
  return kind === 'CONVERSION' || kind === 'RETENTION' || kind === 'GENUINE_ACTIVITY' || kind === 'HOLLOW_ACTIVITY';
}

/** How a metric's values read: rates as %, everything else as numbers. @param {string} kind */
export function valueFormat(kind) {
  return isRate(kind) ? (/** @type {number} */ v) => percent(v) : (/** @type {number} */ v) => number(v);
}

/** How a metric's absolute lift reads: points for rates. @param {string} kind */
export function liftFormat(kind) {
  return isRate(kind) ? (/** @type {number} */ v) => points(v) : (/** @type {number} */ v) => signed(number(v));
}

/** "3 h ago", "2 days ago". @param {string | Date} at @param {Date} [now] */
export function age(at, now = new Date()) {
  const ms = now.getTime() - new Date(at).getTime();
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** "2026-11-03" from a date-time. @param {string | null | undefined} at */
export function day(at) {
  return at ? new Date(at).toISOString().slice(0, 10) : '—';
}
