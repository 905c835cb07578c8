/**
 * OFREP with OpenFeature's official web provider (@openfeature/ofrep-web-provider on
 * @openfeature/web-sdk) in a real browser (Debian's Chromium): the page, bundled by esbuild as an
 * app's bundler would, runs on a configured origin with a client-side (CLIENT) key, so every bulk
 * evaluation is a cross-origin request with a preflight. Boolean, string, number and object flags,
 * targeting, rollout, an experiment, disabled, static and unknown flags and a type mismatch, for
 * many users, each answer equal to resolve's.
 */
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../testing/harness';
import { chromiumPath, launchChromium } from '../testing/chromium';
import { pageServer, type PageServer } from '../testing/page-server';
import { contextOf, createOpenFeatureFlags, OPENFEATURE_USERS, resolvedFlags } from './openfeature-flags.fixture';

if (!chromiumPath) console.warn("SKIPPED: the OFREP web provider test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH.");

/** What the page exposes: OpenFeature's web SDK and the OFREP web provider, as an app imports them. */
const PAGE_ENTRY = `export { OpenFeature } from '@openfeature/web-sdk'; export { OFREPWebProvider } from '@openfeature/ofrep-web-provider';`;

interface Detail {
  flagKey: string;
  value: unknown;
  variant?: string;
  reason?: string;
  errorCode?: string;
}

(chromiumPath ? describe : describe.skip)('OFREP with the official web provider, in Chromium', () => {
  let uplift: TestServer;
  let browser: Browser;
  let page: PageServer;
  let clientKey: string;

  beforeAll(async () => {
    const bundled = await build({ stdin: { contents: PAGE_ENTRY, resolveDir: path.join(__dirname, '..', '..'), loader: 'js' }, bundle: true, format: 'esm', platform: 'browser', write: false });
    page = await pageServer(bundled.outputFiles[0].text, 'openfeature');
    uplift = await startTestServer({ config: { corsOrigins: [page.origin] } });
    clientKey = await uplift.createKey('CLIENT', 'web');
    await createOpenFeatureFlags(uplift);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await uplift?.close();
    await page?.close();
  });

  /** Each context set in turn (the provider fetches every flag for it), then every flag read. */
  async function evaluateInPage(contexts: Record<string, unknown>[]): Promise<Detail[][]> {
    const tab = await browser.newPage();
    await tab.goto(page.origin);
    await tab.waitForFunction(() => (globalThis as any).loaded === true);
    const answers = await tab.evaluate(
      async ({ baseUrl, key, contexts }) => {
        const { OpenFeature, OFREPWebProvider } = (globalThis as any).openfeature;
        // No local cache and no background refresh: every answer comes from the evaluation of its own context.
        const provider = new OFREPWebProvider({ baseUrl, headers: [['Authorization', `Bearer ${key}`]], cacheMode: 'disabled', changeDetection: 'none', disableVisibilityRefresh: true });
        await OpenFeature.setContext(contexts[0]);
        await OpenFeature.setProviderAndWait(provider);
        const client = OpenFeature.getClient();
        const out = [];
        for (const context of contexts) {
          await OpenFeature.setContext(context);
          out.push([
            client.getBooleanDetails('new-checkout', false),
            client.getStringDetails('banner', 'none'),
            client.getNumberDetails('max-items', -1),
            client.getObjectDetails('layout', { columns: 0 }),
            client.getBooleanDetails('retired', true),
            client.getNumberDetails('page-size', -1),
            client.getBooleanDetails('no-such-flag', true),
            client.getNumberDetails('banner', 7),
          ]);
        }
        await OpenFeature.close();
        return out;
      },
      { baseUrl: uplift.url, key: clientKey, contexts },
    );
    await tab.close();
    return answers;
  }

  it('gives every flag type the value, variant and reason resolve gives, for 40 users', async () => {
    const answers = await evaluateInPage(OPENFEATURE_USERS.map(contextOf));
    const reasons = new Set<string>();
    for (const [i, user] of OPENFEATURE_USERS.entries()) {
      const expected = await resolvedFlags(uplift, clientKey, user);
      const known = answers[i].slice(0, 6);
      for (const detail of known) {
        const flag = expected[detail.flagKey];
        expect({ key: detail.flagKey, value: detail.value, variant: detail.variant ?? null, reason: detail.reason, errorCode: detail.errorCode }).toEqual({
          key: flag.key, value: flag.value, variant: flag.variant, reason: flag.reason, errorCode: undefined,
        });
        reasons.add(detail.reason!);
      }
      const [unknown, mismatch] = answers[i].slice(6);
      expect(unknown).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
      expect(mismatch).toMatchObject({ value: 7, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    }
    // Targeting, rollout, experiment, default, disabled and static all occurred.
    expect([...reasons].sort()).toEqual(['DEFAULT', 'DISABLED', 'SPLIT', 'STATIC', 'TARGETING_MATCH']);
  });
});
