/**
 * The SDK in a real browser (Debian's Chromium), bundled by esbuild for the browser as an app's
 * bundler would: a page on a configured origin resolves and evaluates locally with a client-side
 * key; a page on another origin is refused by CORS, and the SDK answers defaults with
 * NETWORK_ERROR rather than throwing. GraphQL's CSRF rule holds for requests without a preflight.
 */
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../src/testing/harness';
import { chromiumPath, launchChromium } from '../../src/testing/chromium';
import { pageServer, type PageServer } from '../../src/testing/page-server';
import { configFromEnv } from '../../src/common/config';

if (!chromiumPath) console.warn("SKIPPED: the SDK browser test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH.");

describe('CORS settings', () => {
  it('takes exact origins and refuses anything else at start-up', () => {
    expect(configFromEnv({ UPLIFT_CORS_ORIGINS: 'https://app.example.com, http://127.0.0.1:3000/' }).corsOrigins).toEqual(['https://app.example.com', 'http://127.0.0.1:3000']);
    expect(configFromEnv({}).corsOrigins).toEqual([]);
    expect(() => configFromEnv({ UPLIFT_CORS_ORIGINS: '*' })).toThrow(/not an origin/);
    expect(() => configFromEnv({ UPLIFT_CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/not an origin/);
  });
});

(chromiumPath ? describe : describe.skip)('the SDK in a browser, from configured origins only', () => {
  let uplift: TestServer;
  let browser: Browser;
  let allowed: PageServer;
  let other: PageServer;
  let clientKey: string;

  beforeAll(async () => {
    const bundled = await build({
      entryPoints: [path.join(__dirname, '..', 'dist', 'index.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
    });
    const bundle = bundled.outputFiles[0].text;
    allowed = await pageServer(bundle, 'uplift');
    other = await pageServer(bundle, 'uplift');
    uplift = await startTestServer({ config: { corsOrigins: [allowed.origin] } });
    clientKey = await uplift.createKey('CLIENT', 'web');
    const created = await uplift.gql(`mutation { createFlag(input: { key: "new-checkout", name: "New checkout", type: BOOLEAN, defaultValue: false, enabled: true,
      rules: [{ kind: ROLLOUT, percentage: 50, value: true }] }) { key } }`);
    expect(created.errors).toBeUndefined();
    await uplift.uplift.snapshots.refresh();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await uplift?.close();
    await allowed?.close();
    await other?.close();
  });

  /** `allowedOrigin`: the page's origin is configured, so local mode must become ready. */
  async function run(origin: string, userIds: string[], allowedOrigin: boolean) {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => (globalThis as any).loaded === true);
    const answers = await page.evaluate(
      async ({ url, key, userIds, allowedOrigin }) => {
        const sdk = (globalThis as any).uplift;
        const out = [];
        for (const id of userIds) {
          const remote = new sdk.UpliftClient({ url, key });
          const local = new sdk.LocalUpliftClient({ url, key, userId: id, refreshIntervalMs: 0, timeoutMs: 3000 });
          // A loaded machine may take seconds to answer: wait, and say so rather than compare defaults.
          if (!(await local.ready(allowedOrigin ? 15_000 : 3_000)) && allowedOrigin) throw new Error(`local mode not ready for ${id}`);
          out.push({ remote: await remote.flag({ id }, 'new-checkout', false), local: local.flag({ id }, 'new-checkout', false) });
          await remote.close();
          await local.close();
        }
        return out;
      },
      { url: uplift.url, key: clientKey, userIds, allowedOrigin },
    );
    await page.close();
    return answers;
  }

  it('resolves and evaluates locally from a configured origin, with the answers resolve gives', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `browser-user-${i}`);
    const answers = await run(allowed.origin, ids, true);
    const expected = await Promise.all(ids.map(async (id) => (await uplift.gql('query ($u: UserContextInput!) { resolve(user: $u) { flags { key value } } }', { u: { id } }, clientKey)).data.resolve.flags[0].value));
    expect(answers.map((a) => a.remote.value)).toEqual(expected);
    expect(answers.map((a) => a.local.value)).toEqual(expected);
    expect(answers.every((a) => a.remote.errorCode === undefined && a.local.errorCode === undefined)).toBe(true);
    expect(new Set(expected).size).toBe(2);
  });

  it('is refused by CORS from another origin: defaults with NETWORK_ERROR, no exception', async () => {
    const [answer] = await run(other.origin, ['browser-user-0'], false);
    expect(answer.remote).toMatchObject({ value: false, errorCode: 'NETWORK_ERROR' });
    expect(answer.local).toMatchObject({ value: false, errorCode: 'NOT_READY' });
  });

  it('answers preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${uplift.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const ok = await preflight(allowed.origin);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight(other.origin)).status).toBe(403);
  });

  it('keeps GraphQL’s CSRF rule: a request a browser could send without a preflight is refused', async () => {
    // text/plain is a "simple" request: no preflight, so Apollo's csrfPrevention must refuse it.
    const simple = await fetch(`${uplift.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: other.origin } });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/i);
    const form = await fetch(`${uplift.url}/graphql`, { method: 'POST', headers: { origin: allowed.origin, 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(form.status).toBe(400);
  });
});
