/**
 * The import rules `npm test` checks (src/architecture.test.ts runs this configuration):
 * no import circles, and the pure modules (the evaluation engine, the statistics, the entitlement
 * decisions, the results analysis) reach, even through other files and type-only imports, nothing
 * that touches the database, GraphQL decorators or Node's own modules, so that they run anywhere
 * (an SDK for Node and browsers) and are tested without a database.
 */
const PURE = [
  // The evaluation engine an SDK bundles (src/engine/engine.boundary.test.ts checks it loads alone).
  '^src/engine/(?![^/]*[.](test|fixture)[.]ts$)[^/]+[.]ts$',
  '^src/assignment/(evaluate|snapshot|hash)[.]ts$',
  '^src/targeting/targeting[.](evaluate|rules)[.]ts$',
  // The statistics, not their GraphQL inputs, types, resolver, errors or input checks.
  '^src/stats/(?![^/]*[.](resolver|inputs|types|errors|rules|test|fixture)[.]ts$)[^/]+[.]ts$',
  // entitlement.snapshot.ts maps stored rules (entities) into the engine's plain form: not pure.
  '^src/entitlements/entitlement[.](engine|compile|resolve|explain|rules|model)[.]ts$',
  '^src/results/(results[.]analysis|result[.]model)[.]ts$',
  // Every module's rules and plain vocabulary (stats.rules.ts checks GraphQL inputs: not pure).
  '^src/(?!stats/)[^/]+/[^/]+[.](rules|model)[.]ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other in one direction only.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-stays-pure',
      severity: 'error',
      comment: 'A pure module reaches no ORM, no GraphQL decorators, no pg, no store, entity or decorated type file, and no node: module.',
      from: { path: PURE },
      to: {
        reachable: true,
        path: [
          '(^|/)node_modules/(typeorm|type-graphql|pg|pg-[^/]+|graphql|graphql-scalars|class-validator|reflect-metadata|@apollo/[^/]+|express)/',
          '^src/[^/]+/[^/]+[.](store|entity|inputs|resolver|types|service|loaders)[.]ts$',
          '^src/(db|server|common)/',
        ],
      },
    },
    {
      name: 'pure-uses-no-node-modules',
      severity: 'error',
      comment: 'Node built-ins (node:crypto, fs, ...) do not exist in browsers.',
      from: { path: PURE },
      // Resolved, a built-in is a bare name (crypto, fs/promises) or node:name; packages resolve into node_modules/.
      to: { reachable: true, path: '^(node:|(assert|buffer|child_process|cluster|crypto|dgram|dns|events|fs|http|http2|https|net|os|path|perf_hooks|process|readline|stream|timers|tls|url|util|v8|vm|worker_threads|zlib)(/|$))' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: a pure module's types must not come from a decorated or ORM file either.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
