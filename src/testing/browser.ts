/**
 * What browser tests share: Debian's Chromium (or the binary CHROMIUM_PATH names; Playwright's own
 * browser download is not used), launched headless with the flags that keep it from calling out,
 * and a page server on its own origin serving an esbuild bundle as an app's page would.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (candidate): candidate is string => !!candidate && fs.existsSync(candidate),
);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // Without the background-networking flags Chromium itself calls out to Google's hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

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
