/**
 * The dashboard's transactions in a real browser against the real app on real storage, with a real station
 * client: a transaction appearing live, stopped from its page, its energy, meter values and events once the
 * station ends it, and the list's filters. (Helpers and the browser: web-support.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { JsonObject } from '../../src/protocol/types.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT, addTokens, session } from './scenario-fixtures.ts';
import { closeAll, connectStation, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { apiKey, assertAccessibleNames, handlers, login, openDashboard, screenshot, text, useBrowser } from './web-support.ts';

useBrowser();
afterEach(closeAll);

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
