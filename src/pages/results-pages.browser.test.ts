import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium } from '../testing/chromium';
import { freshDatabase, postGraphQL } from '../testing/harness';
import { runDemo, type DemoRun } from '../demo/demo';
import { projectRoot } from '../common/paths';

/**
 * The results pages in a real browser, on a small demo run: what an analyst reads, checked against
 * what the API answers, formatted here by the test's own rules (not the pages' code).
 */
if (!chromiumPath) {
  // eslint-disable-next-line no-console
  console.warn("SKIPPED: the results pages' browser test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH.");
}

const ARTIFACTS = path.join(projectRoot, 'test-artifacts');
const MINUS = '\u2212';

/** The test's formatting rules, from the issue: rates as % to one decimal, p to two significant digits or "< 0.001". */
const expected = {
  percent: (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`.replace('-', MINUS)),
  p: (x: number | null) => (x === null ? '—' : x < 0.001 ? '< 0.001' : String(Number(x.toPrecision(2)))),
  count: (x: number) => x.toLocaleString('en-US'),
  interval: (i: { lower: number; upper: number } | null, f: (x: number) => string) => (i ? `[${f(i.lower)}, ${f(i.upper)}]` : '—'),
};

(chromiumPath ? describe : describe.skip)('results pages in a real browser', () => {
  let run: DemoRun;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let sdkKey: string;

  const api = async (query: string, variables?: Record<string, unknown>) => {
    const answer = await postGraphQL(run.uplift.url, query, variables, run.adminKey);
    if (!answer.data) throw new Error(JSON.stringify(answer.errors));
    return answer.data;
  };

  /** Opens a page signed in (the key in the fragment, as the start-up address carries it) and waits until it is drawn. */
  async function open(address: string, options: { width?: number; key?: string | null } = {}) {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 }, acceptDownloads: true });
    const problems: string[] = [];
    const requested: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requested.push(request.url()));
    const key = options.key === undefined ? run.adminKey : options.key;
    await page.goto(`${run.uplift.url}${address}${key ? `#key=${key}` : ''}`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.ready, null, { timeout: 30_000 });
    return { page, problems, requested };
  }

  function offMachine(requested: string[]): string[] {
    const origin = new URL(run.uplift.url).origin;
    return requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  }

  async function screenshot(page: Page, name: string) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function axeViolations(page: Page): Promise<string[]> {
    // evaluate() runs outside the page's Content-Security-Policy, which rightly refuses injected scripts.
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const result: any = await page.evaluate(() => (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] }));
    return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.help} (${v.nodes.length})`);
  }

  beforeAll(async () => {
    database = await freshDatabase(false);
    run = await runDemo({ users: 600, seed: 5, port: 0, host: '127.0.0.1', dataDir: null, databaseUrl: database.databaseUrl, logLevel: 'silent' });
    sdkKey = (await api(`mutation { createApiKey(input: { name: "app", role: SDK }) { secret } }`)).createApiKey.secret;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await run?.uplift.close();
    await database?.drop();
  });

  it('lists every experiment with its latest stored results, and filters them', async () => {
    const { page, problems, requested } = await open('/results');
    expect(await page.evaluate(() => (globalThis as any).document.body.dataset.ready)).toBe('true');
    const rows = page.locator('[data-testid=experiments-table] tbody tr');
    expect(await rows.count()).toBe(2);
    const text = await page.locator('[data-testid=experiments-table]').innerText();
    expect(text).toContain('activity-incentives');
    expect(text).toContain('advisor-pilot');
    const latest = (await api(`{ experimentResultHistory(key: "activity-incentives", first: 1) { recommendation { action variantKey } exposures { users } } }`)).experimentResultHistory[0];
    const activityRow = await rows.filter({ hasText: 'activity-incentives' }).innerText();
    expect(activityRow).toContain(`${latest.recommendation.action}${latest.recommendation.variantKey ? ` ${latest.recommendation.variantKey}` : ''}`);
    expect(activityRow).toContain(expected.count(latest.exposures.reduce((sum: number, e: any) => sum + e.users, 0)));

    await page.fill('#filter-q', 'advisor');
    expect(await rows.count()).toBe(1);
    expect(new URL(page.url()).search).toBe('?q=advisor');
    expect(new URL(page.url()).hash).toBe('');
    expect(problems).toEqual([]);
    expect(offMachine(requested)).toEqual([]);
    await page.close();
  });

  it('shows an experiment: every metric as the API computes it, the forest plot with every comparison, and the health check', async () => {
    const { page, problems, requested } = await open('/results/experiments/activity-incentives');
    // The page shows the latest stored snapshot: compare with it.
    const results = (await api(`{ experiment(key: "activity-incentives") { latestResults {
      exposures { users }
      sampleRatio { pValue }
      metrics { metricKey name kind arms { variantKey users value interval { lower upper } } comparisons { variantKey pValue adjustedPValue relativeLift family { role size } } }
      plan { type usersPerArm plannedUsersPerArm horizonReached } } } }`)).experiment.latestResults;

    const table = page.locator('[data-testid=metrics-table] tbody tr');
    const armRows = results.metrics.flatMap((metric: any) => metric.arms.map((arm: any) => ({ metric, arm })));
    expect(await table.count()).toBe(armRows.length);
    for (const [i, { metric, arm }] of armRows.entries()) {
      const cells = await table.nth(i).locator('td').allInnerTexts();
      const comparison = metric.comparisons.find((c: any) => c.variantKey === arm.variantKey);
      const rate = ['CONVERSION', 'RETENTION', 'GENUINE_ACTIVITY', 'HOLLOW_ACTIVITY'].includes(metric.kind);
      expect(cells[0]).toContain(metric.metricKey);
      expect(cells[1]).toContain(arm.variantKey);
      expect(cells[2]).toBe(expected.count(arm.users));
      if (rate) {
        expect(cells[3]).toBe(expected.percent(arm.value));
        expect(cells[4]).toBe(expected.interval(arm.interval, expected.percent));
      }
      expect(cells[7]).toBe(comparison ? expected.p(comparison.pValue) : '—');
      expect(cells[8]).toBe(comparison ? expected.p(comparison.adjustedPValue) : '—');
      // The family the adjusted p-value comes from: its role, and its size when corrected.
      if (comparison?.family) {
        expect(cells[9]).toContain(comparison.family.role.toLowerCase());
        if (comparison.family.size > 1) expect(cells[9]).toContain(`over ${comparison.family.size}`);
      }
    }

    // The forest plot draws one interval and one dot per treatment comparison with a relative lift.
    const comparisons = results.metrics.flatMap((m: any) => m.comparisons.filter((c: any) => c.relativeLift !== null).map((c: any) => `${m.name} · ${c.variantKey}`));
    const forest = page.locator('[data-testid=forest-chart] svg');
    await forest.first().waitFor();
    const labels = await page.locator('[data-testid=forest-chart] svg [aria-label="y-axis tick label"] text').allTextContents();
    expect(labels).toEqual(comparisons);
    expect(await page.locator('[data-testid=forest-chart] svg [aria-label=dot] circle').count()).toBe(comparisons.length);

    // The analysis plan and the progress towards it, as the API states them.
    const planText = await page.locator('[data-testid=plan]').innerText();
    expect(planText).toContain(results.plan.type === 'SEQUENTIAL' ? 'Sequential' : 'Fixed-horizon');
    if (results.plan.plannedUsersPerArm) expect(planText).toContain(`${expected.count(results.plan.plannedUsersPerArm)} users per arm`);
    if (!results.plan.horizonReached) expect(planText).toContain(`${expected.count(results.plan.usersPerArm)} users in the smallest arm`);

    // Sample ratio: the bars are the arms; the p-value as the API gives it.
    expect(await page.locator('[data-testid=srm-chart] svg [aria-label=bar] rect').count()).toBe(results.exposures.length);
    expect(await page.locator('[data-testid=srm]').innerText()).toContain(`p ${expected.p(results.sampleRatio.pValue)}`);

    // Tiers: one small multiple per tier, labelled exploratory.
    await page.locator('[data-testid=tiers] figure').first().waitFor();
    expect(await page.locator('[data-testid=tiers] figure').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('section', { hasText: 'Tiers (exploratory)' }).innerText()).toContain('never used by the recommendation');

    expect(problems).toEqual([]);
    expect(offMachine(requested)).toEqual([]);
    await screenshot(page, 'results-experiment-1280');
    // The picture in docs/analyst.md: RESULTS_DOCS_SCREENSHOT=docs/images/results-experiment.png npx jest src/pages
    if (process.env.RESULTS_DOCS_SCREENSHOT) await page.locator('section[data-section=metrics] figure.chart-figure').screenshot({ path: process.env.RESULTS_DOCS_SCREENSHOT });
    await page.close();
  });

  it('shows the users seen in more than one variant beside the sample ratio, as the API counts them', async () => {
    // An app on a stale configuration reports four exposed users in another arm than theirs; a refresh stores new results.
    const exposed: { user_id: string; variant_key: string }[] = await run.uplift.dataSource.query(
      `SELECT user_id, variant_key FROM exposures WHERE experiment_key = 'activity-incentives' ORDER BY user_id LIMIT 4`,
    );
    const reports = exposed.map((e) => ({
      experimentKey: 'activity-incentives', phase: 1, userId: e.user_id, variantKey: e.variant_key === 'control' ? 'task-system' : 'control', exposedAt: new Date().toISOString(),
    }));
    const tracked = await postGraphQL(run.uplift.url, 'mutation ($x: [ExposureInput!]!) { trackExposures(exposures: $x) { accepted rejected { field } } }', { x: reports }, sdkKey);
    expect(tracked.data.trackExposures).toEqual({ accepted: 0, rejected: reports.map(() => ({ field: 'variantKey' })) });
    await api('mutation { refreshExperimentResults(key: "activity-incentives") { computedAt } }');
    const check = (await api(`{ experiment(key: "activity-incentives") { latestResults { multipleVariantUsers { users share arms { variantKey users } } } } }`)).experiment.latestResults.multipleVariantUsers;
    expect(check.users).toBe(4);

    const { page, problems } = await open('/results/experiments/activity-incentives');
    // In the health section, right after the sample-ratio check.
    const shown = page.locator('section[data-section=health] [data-testid=srm] + [data-testid=multiple-variants]');
    const text = await shown.innerText();
    expect(text).toContain(`${expected.count(check.users)} exposed users (${(check.share * 100).toFixed(2)}%) were also seen in another variant`);
    for (const arm of check.arms.filter((a: { users: number }) => a.users > 0)) expect(text).toContain(`${expected.count(arm.users)} in ${arm.variantKey}`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws the retention curve and the exposures per day as the API computes them', async () => {
    const { page, problems } = await open('/results/experiments/activity-incentives');
    const timeline = (await api(`{ experimentTimeline(key: "activity-incentives") { retention { variantKey day users rate interval { lower upper } } exposuresPerDay { variantKey day users } } }`)).experimentTimeline;
    const arms = [...new Set(timeline.retention.map((p: any) => p.variantKey))];
    await page.locator('[data-testid=retention-chart] svg').first().waitFor();
    // One line per arm in each chart.
    expect(await page.locator('[data-testid=retention-chart] svg [aria-label=line] path').count()).toBe(arms.length);
    expect(await page.locator('[data-testid=exposures-chart] svg [aria-label=line] path').count()).toBe(arms.length);
    // The retention curve's table view: every point with users, as the API gives it.
    const figure = page.locator('figure.chart-figure', { has: page.locator('[data-testid=retention-chart]') });
    await figure.getByRole('button', { name: 'Table view' }).click();
    const rows = page.locator('[data-testid=retention-chart-table] tbody tr');
    const points = timeline.retention.filter((p: any) => p.rate !== null);
    expect(await rows.count()).toBe(points.length);
    for (const index of [0, Math.floor(points.length / 2), points.length - 1]) {
      const point = points[index];
      const cells = await rows.nth(index).locator('td').allInnerTexts();
      expect(cells).toEqual([point.variantKey, String(point.day), expected.count(point.users), expected.percent(point.rate), expected.interval(point.interval, expected.percent)]);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('gives every chart a table view and SVG and PNG downloads, and every table a CSV download', async () => {
    const { page } = await open('/results/experiments/activity-incentives');
    const figure = page.locator('figure', { has: page.locator('[data-testid=forest-chart]') });
    await figure.getByRole('button', { name: 'Table view' }).click();
    await page.locator('[data-testid=forest-chart-table]').waitFor();
    expect(await page.locator('[data-testid=forest-chart]').isHidden()).toBe(true);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('figure.table', { has: page.locator('[data-testid=metrics-table]') }).getByRole('button', { name: 'Download CSV' }).click()]);
    const csvText = fs.readFileSync(await csv.path(), 'utf8');
    expect(csv.suggestedFilename()).toBe('activity-incentives-metrics.csv');
    expect(csvText.split('\r\n')[0]).toBe('Metric,Arm,Users,Value,95% interval,Absolute lift,Relative lift,p (raw),p (adjusted),Family,Chance to beat control,CUPED variance reduction,Verdict');

    const srm = page.locator('figure.chart-figure', { has: page.locator('[data-testid=srm-chart]') });
    const [svg] = await Promise.all([page.waitForEvent('download'), srm.getByRole('button', { name: 'SVG' }).click()]);
    const svgText = fs.readFileSync(await svg.path(), 'utf8');
    expect(svgText).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The plot, not a legend swatch: it has the arms' bars.
    expect(svgText.match(/<rect/g)?.length).toBeGreaterThanOrEqual(3);
    const [png] = await Promise.all([page.waitForEvent('download'), srm.getByRole('button', { name: 'PNG' }).click()]);
    expect(fs.readFileSync(await png.path()).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('compares strategies: the ranked arms as the API gives them, and the cost chart', async () => {
    const { page, problems } = await open('/results/compare?metric=d7_retention&experiments=activity-incentives,advisor-pilot');
    const arms = (await api(`{ compareStrategies(metricKey: "d7_retention", experimentKeys: ["activity-incentives", "advisor-pilot"]) {
      rank unrankedReason experimentKey variantKey pValue costPerIncrementalUser costPerIncrementalUserUnbounded costPerIncrementalUserInterval { lower upper } } }`)).compareStrategies;
    const rows = page.locator('[data-testid=compare-table] tbody tr');
    expect(await rows.count()).toBe(arms.length);
    for (const [i, arm] of arms.entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells.slice(0, 5)).toEqual([arm.rank === null ? '—' : String(arm.rank), arm.unrankedReason ?? '', arm.experimentKey, expect.any(String), arm.variantKey]);
      expect(cells[8]).toBe(expected.p(arm.pValue));
      // Cost per incremental user: unbounded when the lift may be 0, else the figure with its Fieller interval.
      if (arm.costPerIncrementalUserUnbounded) expect(cells[10]).toContain('unbounded');
      else if (arm.costPerIncrementalUserInterval) expect(cells[10]).toMatch(/\[.*, .*\]/);
    }
    await page.locator('[data-testid=cost-lift-chart] svg').first().waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows when its stored results were computed, and stores new ones on request', async () => {
    const history = async () => (await api(`{ experimentResultHistory(key: "advisor-pilot", first: 100) { computedAt } }`)).experimentResultHistory.length;
    const before = await history();
    const { page, problems } = await open('/results/experiments/advisor-pilot');
    expect(await page.locator('[data-testid=computed-at]').innerText()).toMatch(/^Stored results computed \d{4}-\d{2}-\d{2}/);
    // Opening the page stores nothing; the refresh button asks for a new snapshot.
    expect(await history()).toBe(before);
    await page.getByRole('button', { name: 'Refresh results' }).click();
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('[data-testid=computed-at] button[disabled]'));
    await page.locator('[data-testid=computed-at]', { hasText: 'just now' }).waitFor();
    expect(await history()).toBe(before + 1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a phone: no sideways scrolling at 390 px', async () => {
    for (const address of ['/results', '/results/experiments/activity-incentives', '/results/compare?metric=d7_retention&experiments=activity-incentives']) {
      const { page } = await open(address, { width: 390 });
      await page.waitForTimeout(300);
      const widths = await page.evaluate(() => {
        const root = (globalThis as any).document.documentElement;
        return { scroll: root.scrollWidth as number, client: root.clientWidth as number };
      });
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      if (address.includes('experiments/')) await screenshot(page, 'results-experiment-390');
      await page.close();
    }
  });

  it('has no serious or critical accessibility violation', async () => {
    for (const address of ['/results', '/results/experiments/activity-incentives', '/results/compare?metric=d7_retention&experiments=activity-incentives']) {
      const { page } = await open(address);
      await page.locator('svg').first().waitFor().catch(() => undefined);
      expect({ address, violations: await axeViolations(page) }).toEqual({ address, violations: [] });
      await page.close();
    }
  });

  it('says clearly when the key is refused or the experiment unknown, and never shows a blank page', async () => {
    const withSdk = await open('/results', { key: sdkKey });
    expect(await withSdk.page.locator('[data-testid=page-error]').innerText()).toContain('ANALYST or ADMIN');
    await withSdk.page.close();

    const unsigned = await open('/results', { key: null });
    expect(await unsigned.page.locator('[data-testid=page-error]').innerText()).toContain('Sign in');
    await unsigned.page.close();

    const unknown = await open('/results/experiments/no-such-experiment');
    expect(await unknown.page.locator('[data-testid=page-error]').innerText()).toContain('no-such-experiment');
    await unknown.page.close();
  });
});
