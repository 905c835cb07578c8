// @ts-check
// The GraphQL API, as every other client reads it, with the key the reader signed in with.

const KEY_STORAGE = 'uplift.key';

/** Moves a key given in the address's fragment (`#key=...`) into this tab's session storage. */
export function takeKeyFromFragment() {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY_STORAGE, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function currentKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

/** @param {string | null} key */
export function setKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export class ApiError extends Error {
  /** @param {string} message @param {string} code @param {number} status */
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<any>}
 */
export async function gql(query, variables) {
  const key = currentKey();
  if (!key) throw new ApiError('Sign in with an analyst or admin key to read results.', 'UNAUTHENTICATED', 401);
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('Uplift cannot be reached. Check that the server is running, then reload.', 'NETWORK', 0);
  }
  /** @type {any} */
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Uplift answered HTTP ${response.status} without a GraphQL answer.`, 'HTTP', response.status);
  }
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? 'ERROR', response.status);
  return body.data;
}
