import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium } from '../testing/chromium';
import { startTestServer, type TestServer } from '../testing/harness';


if (!chromiumPath) {
  // eslint-disable-next-line no-console
  console.warn("SKIPPED: the GraphiQL browser test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH.");
}

(chromiumPath ? describe : describe.skip)('GraphiQL in a real browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    await server.gql(`mutation { createExperiment(input: { key: "browser-visible", name: "Seen in GraphiQL", variants: [
      { key: "control", name: "Control", weight: 50, isControl: true }, { key: "treatment", name: "Treatment", weight: 50 }] }) { key } }`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in from #key=, loads the schema on first open (Docs lists Query’s fields), runs the example, and stays on the local server', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const failed: string[] = [];
    const consoleErrors: string[] = [];
    const graphqlPosts: { authorization?: string; body: string | null }[] = [];
    page.on('request', (request) => {
      requested.push(request.url());
      if (request.method() === 'POST' && request.url().endsWith('/graphql')) {
        graphqlPosts.push({ authorization: request.headers().authorization, body: request.postData() });
      }
    });
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    await page.goto(`${server.url}/graphql#key=${server.adminKey}`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    // The key left the address bar for the tab's session storage, and the bar shows only its prefix.
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('uplift.apiKey'))).toBe(server.adminKey);
    expect(await page.textContent('#uplift-sign-in')).toContain(`Signed in with ${server.adminKey.slice(0, 12)}…`);
    expect(await page.textContent('#uplift-sign-in')).not.toContain(server.adminKey);

    await page.click('button[aria-label="Show Documentation Explorer"]');
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).click({ timeout: 30_000 });
    await docs.getByText('experiments', { exact: true }).first().waitFor({ timeout: 30_000 });
    const docsText = await docs.textContent();
    expect(docsText).toContain('resolve');
    expect(docsText).not.toMatch(/Error fetching schema/i);
    // The first request of all, the schema's introspection, already carried the key.
    expect(graphqlPosts[0].body).toContain('__schema');
    expect(graphqlPosts[0].authorization).toBe(`Bearer ${server.adminKey}`);

    await page.click('.graphiql-execute-button');
    await page.locator('.graphiql-response', { hasText: 'browser-visible' }).waitFor({ timeout: 30_000 });
    const response = await page.textContent('.graphiql-response');
    expect(response).toContain('"experiments"');
    expect(response).not.toContain('UNAUTHENTICATED');
    if (process.env.GRAPHIQL_SCREENSHOT) await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT });

    // A reload keeps the tab signed in without the fragment.
    await page.reload();
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    expect(await page.textContent('#uplift-sign-in')).toContain('Signed in with');

    expect(consoleErrors).toEqual([]);
    const origin = new URL(server.url).origin;
    const offMachine = requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    expect(offMachine).toEqual([]);
    expect(failed).toEqual([]);
    expect(graphqlPosts.every((post) => post.authorization === `Bearer ${server.adminKey}`)).toBe(true);
    expect(requested).toEqual(expect.arrayContaining([`${origin}/graphiql/graphiql.js`, `${origin}/assets/sign-in.js`, `${origin}/graphql`]));
    await page.close();
  });

  it('lets a user sign out and sign in by pasting a key', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/graphql#key=${server.adminKey}`);
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    await page.click('#uplift-sign-in button');
    await page.waitForSelector('#uplift-sign-in input[name="api-key"]', { timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('uplift.apiKey'))).toBeNull();

    const analyst = await server.createKey('ANALYST', 'pasted-in-graphiql');
    await page.fill('#uplift-sign-in input[name="api-key"]', analyst);
    await page.click('#uplift-sign-in button[type="submit"]');
    await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
    await page.locator('#uplift-sign-in', { hasText: 'Signed in with' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('uplift.apiKey'))).toBe(analyst);
    await page.click('.graphiql-execute-button');
    await page.locator('.graphiql-response', { hasText: 'browser-visible' }).waitFor({ timeout: 30_000 });
    await page.close();
  });
});
