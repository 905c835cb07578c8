/**
 * The one rule for every value that crosses the API (ids, keys, names, filters, JSON payloads and
 * properties): what PostgreSQL cannot store faithfully, or what would be stored as something else,
 * is refused up front instead of failing in SQL (INTERNAL_SERVER_ERROR), merging distinct values
 * (lone surrogates become U+FFFD) or becoming null (Infinity in JSON).
 */
export enum InputErrorReason {
  /** A NUL character or a lone UTF-16 surrogate: text PostgreSQL cannot store as sent. */
  INVALID_TEXT = 'INVALID_TEXT',
  /** Infinity or NaN (JSON's 1e400): JSON and PostgreSQL have no such numbers. */
  NOT_FINITE_NUMBER = 'NOT_FINITE_NUMBER',
  /** Objects and lists nested deeper than MAX_INPUT_DEPTH. */
  TOO_DEEP = 'TOO_DEEP',
  /** The request's cost, counted with its lists' sizes, is above the limit (src/server/query-cost.ts). */
  QUERY_TOO_COSTLY = 'QUERY_TOO_COSTLY',
}

/** Levels of objects and lists one argument may nest, counted from the argument itself (JSON payloads included). */
export const MAX_INPUT_DEPTH = 64;

export interface InputProblem {
  reason: InputErrorReason;
  /** Where, as a DomainError field: `input.variants.1.payload.x`. */
  field: string;
  message: string;
}

const MESSAGES: Record<Exclude<InputErrorReason, InputErrorReason.QUERY_TOO_COSTLY>, string> = {
  [InputErrorReason.INVALID_TEXT]: 'must not contain NUL characters or unpaired UTF-16 surrogates',
  [InputErrorReason.NOT_FINITE_NUMBER]: 'must be a finite number',
  [InputErrorReason.TOO_DEEP]: `nests deeper than ${MAX_INPUT_DEPTH} levels`,
};

/** Lone surrogates and NUL: one test of the common case, no allocation. */
function isStorableText(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() && !text.includes('\0');
}

type Found = { reason: Exclude<InputErrorReason, InputErrorReason.QUERY_TOO_COSTLY>; path: (string | number)[] };

/** Allocates nothing for a good value: the path is built only on the way back from a problem. */
function find(value: unknown, depth: number): Found | null {
  if (typeof value === 'string') return isStorableText(value) ? null : { reason: InputErrorReason.INVALID_TEXT, path: [] };
  if (typeof value === 'number') return Number.isFinite(value) ? null : { reason: InputErrorReason.NOT_FINITE_NUMBER, path: [] };
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (depth >= MAX_INPUT_DEPTH) return { reason: InputErrorReason.TOO_DEEP, path: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = find(value[i], depth + 1);
      if (found) {
        found.path.unshift(i);
        return found;
      }
    }
    return null;
  }
  for (const key in value) {
    const found: Found | null = isStorableText(key) ? find((value as Record<string, unknown>)[key], depth + 1) : { reason: InputErrorReason.INVALID_TEXT, path: [] };
    if (found) {
      found.path.unshift(key);
      return found;
    }
  }
  return null;
}

/** The first value under `value` that breaks the rule, with its path below `field`; null when all is well. Pure. */
export function inputProblem(value: unknown, field?: string): InputProblem | null {
  const found = find(value, 0);
  if (!found) return null;
  // A key with a NUL would be unreadable in a path: keys are shown as far as they are printable.
  const path = [...(field ? [field] : []), ...found.path.map((key) => String(key).replace(/[\0\uD800-\uDFFF]/g, '?'))].join('.');
  return { reason: found.reason, field: path, message: MESSAGES[found.reason] };
}
