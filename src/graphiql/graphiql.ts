import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { projectRoot } from '../common/paths';

/**
 * GraphiQL served entirely from Uplift's own files: GraphiQL 4's UMD bundle with React 18, all from
 * node_modules. No CDN, so it works with no internet; the page's Content-Security-Policy makes the
 * browser refuse any request to another origin, so that stays true.
 */
const ASSETS: Record<string, string> = {
  'react.js': 'react/umd/react.production.min.js',
  'react-dom.js': 'react-dom/umd/react-dom.production.min.js',
  'graphiql.js': 'graphiql/graphiql.min.js',
  'graphiql.css': 'graphiql/graphiql.min.css',
};

function packageFile(spec: string): string {
  const [pkg, ...rest] = spec.split('/');
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), ...rest);
}

/** Starts GraphiQL with the signed-in key (src/web/sign-in.js): a file, as the CSP allows no inline script. */
const INIT_MODULE = path.join(projectRoot, 'src', 'graphiql', 'graphiql-init.js');

export function graphiqlAssets(): Router {
  const router = express.Router();
  for (const [name, spec] of Object.entries(ASSETS)) {
    const file = packageFile(spec);
    router.get(`/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.sendFile(file);
    });
  }
  router.get('/init.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(INIT_MODULE);
  });
  return router;
}

export interface ExampleOperation {
  /** File name without extension, e.g. `02-create-activity-incentives`. */
  name: string;
  query: string;
  variables?: string;
}

/** The product manager's operations in `client-examples/pm`, in file order: GraphiQL's tabs and the tests' script. */
export function pmExamples(): ExampleOperation[] {
  const dir = path.join(projectRoot, 'client-examples', 'pm');
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.graphql$/, '');
      const variablesFile = path.join(dir, `${name}.variables.json`);
      return {
        name,
        query: fs.readFileSync(path.join(dir, file), 'utf8'),
        variables: fs.existsSync(variablesFile) ? fs.readFileSync(variablesFile, 'utf8') : undefined,
      };
    });
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
].join('; ');

/**
 * The page is the same for every caller and carries no secret: the key comes from the sign-in
 * module (the URL fragment or what the user pastes), in the browser only.
 */
export function renderGraphiql(): string {
  const config = {
    endpoint: '/graphql',
    tabs: pmExamples().map((example) => ({ query: example.query, variables: example.variables })),
  };
  // `<` escaped so that no string in the config can close the script element.
  const configJson = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="${CSP}">
  <title>Uplift GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/graphiql/graphiql.css">
  <link rel="stylesheet" href="/assets/sign-in.css">
  <style>html, body { height: 100%; margin: 0; } body { display: flex; flex-direction: column; } #graphiql { flex: 1; min-height: 0; }</style>
</head>
<body>
  <div id="uplift-sign-in"></div>
  <div id="graphiql">Loading GraphiQL…</div>
  <script type="application/json" id="uplift-graphiql-config">${configJson}</script>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script type="module" src="/graphiql/init.js"></script>
</body>
</html>`;
}

/** Replaces Apollo's landing page (which loads from a CDN) with ours on `GET /graphql` from a browser. */
export function graphiqlLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: renderGraphiql() };
        },
      };
    },
  };
}
