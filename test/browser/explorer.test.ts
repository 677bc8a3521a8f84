// The explorer as an AEO auditor uses it: a real Chromium against the real gateway.
// Needs a system Chromium (scripts/chromium.ts). Without one the suite is skipped, saying why,
// except where REQUIRE_CHROMIUM=1 (`.ci/run`, which installs it): there it fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureExplorerBuilt } from '../../gateway/explorer/build';
import { chromiumLaunchArgs, CHROMIUM_CANDIDATES, findChromium } from '../../scripts/chromium';
import { startPlatform } from '../support/platform';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

const TIMEOUT = 60_000;
const executablePath = findChromium();
const MISSING =
  `No Chromium found (CHROMIUM_PATH, ${CHROMIUM_CANDIDATES.join(', ')}). ` +
  'Install it (Debian: `apt-get install -y chromium`) or set CHROMIUM_PATH to run the browser tests.';
if (!executablePath) {
  if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(MISSING);
  console.warn(`test/browser skipped: ${MISSING}`);
}

let platform: Platform | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!executablePath) return;
  await ensureExplorerBuilt();
  // playwright-core creates (and removes) a fresh temporary profile itself, so no user-data-dir here.
  [platform, browser] = await Promise.all([startPlatform(), chromium.launch({ executablePath, args: chromiumLaunchArgs() })]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

interface Explorer {
  page: Page;
  /** Uncaught exceptions and CSP violations seen so far: either means a broken bundle. */
  problems: string[];
}

/**
 * A fresh browser context per test, so storage (tabs, history, the token) never leaks between
 * tests. It opens the sign-in link npm start prints and picks a demo identity, unless told not to.
 */
async function openExplorer(path = '/', identity: string | null = 'commission'): Promise<Explorer> {
  if (!browser || !platform) throw new Error('explorer test setup did not complete');
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  await page.goto(`${new URL(path, platform.gatewayUrl).href}#login=${platform.trust.localIssuer.explorerLoginKey}`);
  if (identity) {
    await page.locator(`button[data-identity="${identity}"]`).click();
    await page.locator('.explorer-identity', { hasText: 'Signed in as' }).waitFor();
  }
  // Monaco loads lazily; the welcome tab's text appearing means the editors are live.
  await page.locator('.graphiql-query-editor .view-lines').getByText('Customs risk graph').first().waitFor();
  return { page, problems };
}

/** Visible text of a Monaco editor; Monaco renders spaces as U+00A0. */
async function editorText(page: Page, selector: string): Promise<string> {
  const text = await page.locator(`${selector} .view-lines`).first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

describe.skipIf(!executablePath)('explorer (GraphiQL served by the gateway)', () => {
  it(
    'opens the explorer, runs a query and shows the result',
    async () => {
      const { page, problems } = await openExplorer();
      expect(await page.title()).toBe('Customs risk graph — explorer');

      const query = '{ __typename }';
      // Typing key by key doubles Monaco's auto-closed braces, and so does inserting over a
      // selection (Monaco wraps it): clear the editor, then insert the whole text at once.
      await page.locator('.graphiql-query-editor .monaco-editor').first().click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.insertText(query);
      // GraphiQL re-derives the operation name 100 ms after the last edit (and then saves the
      // query); running before that would send the welcome tab's "Operator" name along.
      await page.waitForFunction((text) => localStorage.getItem('graphiql:query') === text, query);
      await page.locator('.graphiql-execute-button').click();

      await expect.poll(() => editorText(page, '.graphiql-response'), { timeout: 20_000 }).toContain('"__typename": "Query"');
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'documents the schema in the doc explorer',
    async () => {
      const { page, problems } = await openExplorer();
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.locator('.graphiql-doc-explorer-root-type', { hasText: 'Query' }).first().waitFor();

      await docs.getByRole('link', { name: 'Query', exact: true }).first().click();
      await expect.poll(() => docs.locator('.graphiql-doc-explorer-title').innerText()).toBe('Query');
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'offers the contract operations as ready-made examples',
    async () => {
      const { page, problems } = await openExplorer();
      const trader360Tab = page.locator('.graphiql-tab', { hasText: 'Trader360' });
      await expect(trader360Tab.count()).resolves.toBe(1);

      // Close the ready-made tab so the example has to open a fresh one.
      await trader360Tab.hover();
      await trader360Tab.locator('.graphiql-tab-close').click();
      await expect.poll(() => trader360Tab.count()).toBe(0);

      await page.getByRole('button', { name: 'Show Examples' }).click();
      await page.locator('button[data-example="Trader360"]').click();
      await expect.poll(() => editorText(page, '.graphiql-query-editor')).toContain('query Trader360($eori: ID!)');
      await expect.poll(() => editorText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)')).toContain('"eori"');
      await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toContain('Trader360');
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'signs in with a demo identity from the sign-in link, asks as it, and forgets the link’s secret',
    async () => {
      const { page, problems } = await openExplorer('/', null);
      // The secret leaves the address bar at once; the page offers the demo identities.
      expect(page.url()).not.toContain('#login');
      await page.locator('button[data-identity="partner-us"]').click();
      await page.locator('.explorer-identity[data-signed-in="mra-partner"]').waitFor();
      expect(await page.locator('.explorer-identity').innerText()).toContain('US-CTPAT');

      // An MRA partner may not read the registry: the gateway says so for the field, not the page.
      await page.locator('.graphiql-query-editor .monaco-editor').first().click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      const query = '{ economicOperators(first: 1) { totalCount } }';
      await page.keyboard.insertText(query);
      await page.waitForFunction((text) => localStorage.getItem('graphiql:query') === text, query);
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => editorText(page, '.graphiql-response'), { timeout: 20_000 }).toContain('FORBIDDEN');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('.explorer-sign-in').waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('customs-graph.token'))).toBeNull();
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'serves the explorer to a browser navigating to /graphql',
    async () => {
      const { page, problems } = await openExplorer('/graphql');
      expect(await page.title()).toBe('Customs risk graph — explorer');
      expect(problems).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );
});
