/**
 * The dashboard in a real browser against the real app on real storage, with a real station client (src/station)
 * on a socket: login and its 401 message, a station appearing and changing live from the event stream, commands
 * with the station's answer and its CALLERROR, the message log and device model panels. (Helpers and the browser:
 * web-support.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { Locator } from 'playwright-core';
import type { JsonObject } from '../../src/protocol/types.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from './scenario-fixtures.ts';
import { closeAll, connectStation, registerStation, startApp, withApp } from './scenario-support.ts';
import { apiKey, assertAccessibleNames, handlers, login, now, openDashboard, screenshot, text, useBrowser } from './web-support.ts';

useBrowser();
afterEach(closeAll);

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

      // A real station connects and boots: the open list follows the event stream, no reload, and keyboard focus
      // on the station's link survives the refresh.
      await row.getByRole('link', { name: 'CS-WEB' }).focus();
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
      // The list refreshes on each event: the one for the connection can land before the boot's vendor and model.
      await row.getByText('Joule / J-201').waitFor();
      assert.equal(await page.evaluate('document.activeElement?.getAttribute("href")'), '#/stations/CS-WEB');
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
      // The message log tail shows the command and the station's answer as two rows (refreshed after the answer),
      // and a CALL of the station with our answer in one row.
      const log = page.locator('section[aria-labelledby="s-message-log"] tbody tr');
      const answer = (row: Locator) => row.locator('details.answer summary');
      const resetCall = log.filter({ hasText: 'CSMS → station' }).filter({ hasText: 'Reset' });
      await resetCall.waitFor();
      assert.equal(await answer(resetCall).count(), 0, 'our CALL has no answer under it: the answer is a row of its own');
      await log.filter({ hasText: 'station → CSMS' }).filter({ hasText: 'CALLRESULT' }).filter({ hasText: 'Reset' }).waitFor();
      const statuses = log.filter({ hasText: 'station → CSMS' }).filter({ hasText: 'StatusNotification' });
      assert.equal(await statuses.count(), 2);
      for (const row of await statuses.all()) {
        assert.equal(await row.locator('td').nth(2).innerText(), 'CALL');
        assert.equal(await answer(row).innerText(), '↳ CALLRESULT {}', 'our answer under the CALL');
      }
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
