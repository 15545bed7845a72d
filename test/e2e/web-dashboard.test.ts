/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core, never a downloaded one) against
 * the real app on real storage, with a real station client (src/station) on a socket: login and its 401
 * message, stations appearing and changing live from the event stream, commands with the station's answer and
 * its CALLERROR, transactions with their energy, id tokens added and blocked, and a revoked key sending the
 * operator back to the login form.
 *
 * Set WEB_SCREENSHOT_DIR to keep PNG screenshots of the pages the tests visit.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Joule } from '../../src/app.ts';
import type { CallHandler, HandlerLookup } from '../../src/protocol/endpoint.ts';
import type { JsonObject } from '../../src/protocol/types.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT, addTokens, session } from './scenario-fixtures.ts';
import { closeAll, connectStation, eventually, registerStation, startApp, withApp } from './scenario-support.ts';

const CHROMIUM = '/usr/bin/chromium';
const WAIT_MS = 15_000;

let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium), as .ci/run does`);
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

after(async () => {
  await browser?.close();
});

afterEach(closeAll);

interface Session {
  page: Page;
  base: string;
  /** Page errors and console errors other than the API's expected refusals. */
  problems: string[];
  close(): Promise<void>;
}

async function openDashboard(app: Joule): Promise<Session> {
  // A fixed locale and zone: the assertions read formatted numbers and times.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs the API's expected refusals (bad key, duplicate token, CALLERROR) as failed loads; anything
    // else (a CSP violation, a script error, a missing module) is a defect.
    if (message.type() === 'error' && !/status of (401|409|502) /.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { page, base: `http://127.0.0.1:${app.port}`, problems, close: () => context.close() };
}

async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.WEB_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

async function login(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Rendered text of the element (cells and lines apart), whitespace collapsed. */
async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Every visible form control and button has an accessible name (a <label>, aria-label, aria-labelledby or, for
 * buttons, text), and the page has exactly one h1. Run in the page as a string: the tests compile without DOM types.
 */
async function assertAccessibleNames(page: Page, where: string): Promise<void> {
  const unnamed = (await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.getClientRects().length > 0)
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => el.outerHTML.slice(0, 120))`)) as string[];
  assert.deepEqual(unnamed, [], `${where}: controls without an accessible name`);
  assert.equal(await page.locator('h1').count(), 1, `${where}: one h1`);
}

function apiKey(app: Joule): string {
  assert.ok(app.initialApiKey, 'a fresh database creates the initial API key');
  return app.initialApiKey;
}

function handlers(table: Record<string, CallHandler>): HandlerLookup {
  return { resolve: (_version, action) => table[action] };
}

const now = (): string => new Date().toISOString();

forEachDatabase('dashboard: login (401 message), a station appears live with its status, Reset answered, a CALLERROR shown', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-WEB');
    const { page, base, problems, close } = await openDashboard(app);
    try {
      await page.goto(`${base}/`);
      await login(page, 'jk_not-a-key');
      await page.getByText('This API key was refused (401 unauthorized)').waitFor();
      await screenshot(page, 'login-refused');
      await assertAccessibleNames(page, 'login');

      await login(page, apiKey(app));
      const row = page.locator('tr[data-station="CS-WEB"]');
      await row.waitFor();
      assert.match(await text(page, 'tr[data-station="CS-WEB"]'), /^CS-WEB Offline Accepted — — — never$/);
      await page.locator('.live[data-state="live"]').waitFor();

      // A real station connects and boots: the open list follows the event stream, no reload.
      const resets: JsonObject[] = [];
      const station = await connectStation(app, 'CS-WEB', 'ocpp2.0.1', app.port, {
        handlers: handlers({
          Reset: (payload) => {
            resets.push(payload);
            return { status: 'Accepted' };
          },
        }),
      });
      assert.equal((await station.boot(BOOT)).response.status, 'Accepted');
      await station.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      await row.getByText('Online').waitFor();
      assert.match(await text(page, 'tr[data-station="CS-WEB"]'), /^CS-WEB Online Accepted ocpp2\.0\.1 Joule \/ J-201 1\.0\.0 (\d+ seconds? ago|now)$/);
      await screenshot(page, 'stations');
      await assertAccessibleNames(page, 'stations');

      await row.getByRole('link', { name: 'CS-WEB' }).click();
      const connector = page.locator('[data-connector="1/1"]');
      await connector.getByText('Available').waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Station CS-WEB');

      // The connector's status follows the station live.
      await station.call('StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
      await connector.getByText('Occupied').waitFor();

      // Reset: the station's answer shows, and the station got the call.
      await page.getByLabel('Command', { exact: true }).selectOption('reset');
      await page.getByLabel('Type').selectOption('OnIdle');
      await page.getByRole('button', { name: 'Send' }).click();
      const result = page.locator('.command-result');
      await result.getByText('the station answered').waitFor();
      assert.match(await text(page, '.command-result'), /Reset: the station answered Accepted/);
      assert.deepEqual(resets, [{ type: 'OnIdle' }]);
      await page.locator('.command-result details summary', { hasText: 'OCPP calls (1)' }).waitFor();
      // The message log tail shows the exchange (refreshed after the answer).
      const log = page.locator('section[aria-labelledby="s-message-log"] tbody tr');
      await log.filter({ hasText: 'CSMS → station' }).filter({ hasText: 'Reset' }).waitFor();
      await log.filter({ hasText: 'station → CSMS' }).filter({ hasText: 'CALLRESULT' }).filter({ hasText: 'Reset' }).waitFor();
      // The device model panel loads when opened (nothing is stored until the station reports it).
      await page.getByText('Show the stored device model').click();
      await page.getByText('Nothing stored yet').waitFor();
      await screenshot(page, 'station');
      await assertAccessibleNames(page, 'station');

      // A command the station does not support: its CALLERROR is shown, not a generic failure.
      await page.getByLabel('Command', { exact: true }).selectOption('unlock-connector');
      await page.getByLabel('EVSE (required)').fill('1');
      await page.getByLabel('Connector (required)').fill('1');
      await page.getByRole('button', { name: 'Send' }).click();
      await result.getByRole('alert').waitFor();
      const error = await text(page, '.command-result');
      assert.match(error, /Unlock connector: The station answered with an error/);
      assert.match(error, /502 command_rejected/);
      assert.match(error, /NotSupported/);

      // A field the form checks before sending.
      await page.getByLabel('EVSE (required)').fill('');
      await page.getByRole('button', { name: 'Send' }).click();
      await result.getByText('EVSE is required.').waitFor();

      // The station leaves: the page says so without a reload.
      await station.close();
      await page.locator('.page-actions').getByText('Offline').waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

forEachDatabase('dashboard: a transaction appears live with its energy and meter values; remote stop from its page', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-TX');
    await addTokens(app);
    const stops: JsonObject[] = [];
    const station = await connectStation(app, 'CS-TX', 'ocpp2.0.1', app.port, {
      handlers: handlers({
        RequestStopTransaction: (payload) => {
          stops.push(payload);
          return { status: 'Accepted' };
        },
      }),
    });
    await station.boot(BOOT);
    const { page, base, problems, close } = await openDashboard(app);
    try {
      await page.goto(`${base}/#/transactions`);
      await login(page, apiKey(app));
      await page.getByText('No transaction matches.').waitFor();
      await page.locator('.live[data-state="live"]').waitFor();

      const [started, firstUpdate, ...rest] = session('TX-WEB');
      await station.call('TransactionEvent', started!);
      await station.call('TransactionEvent', firstUpdate!);
      const link = page.getByRole('link', { name: 'TX-WEB' });
      await link.waitFor();
      await link.click();
      await page.getByRole('heading', { name: 'Transaction TX-WEB' }).waitFor();
      await page.getByRole('heading', { name: 'Stop this session' }).waitFor();
      assert.equal(await page.locator('#cmd-transactionId').inputValue(), 'TX-WEB');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('.command-result').getByText('the station answered').waitFor();
      assert.deepEqual(stops, [{ transactionId: 'TX-WEB' }]);

      // The station ends the session: the open page follows (energy 12 289 Wh, see scenario-fixtures.ts).
      for (const event of rest) await station.call('TransactionEvent', event);
      await page.locator('.energy-value', { hasText: '12.289 kWh' }).waitFor();
      const facts = await text(page, 'dl.facts');
      assert.match(facts, /State completed/i);
      assert.match(facts, /Meter start 1,234,500 Wh/i);
      assert.match(facts, /Meter stop 1,246,789 Wh/i);
      assert.match(await text(page, '#mv-title'), /^Meter values \(\d+\)$/);
      assert.ok((await page.locator('section[aria-labelledby="mv-title"] tbody tr').count()) > 0);
      assert.match(await text(page, '#ev-title'), /^Transaction events \(\d+\)$/);
      await eventually(async () => ((await page.getByRole('heading', { name: 'Stop this session' }).count()) === 0 ? true : undefined), 'the stop form to go');
      await screenshot(page, 'transaction');
      await assertAccessibleNames(page, 'transaction');

      // Filters: another station's transactions are not listed.
      await page.goto(`${base}/#/transactions?station=CS-OTHER`);
      await page.getByText('No transaction matches.').waitFor();
      await page.goto(`${base}/#/transactions?station=CS-TX&state=completed`);
      await page.getByRole('link', { name: 'TX-WEB' }).waitFor();
      assert.equal(await page.getByLabel('Station', { exact: true }).inputValue(), 'CS-TX');
      await assertAccessibleNames(page, 'transactions');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

forEachDatabase('dashboard: id tokens added and blocked; a revoked key returns to the login form', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    const { page, base, problems, close } = await openDashboard(app);
    try {
      await page.goto(`${base}/#/tokens`);
      await login(page, apiKey(app));
      await page.getByText('No id tokens yet.').waitFor();

      await page.getByLabel('Id token', { exact: true }).fill('CARD-0042');
      await page.getByLabel('Type').selectOption('ISO15693');
      await page.getByLabel('Group id').fill('FLEET-9');
      await page.getByRole('button', { name: 'Add token' }).click();
      const row = page.locator('tr[data-token="CARD-0042"]');
      await row.waitFor();
      assert.match(await text(page, 'tr[data-token="CARD-0042"]'), /^CARD-0042 ISO15693 Accepted FLEET-9 — local /);
      const stored = await app.repos.tokens.get('CARD-0042', 'ISO15693');
      assert.equal(stored?.status, 'Accepted');
      assert.equal(stored?.groupId, 'FLEET-9');

      await row.getByRole('button', { name: 'Block CARD-0042' }).click();
      await row.getByRole('button', { name: 'Unblock CARD-0042' }).waitFor();
      assert.equal((await app.repos.tokens.get('CARD-0042', 'ISO15693'))?.status, 'Blocked');
      assert.match(await text(page, 'tr[data-token="CARD-0042"]'), /Blocked/);

      // The same value and type again: the API's 409 is shown on the form.
      await page.getByLabel('Id token', { exact: true }).fill('CARD-0042');
      await page.getByLabel('Type').selectOption('ISO15693');
      await page.getByRole('button', { name: 'Add token' }).click();
      await page.getByText(/already exists.*409 already_exists/).waitFor();
      await screenshot(page, 'tokens');
      await assertAccessibleNames(page, 'tokens');

      // Paging: 51 tokens are two pages of 50.
      for (let i = 0; i < 50; i++) {
        await app.repos.tokens.upsert({ idToken: `BULK-${String(i).padStart(2, '0')}`, type: 'ISO14443', status: 'Accepted', expiry: null, groupId: null, source: 'local' });
      }
      await page.reload();
      await page.getByText('Rows 1–50').waitFor();
      await page.getByRole('button', { name: 'Next →' }).click();
      await page.getByText('Rows 51–51').waitFor();
      assert.equal(await page.locator('tbody tr').count(), 1);
      assert.ok(await page.getByRole('button', { name: 'Next →' }).isDisabled());
      assert.match(page.url(), /#\/tokens\?offset=50$/);
      await page.getByRole('button', { name: '← Previous' }).click();
      await page.getByText('Rows 1–50').waitFor();

      // The key is revoked while the operator works: the next request sends them back to the login form.
      const keys = await app.repos.apiKeys.list();
      for (const key of keys) await app.repos.apiKeys.delete(key.id);
      await page.getByRole('link', { name: 'Stations' }).click();
      await page.getByText('The server no longer accepts this API key (401 unauthorized)').waitFor();
      await page.getByRole('heading', { name: 'Operator login' }).waitFor();
      assert.equal(await page.evaluate(() => globalThis.sessionStorage.getItem('joule.apiKey')), null);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});

forEachDatabase('dashboard: a Pending station is accepted from its page', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-NEW', { registrationStatus: 'Pending' });
    const { page, base, problems, close } = await openDashboard(app);
    try {
      await page.goto(`${base}/#/stations/CS-NEW`);
      await login(page, apiKey(app));
      await page.getByRole('button', { name: 'Accept registration' }).click();
      await page.locator('.page-actions').getByText('Accepted').waitFor();
      assert.equal((await app.repos.stations.get('CS-NEW'))?.registrationStatus, 'Accepted');
      assert.equal(await page.getByRole('button', { name: 'Accept registration' }).count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
