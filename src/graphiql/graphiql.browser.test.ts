import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../testing/harness';

/** Debian's chromium package, or the binary named by CHROMIUM_PATH. Playwright's own browser download is not used. */
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (candidate): candidate is string => !!candidate && fs.existsSync(candidate),
);

if (!chromiumPath) {
  // eslint-disable-next-line no-console
  console.warn("SKIPPED: the GraphiQL browser test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH.");
}

(chromiumPath ? describe : describe.skip)('GraphiQL in a real browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // The key is prefilled only on the embedded default, so test that default whatever DATABASE_URL says.
    server = await startTestServer({ embedded: true });
    await server.gql(`mutation { createExperiment(input: { key: "browser-visible", name: "Seen in GraphiQL", variants: [
      { key: "control", name: "Control", weight: 50, isControl: true }, { key: "treatment", name: "Treatment", weight: 50 }] }) { key } }`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      // Without the background-networking flags Chromium itself calls out to Google's hosts.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the prefilled example query with the prefilled key, and every request stays on the local server', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const failed: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => failed.push(request.url()));

    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    await page.click('.graphiql-execute-button');
    await page.locator('.graphiql-response', { hasText: 'browser-visible' }).waitFor({ timeout: 30_000 });
    const response = await page.textContent('.graphiql-response');
    expect(response).toContain('"experiments"');
    expect(response).not.toContain('UNAUTHENTICATED');
    if (process.env.GRAPHIQL_SCREENSHOT) await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT });

    const origin = new URL(server.url).origin;
    const offMachine = requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    expect(offMachine).toEqual([]);
    expect(failed).toEqual([]);
    expect(requested).toEqual(expect.arrayContaining([`${origin}/graphiql/graphiql.js`, `${origin}/graphql`]));
  });
});
