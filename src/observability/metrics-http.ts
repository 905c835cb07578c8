import type { RequestHandler } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../common/errors';
import type { RequestContext } from '../common/context';
import type { Authenticator } from '../auth/authenticator';
import { AuthErrorReason } from '../auth/auth.errors';
import { Role } from '../auth/principal';
import { operationKindOf, type OperationKind, type UpliftMetrics } from './metrics';

/** Who may read /metrics on the main port: it shows traffic and backlogs, not data, but not to apps. */
const METRICS_ROLES: readonly Role[] = [Role.ADMIN, Role.ANALYST];

const refusal = (message: string, code: ErrorCode, reason: string) => ({ errors: [{ message, extensions: { code, reason } }] });

/** GET /metrics on the main port: an ADMIN or ANALYST key (Bearer) is required. */
export function metricsEndpoint(metrics: UpliftMetrics, authenticator: Authenticator): RequestHandler {
  return async (req, res) => {
    let principal;
    try {
      principal = await authenticator.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      metrics.authFailure(error.reason);
      res.status(401).json(refusal(error.message, ErrorCode.UNAUTHENTICATED, error.reason));
      return;
    }
    if (!principal) {
      metrics.authFailure(AuthErrorReason.MISSING_KEY);
      res.status(401).json(refusal('/metrics needs an ADMIN or ANALYST key: send "Authorization: Bearer <key>"', ErrorCode.UNAUTHENTICATED, AuthErrorReason.MISSING_KEY));
      return;
    }
    if (!METRICS_ROLES.includes(principal.role)) {
      metrics.authFailure(AuthErrorReason.ROLE_NOT_ALLOWED);
      res.status(403).json(refusal(`Role ${principal.role} may not read /metrics`, ErrorCode.FORBIDDEN, AuthErrorReason.ROLE_NOT_ALLOWED));
      return;
    }
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
