// @ts-check
// The GraphQL API, as every other client reads it, with the key the reader signed in with
// (Uplift's one sign-in module, shared with GraphiQL).

import { authorizationHeader } from '/assets/sign-in.js';

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
  const authorization = authorizationHeader();
  if (!authorization) throw new ApiError('Sign in with an analyst or admin key to read results.', 'UNAUTHENTICATED', 401);
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
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
