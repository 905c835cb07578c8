import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../common/context';

/** graphql-js's hints: `Did you mean "version"?`, `Did you mean the enum value "RUNNING"?`, and lists of them. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * GraphQL's suggestions show the way out of a typo (`Did you mean "version"?`), and show the
 * schema too: callers with a valid key see them (they can read the schema anyway), anonymous ones
 * get the message without them. In place of graphql-armor's blockFieldSuggestion, which hid them
 * from everyone behind a mask that read like a bug.
 */
export const fieldSuggestionsForKnownCallers: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        if (contextValue.principal) return;
        for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
      },
    };
  },
};
