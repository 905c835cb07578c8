import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '../common/errors';

/**
 * Every authentication failure answers HTTP 401, wherever it is raised: in the context (bad key),
 * in a plugin (introspection without a key, which Apollo would answer with a 500) or in a resolver
 * (no key where one is needed, which would be a 200).
 */
export const unauthenticatedStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors;
        if (errors?.some((error) => error.extensions?.code === ErrorCode.UNAUTHENTICATED)) response.http.status = 401;
      },
    };
  },
};
