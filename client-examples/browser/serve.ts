/**
 * Bundles page.ts with esbuild, as an app's bundler would (the SDK and its engine in one ES
 * module), and serves it with a page that loads it. Uplift must allow the page's origin:
 * UPLIFT_CORS_ORIGINS=http://127.0.0.1:5173 on the server. Then open http://127.0.0.1:5173/?user=u42.
 *
 *   UPLIFT_URL=http://127.0.0.1:4000 UPLIFT_CLIENT_KEY=upl_... npx ts-node --transpile-only client-examples/browser/serve.ts
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

export interface PageSettings {
  upliftUrl: string;
  /** A CLIENT key: it ends up in every visitor's browser. */
  clientKey: string;
}

const HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Checkout</title></head>
<body><main id="app"><p>Loading…</p></main><script type="module" src="/page.js"></script></body>
</html>`;

export async function bundlePage(settings: PageSettings): Promise<string> {
  const result = await build({
    entryPoints: [path.join(__dirname, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    define: { UPLIFT_URL: JSON.stringify(settings.upliftUrl), UPLIFT_CLIENT_KEY: JSON.stringify(settings.clientKey) },
  });
  return result.outputFiles[0].text;
}

export async function servePage(settings: PageSettings & { port?: number }) {
  const script = await bundlePage(settings);
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://page');
    if (pathname === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (pathname === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(settings.port ?? 0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  const { UPLIFT_URL, UPLIFT_CLIENT_KEY, PORT } = process.env;
  if (!UPLIFT_URL || !UPLIFT_CLIENT_KEY) throw new Error('set UPLIFT_URL and UPLIFT_CLIENT_KEY (a CLIENT key: create-app-key.ts <name> CLIENT)');
  servePage({ upliftUrl: UPLIFT_URL, clientKey: UPLIFT_CLIENT_KEY, port: Number(PORT ?? 5173) }).then(({ origin }) => console.log(`page on ${origin}/?user=u42`));
}
