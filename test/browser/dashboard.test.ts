// The dashboard as a commission analyst uses it: a real Chromium against the real gateway, over
// demo data screened by the risk subgraph and counted by the indicators subgraph. It waits until
// every chart has drawn points from the graph's answers, and saves a screenshot in
// reports/browser/dashboard.png (TEST_OUTPUT_DIR overrides reports/browser).
// Needs a system Chromium (scripts/chromium.ts). Without one the suite is skipped, saying why,
// except where REQUIRE_CHROMIUM=1 (`.ci/run`, which installs it): there it fails.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDashboardBuilt } from '../../gateway/dashboard/build';
import { INDICATORS_QUERY, RIF_FOLLOW_UP_QUERY, TRADE_FLOWS_QUERY } from '../../gateway/dashboard/graph';
import { chromiumLaunchArgs, CHROMIUM_CANDIDATES, findChromium } from '../../scripts/chromium';
import { KCS_TRAIN, seedDemoData } from '../../scripts/seed';
import { demoIdentity } from '../../subgraphs/kit/auth/demo-identities';
import { prepareRiskOnFirstStart } from '../../subgraphs/risk/setup-on-first-start';
import { signedIn } from '../support/auth';
import { startPlatform, type GraphQLResponse } from '../support/platform';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

const TIMEOUT = 120_000;
const OUTPUT_DIR = resolve(process.env.TEST_OUTPUT_DIR ?? 'reports/browser');
const executablePath = findChromium();
const MISSING =
  `No Chromium found (CHROMIUM_PATH, ${CHROMIUM_CANDIDATES.join(', ')}). ` +
  'Install it (Debian: `apt-get install -y chromium`) or set CHROMIUM_PATH to run the browser tests.';
if (!executablePath) {
  if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(MISSING);
  console.warn(`test/browser skipped: ${MISSING}`);
}

/** Every 60th declaration of the train split: about 620, over each month of 2020, keep the test quick. */
const kcsFile = join(mkdtempSync(join(tmpdir(), 'kcs-')), 'train-spread.csv');
const [header, ...rows] = readFileSync(KCS_TRAIN, 'utf8').trimEnd().split('\n');
writeFileSync(kcsFile, [header, ...rows.filter((_row, index) => index % 60 === 0)].join('\n') + '\n');
/** The demo data's year: the dashboard opens on the latest year with declarations. */
const PERIOD = { from: '2020-01', until: '2020-12' };
const TODAY = new Date().toISOString().slice(0, 10);

/** Each chart, and the query it is drawn from. */
const CHARTS = {
  declarations: 'performanceIndicators',
  lanes: 'performanceIndicators',
  detection: 'performanceIndicators',
  'selection-reasons': 'performanceIndicators',
  'rif-follow-up': 'riskInformationFollowUp',
  'trade-flows': 'tradeFlows',
} as const;

let platform: Platform | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!executablePath) return;
  await ensureDashboardBuilt();
  [platform, browser] = await Promise.all([startPlatform({ indicators: { follow: true } }), chromium.launch({ executablePath, args: chromiumLaunchArgs() })]);
  await seedDemoData({ urls: platform.subgraphUrls, kcsFile, log: () => {}, token: platform.trust.serviceToken });
  // As npm start's first start does: learn, then screen every declaration, so lanes exist.
  await prepareRiskOnFirstStart(platform.risk.models, () => {});
  // The indicators follow the change feeds: wait until they have counted all of it.
  await platform.indicatorsCaughtUp();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/**
 * Asks one of the dashboard's own queries as the commission analyst until it answers with data:
 * the indicators follow the change feeds, so they may lag the seed a little. Fails naming the
 * query and what the gateway last said, never passing on an empty answer.
 */
async function untilAnswered(field: string, query: string, variables: Record<string, unknown>, count: (value: any) => number): Promise<void> {
  if (!platform) throw new Error('dashboard test setup did not complete');
  const headers = await signedIn(demoIdentity('commission')!.caller, platform.trust);
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    const answer: GraphQLResponse<Record<string, any>> = await platform.query(query, variables, headers);
    const value = answer.data?.[field];
    if (answer.errors?.length) last = `errors: ${answer.errors.map((error) => error.message).join('; ')}`;
    // A query the graph cannot even validate (its subgraph's types not composed in) will not start working by waiting.
    if (answer.errors?.some((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'))
      throw new Error(`Query.${field} is not in the graph the gateway serves (schema/supergraph.graphql): ${last}`);
    else if (value == null) last = 'no data';
    else if (count(value) > 0) return;
    else last = `an empty answer: ${JSON.stringify(value).slice(0, 300)}`;
    if (Date.now() > deadline) throw new Error(`Query.${field} gave no data within 60 s as the commission analyst; last ${last}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

interface Dashboard {
  page: Page;
  /** Uncaught exceptions and CSP violations seen so far: either means a broken bundle. */
  problems: string[];
}

/** A fresh browser context, the sign-in link npm start prints for /dashboard, and a demo identity picked. */
async function openDashboard(identity: string): Promise<Dashboard> {
  if (!browser || !platform) throw new Error('dashboard test setup did not complete');
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(`${platform.gatewayUrl}/dashboard#login=${platform.trust.localIssuer.explorerLoginKey}`);
  await page.locator(`button[data-identity="${identity}"]`).click();
  await page.locator('.explorer-identity', { hasText: 'Signed in as' }).waitFor();
  return { page, problems };
}

interface ChartState {
  state: string | null;
  drawn: string | null;
  points: number;
  text: string;
}

/** Waits until a chart is drawn, or says it failed or has nothing: never a fixed sleep. */
async function settledChart(page: Page, name: string): Promise<ChartState> {
  const figure = page.locator(`figure[data-chart="${name}"]`);
  await figure.waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    (chart) => {
      const element = document.querySelector(`figure[data-chart="${chart}"]`) as HTMLElement | null;
      return !!element && (element.dataset.drawn === 'true' || element.dataset.state === 'error' || element.dataset.state === 'empty');
    },
    name,
    { timeout: 30_000 },
  );
  return figure.evaluate((element: HTMLElement) => ({
    state: element.dataset.state ?? null,
    drawn: element.dataset.drawn ?? null,
    points: Number(element.dataset.points ?? 0),
    text: element.innerText,
  }));
}

describe.skipIf(!executablePath)('dashboard (Chart.js page served by the gateway at /dashboard)', () => {
  it(
    'draws every chart from the graph as a commission analyst, and saves a screenshot',
    async () => {
      // The data first, asked exactly as the page asks: a failure here names the query at fault.
      await untilAnswered('performanceIndicators', INDICATORS_QUERY, { period: PERIOD }, (rows: any[]) => rows.filter((row) => row.declarations > 0).length);
      await untilAnswered('tradeFlows', TRADE_FLOWS_QUERY, { period: PERIOD, memberState: null, first: 25 }, (flows) => flows.edges.length);
      await untilAnswered('riskInformationFollowUp', RIF_FOLLOW_UP_QUERY, { from: `${PERIOD.from}-01`, until: TODAY, memberState: null }, (summaries: any[]) =>
        summaries.reduce((sum, summary) => sum + summary.received, 0),
      );

      const { page, problems } = await openDashboard('commission');
      expect(await page.title()).toBe('Customs risk graph — dashboard');
      // It opened on the year the demo data is from, found in the graph, and says so in its address.
      await expect
        .poll(() => new URL(page.url()).search, { message: 'the page opens on the latest year with declarations (performanceIndicators, granularity YEAR)' })
        .toContain('from=2020-01');

      const drawn: Record<string, ChartState> = {};
      for (const [name, field] of Object.entries(CHARTS)) {
        drawn[name] = await settledChart(page, name);
        expect(drawn[name], `chart ${name} (Query.${field}): ${drawn[name].text}`).toMatchObject({ state: 'ready', drawn: 'true' });
        expect(drawn[name].points, `chart ${name} (Query.${field}) drew no points`).toBeGreaterThan(0);
      }
      // Twelve months of demo data: every trend has a point a month.
      expect(drawn.lanes!.points).toBeGreaterThanOrEqual(12 * 3);
      await expect(page.locator('table[data-table="indicators"] tbody tr').count()).resolves.toBeGreaterThanOrEqual(12);
      await expect(page.locator('table[data-table="rif-follow-up"] tbody tr').count()).resolves.toBeGreaterThan(0);

      mkdirSync(OUTPUT_DIR, { recursive: true });
      const screenshot = join(OUTPUT_DIR, 'dashboard.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(
        `dashboard screenshot: ${screenshot} (points drawn: ${Object.entries(drawn)
          .map(([name, chart]) => `${name} ${chart.points}`)
          .join(', ')})`,
      );
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'shows the gateway’s refusal in place of the charts to a caller whose role lacks indicators:read',
    async () => {
      // An AEO auditor reads operators and filings, not the indicators nor shared risk information.
      const { page, problems } = await openDashboard('auditor-nl');
      for (const [name, scope] of [
        ['declarations', 'indicators:read'],
        ['trade-flows', 'indicators:read'],
        ['rif-follow-up', 'risk-information:read'],
      ] as const) {
        const chart = await settledChart(page, name);
        expect(chart, `chart ${name}`).toMatchObject({ state: 'error', points: 0 });
        expect(chart.text).toContain(scope);
        await expect(page.locator(`figure[data-chart="${name}"] .chart-error`).isVisible()).resolves.toBe(true);
      }
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );
});
