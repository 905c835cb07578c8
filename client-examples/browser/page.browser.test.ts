/**
 * The browser example in Debian's Chromium against the real server: on an allowed origin, with a
 * CLIENT key an admin created through the API, each user sees the checkout resolve gives them,
 * reading the variant logs its exposure, and a click is stored as an event.
 */
import { freePort } from '../../src/testing/ports';
import type { Browser } from 'playwright-core';
import { servePage } from './serve';
import { createAppKey } from '../app/create-app-key';
import { chromiumPath, launchChromium } from '../../src/testing/chromium';
import { startTestServer, type TestServer } from '../../src/testing/harness';

if (!chromiumPath) console.warn("SKIPPED: the browser example's test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH.");


(chromiumPath ? describe : describe.skip)('client-examples/browser', () => {
  let uplift: TestServer;
  let page: Awaited<ReturnType<typeof servePage>>;
  let browser: Browser;
  let clientKey: string;

  beforeAll(async () => {
    const port = await freePort();
    uplift = await startTestServer({ config: { corsOrigins: [`http://127.0.0.1:${port}`] } });
    clientKey = await createAppKey(uplift.url, uplift.adminKey, 'checkout-page', 'CLIENT');
    for (const mutation of [
      'createFlag(input: { key: "new-checkout", name: "New checkout", type: BOOLEAN, defaultValue: false, enabled: true, rules: [{ kind: ROLLOUT, percentage: 50, value: true }] }) { key }',
      `createExperiment(input: { key: "checkout-copy", name: "Checkout copy", primaryMetricKey: "d7_retention", variants: [
        { key: "control", name: "Control", weight: 50, isControl: true, payload: { label: "Buy now" } },
        { key: "urgent", name: "Urgent", weight: 50, payload: { label: "Get it before it's gone" } }] }) { key }`,
      'startExperiment(key: "checkout-copy", version: 1) { key }',
    ]) {
      expect((await uplift.gql(`mutation { ${mutation} }`)).errors).toBeUndefined();
    }
    await uplift.uplift.snapshots.refresh();
    page = await servePage({ upliftUrl: uplift.url, clientKey, port });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await page?.close();
    await uplift?.close();
  });

  async function visit(userId: string) {
    const tab = await browser.newPage();
    await tab.goto(`${page.origin}/?user=${encodeURIComponent(userId)}`);
    await tab.waitForSelector('#app[data-ready=true]');
    const button = tab.locator('#app button');
    const shown = { checkout: await button.getAttribute('data-checkout'), label: await button.textContent() };
    await button.click();
    await tab.waitForSelector('#app[data-tracked=true]');
    await tab.close();
    return shown;
  }

  it('shows each user the checkout and the label resolve gives them, logs the exposure and stores the click', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `shopper-${i}`);
    const labels: Record<string, string> = { control: 'Buy now', urgent: "Get it before it's gone" };
    const seen = new Set<string>();
    for (const id of users) {
      const shown = await visit(id);
      seen.add(`${shown.checkout} ${shown.label}`);
      const { resolve } = (await uplift.gql('query ($user: UserContextInput!) { resolve(user: $user) { experiments { variantKey } flags { key value } } }', { user: { id } }, clientKey)).data;
      expect(shown).toEqual({ checkout: resolve.flags[0].value ? 'new' : 'classic', label: labels[resolve.experiments[0].variantKey] });
      const clicks = await uplift.uplift.dataSource.query("SELECT properties FROM events WHERE user_id = $1 AND type = 'checkout_click'", [id]);
      expect(clicks).toEqual([{ properties: { checkout: shown.checkout } }]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3); // both checkouts and both labels among these users
    const exposed = await uplift.uplift.dataSource.query("SELECT user_id, variant_key FROM exposures WHERE experiment_key = 'checkout-copy' ORDER BY user_id");
    expect(exposed.map((row: { user_id: string }) => row.user_id)).toEqual([...users].sort());
  });
});
