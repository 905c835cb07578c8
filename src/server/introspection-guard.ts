import type { ApolloServerPlugin } from '@apollo/server';
import { visit, BREAK, type DocumentNode } from 'graphql';
import { AuthErrorReason, authError } from '../auth/auth.errors';
import type { RequestContext } from '../common/context';

function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Only callers with a valid key may read the schema. */
export const introspectionGuard: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, contextValue }) {
        if (!contextValue.principal && introspects(document)) {
          throw authError(AuthErrorReason.MISSING_KEY, 'Introspection needs an API key: send "Authorization: Bearer <key>"');
        }
      },
    };
  },
};
