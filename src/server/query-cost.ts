import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError, getNamedType, getNullableType, isCompositeType, isListType, isObjectType, isInterfaceType, Kind,
  type DocumentNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode, type TypeNode, type ValueNode,
} from 'graphql';
import { ErrorCode } from '../common/errors';
import { InputErrorReason } from '../input/input.errors';

/**
 * What one request may ask for, counted with its lists' sizes: graphql-armor's cost limit sees only
 * the document, so 20 aliases of resolveMany with 1,000 users each (a 22 KB request, a 61 MB answer)
 * passed it. Fits one resolveMany of 1,000 users with every field (about 24,000) and a trackEvents of
 * 5,000 events (about 5,000), with room to spare; refuses the amplification (20 x 1,000 users).
 */
export const MAX_REQUEST_COST = 50_000;

type Variables = Readonly<Record<string, unknown>> | undefined;

/** Items in a list argument, from its literal or the request's variable; 0 when it is not a list. */
function listLength(value: ValueNode, variables: Variables): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const given = variables?.[value.name.value];
    return Array.isArray(given) ? given.length : 0;
  }
  return 0;
}

/**
 * A field costs the items of its list arguments (what it reads), plus its answer: one, plus its
 * selections, times the items when it answers a list per item (resolveMany: one per user).
 */
function selectionCost(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  selections: SelectionSetNode,
  parent: GraphQLCompositeType,
  variables: Variables,
  seen: Map<string, number>,
): number {
  let total = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) {
        total += 1;
        continue;
      }
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      if (!field) continue;
      let items = 0;
      let widest = 0;
      for (const argument of selection.arguments ?? []) {
        const length = listLength(argument.value, variables);
        items += length;
        if (length > widest) widest = length;
      }
      const type = getNamedType(field.type);
      const below = selection.selectionSet && isCompositeType(type) ? selectionCost(schema, fragments, selection.selectionSet, type, variables, seen) : 0;
      const perItem = isListType(getNullableType(field.type)) ? Math.max(1, widest) : 1;
      total += items + perItem * (1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type)) total += selectionCost(schema, fragments, selection.selectionSet, type, variables, seen);
    } else {
      // Each fragment is costed once per request: fragments spreading fragments twice cannot blow up the count.
      const name = selection.name.value;
      let cost = seen.get(name);
      if (cost === undefined) {
        const fragment = fragments.get(name);
        const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
        seen.set(name, 0);
        cost = fragment && type && isCompositeType(type) ? selectionCost(schema, fragments, fragment.selectionSet, type, variables, seen) : 0;
        seen.set(name, cost);
      }
      total += cost;
    }
  }
  return total;
}

/** The cost of one operation of a validated document with this request's variables. */
export function requestCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return selectionCost(schema, fragments, operation.selectionSet, root, variables, new Map());
}

const isListTypeNode = (type: TypeNode): boolean => (type.kind === Kind.NON_NULL_TYPE ? isListTypeNode(type.type) : type.kind === Kind.LIST_TYPE);

/** Whether the cost depends on the variables (a list variable): if not, it is the same for every request of the document. */
export function costDependsOnVariables(operation: OperationDefinitionNode): boolean {
  return (operation.variableDefinitions ?? []).some((definition) => isListTypeNode(definition.type));
}

export function tooCostlyMessage(cost: number): string {
  return `This request would cost ${cost}, above the limit of ${MAX_REQUEST_COST} (list arguments count per item): split it into several requests`;
}

/** The same limit on Apollo's path, once the operation is known (after validation, before execution). */
export const requestCostLimit: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, document, operation, request }) {
        if (!operation) return;
        const cost = requestCost(schema, document, operation, request.variables);
        if (cost > MAX_REQUEST_COST) {
          throw new GraphQLError(tooCostlyMessage(cost), { extensions: { code: ErrorCode.BAD_USER_INPUT, reason: InputErrorReason.QUERY_TOO_COSTLY, http: { status: 400 } } });
        }
      },
    };
  },
};
