// @ts-check
// A GraphQL Code Generator plugin for the clients written in plain JavaScript (the results
// pages, served as they are, without a build): one exported string per named operation, the
// fragments it spreads appended. Codegen validates the documents against the schema before any
// plugin runs, so a page can only send a query the schema answers. The official plugins emit
// TypeScript only.
const { Kind, print, visit } = require('graphql');

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction} */
function plugin(_schema, documents) {
  const definitions = documents.flatMap((file) => file.document?.definitions ?? []);
  /** @type {Map<string, import('graphql').FragmentDefinitionNode>} */
  const fragments = new Map();
  for (const definition of definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  /** The fragments a node spreads, directly or through other fragments, each once, in first-use order. @param {import('graphql').ASTNode} node @param {Set<string>} found */
  const spreadIn = (node, found = new Set()) => {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (found.has(name)) return;
        found.add(name);
        const fragment = fragments.get(name);
        if (fragment) spreadIn(fragment, found);
      },
    });
    return found;
  };

  const exports = [];
  for (const definition of definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (!definition.name) throw new Error('Every operation needs a name: clients import its document by name');
    const text = [definition, ...[...spreadIn(definition)].map((name) => /** @type {import('graphql').FragmentDefinitionNode} */ (fragments.get(name)))].map((node) => print(node)).join('\n\n');
    exports.push(`export const ${definition.name.value}Document = ${JSON.stringify(text)};`);
  }
  return `${exports.join('\n\n')}\n`;
}

module.exports = { plugin };
