import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, BrowserContextOptions, chromium, Page } from 'playwright-core';
import { ROOT } from '../../helpers/app-process';

/** Screenshots land here for CI to keep as artifacts (test-results/ is gitignored). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'web');

// The Debian package's Chromium; Playwright can't download its own browser on this network.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when there is no Chromium to drive: a skip with a line on a laptop, a failure under CI=true. */
export function chromiumMissing(): boolean {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') throw new Error(`Chromium is not at ${CHROMIUM}, and CI=true forbids skipping (Debian package chromium)`);
  process.stderr.write(`skipping: no Chromium at ${CHROMIUM} (Debian package chromium, or set CHROMIUM_PATH)\n`);
  return true;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DESKTOP_VIEWPORT = { width: 1280, height: 900 };

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions, HTTP errors and failed requests seen so far, one line each. */
  problems: string[];
}

/**
 * A fresh context and page that records every console error, page error and HTTP error.
 * `options` adds to the context's (the edge's self-signed certificate needs `ignoreHTTPSErrors`).
 */
export async function watchedPage(browser: Browser, viewport = DESKTOP_VIEWPORT, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris', ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  // Chromium's console line for an HTTP error has no URL; this one says which request it was.
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`http ${res.status()}: ${new URL(res.url()).pathname}`);
  });
  page.on('requestfailed', (req) => {
    // A navigation away aborts in-flight fetches on purpose; anything else is a real failure.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return { page, context, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** One WCAG failure as axe reports it: the rule and the elements that break it. */
export interface A11yViolation {
  rule: string;
  impact: string | null;
  targets: string[];
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page against WCAG 2.1 A and AA (labels, names, contrast, landmarks, lang…).
 * Evaluated rather than injected as a script tag, so the page's CSP doesn't stand in the way.
 */
export async function accessibilityViolations(page: Page): Promise<A11yViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then(function (r) {
        return r.violations.map(function (v) {
          return { rule: v.id, impact: v.impact, targets: v.nodes.map(function (n) { return n.target.join(' '); }) };
        });
      })
  `)) as A11yViolation[];
}
