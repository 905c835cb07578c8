import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { projectRoot } from '../common/paths';

/**
 * The results pages: static HTML and ES modules that read the same GraphQL API everyone uses.
 * Everything is served from Uplift's own files (the charts from node_modules), under a
 * Content-Security-Policy that allows this origin only and no eval, so the pages work offline
 * and a page can never send a key anywhere else.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Observable Plot writes style attributes on the SVG it draws.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const VENDOR: Record<string, string> = {
  'd3.js': 'd3/dist/d3.min.js',
  'plot.js': '@observablehq/plot/dist/plot.umd.min.js',
};

// From the sources, so the built server and the tests serve the same files (tsc does not copy them).
const WEB_DIR = path.join(projectRoot, 'src', 'pages', 'web');
// operations.generated.js: the pages' GraphQL documents, which `npm run codegen` checked against the schema.
const WEB_FILES = ['app.js', 'api.js', 'operations.generated.js', 'format.js', 'charts.js', 'tables.js', 'list-page.js', 'experiment-page.js', 'compare-page.js', 'pages.css'];

/** A file inside an installed package (found by name: some packages' `exports` hide their package.json). */
function vendorFile(spec: string): string {
  const parts = spec.split('/');
  const packageName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const inside = parts.slice(packageName.split('/').length);
  const root = require.resolve.paths(packageName)?.map((dir) => path.join(dir, packageName)).find((dir) => fs.existsSync(path.join(dir, 'package.json')));
  if (!root) throw new Error(`The package ${packageName} is not installed`);
  return path.join(root, ...inside);
}

/** One shell for every page; `app.js` reads the address and draws the page it names. */
export function renderResultsShell(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="Content-Security-Policy" content="${CSP}">
  <title>Uplift results</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/sign-in.css">
  <link rel="stylesheet" href="/results-assets/pages.css">
</head>
<body>
  <header class="top">
    <a class="brand" href="/results">Uplift results</a>
    <nav><a href="/results">Experiments</a> <a href="/results/compare">Compare strategies</a> <a href="/graphql">GraphiQL</a></nav>
    <div id="sign-in"></div>
  </header>
  <main id="page" aria-live="polite"><p class="muted">Loading…</p></main>
  <script src="/results-assets/vendor/d3.js"></script>
  <script src="/results-assets/vendor/plot.js"></script>
  <script type="module" src="/results-assets/app.js"></script>
</body>
</html>`;
}

export function resultsPages(): Router {
  const router = express.Router();
  const shell = renderResultsShell();
  const sendShell: express.RequestHandler = (_req, res) => {
    // frame-ancestors works only as a header, not in the page's <meta>.
    res.setHeader('Content-Security-Policy', `${CSP}; frame-ancestors 'none'`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(shell);
  };
  router.get(['/results', '/results/compare', '/results/experiments/:key'], sendShell);
  for (const file of WEB_FILES) {
    const full = path.join(WEB_DIR, file);
    router.get(`/results-assets/${file}`, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(full);
    });
  }
  for (const [name, spec] of Object.entries(VENDOR)) {
    const full = vendorFile(spec);
    router.get(`/results-assets/vendor/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.sendFile(full);
    });
  }
  return router;
}
