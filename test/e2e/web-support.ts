/**
 * Shared pieces of the dashboard's browser tests (web-*.test.ts): Debian's Chromium driven by playwright-core
 * (never a downloaded browser), one browser per test file and a fresh context per test, a collector of page
 * errors, and small page helpers.
 *
 * Set WEB_SCREENSHOT_DIR to keep PNG screenshots of the pages the tests visit.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Joule } from '../../src/app.ts';
import type { CallHandler, HandlerLookup } from '../../src/protocol/endpoint.ts';

const CHROMIUM = '/usr/bin/chromium';
const WAIT_MS = 15_000;

let browser: Browser | undefined;

/** Launches Chromium before the file's tests and closes it after them. */
export function useBrowser(): void {
  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium), as .ci/run does`);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  after(async () => {
    await browser?.close();
    browser = undefined;
  });
}

export interface Session {
  page: Page;
  base: string;
  /** Page errors and console errors other than the API's expected refusals. */
  problems: string[];
  close(): Promise<void>;
}

export async function openDashboard(app: Joule): Promise<Session> {
  if (!browser) throw new Error('call useBrowser() in the test file');
  // A fixed locale and zone: the assertions read formatted numbers and times.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs the API's refusals the tests provoke (invalid field, bad key, duplicate, CALLERROR) as
    // failed loads; anything else (a CSP violation, a script error, a missing module) is a defect.
    if (message.type() === 'error' && !/status of (400|401|409|502) /.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { page, base: `http://127.0.0.1:${app.port}`, problems, close: () => context.close() };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.WEB_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export async function login(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Rendered text of the element (cells and lines apart), whitespace collapsed. */
export async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Every visible form control and button has an accessible name (a <label>, aria-label, aria-labelledby or, for
 * buttons, text), and the page has exactly one h1. Run in the page as a string: the tests compile without DOM types.
 */
export async function assertAccessibleNames(page: Page, where: string): Promise<void> {
  const unnamed = (await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.getClientRects().length > 0)
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
  assert.deepEqual(unnamed, [], `${where}: controls without an accessible name`);
  assert.equal(await page.locator('h1').count(), 1, `${where}: one h1`);
}

export function apiKey(app: Joule): string {
  assert.ok(app.initialApiKey, 'a fresh database creates the initial API key');
  return app.initialApiKey;
}

export function handlers(table: Record<string, CallHandler>): HandlerLookup {
  return { resolve: (_version, action) => table[action] };
}

export const now = (): string => new Date().toISOString();
