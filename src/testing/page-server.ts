/**
 * A page server for browser tests, on its own origin, serving an esbuild bundle as an app's page
 * would (Chromium itself: src/testing/chromium.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** `http://127.0.0.1:<port>`: the page's origin, e.g. for UPLIFT_CORS_ORIGINS. */
  origin: string;
  close(): Promise<void>;
}

/**
 * A page at `/` that imports the ES module `bundle` (served as `/bundle.js`), puts its exports on
 * `window[globalName]` and then sets `window.loaded`.
 */
export async function pageServer(bundle: string, globalName: string): Promise<PageServer> {
  const server = http.createServer((req, res) => {
    if (req.url === '/bundle.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><title>app</title><script type="module">import * as bundle from "/bundle.js"; window[${JSON.stringify(globalName)}] = bundle; window.loaded = true;</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
