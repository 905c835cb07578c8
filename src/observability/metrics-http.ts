import type { RequestHandler } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../common/errors';
import type { RequestContext } from '../common/context';
import { sendRefusal, type KeyCheck } from '../auth/key-check';
import { Role } from '../auth/principal';
import { operationKindOf, type OperationKind, type UpliftMetrics } from './metrics';

/** Who may read /metrics on the main port: it shows traffic and backlogs, not data, but not to apps. */
const METRICS_ROLES: ReadonlySet<Role> = new Set([Role.ADMIN, Role.ANALYST]);

/** GET /metrics on the main port: an ADMIN or ANALYST key (Bearer) is required. */
export function metricsEndpoint(metrics: UpliftMetrics, checkKey: KeyCheck): RequestHandler {
  return async (req, res) => {
    const { refused } = await checkKey(req, { roles: METRICS_ROLES, what: '/metrics' });
    if (refused) return void sendRefusal(res, refused);
    const { contentType, body } = await metrics.exposition();
    res.type(contentType).send(body);
  };
}

/**
 * Counts every refusal for credentials that a GraphQL answer carries (UNAUTHENTICATED, FORBIDDEN),
 * by its reason, as the one formatter every error passes through.
 */
export function countingAuthFailures<E>(format: (formatted: GraphQLFormattedError, error: E) => GraphQLFormattedError, metrics: UpliftMetrics) {
  return (formatted: GraphQLFormattedError, error: E): GraphQLFormattedError => {
    const result = format(formatted, error);
    const code = result.extensions?.code;
    if (code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.FORBIDDEN) metrics.authFailure(result.extensions?.reason);
    return result;
  };
}

/** Requests that Apollo serves (everything but the fast path's resolve): kind from the root fields, latency, outcome. */
export function requestMetricsPlugin(metrics: UpliftMetrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let kind: OperationKind = 'other';
      return {
        async didResolveOperation({ operation }) {
          if (operation) kind = operationKindOf(operation.selectionSet.selections.map((selection) => (selection.kind === 'Field' ? selection.name.value : '')));
        },
        async willSendResponse({ response, errors }) {
          const body = response.body;
          const failed = (errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0) || (response.http.status ?? 200) >= 400;
          metrics.record(kind, failed, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
