/**
 * The dashboard's live event stream across a CSMS restart, in a real browser: the header says Reconnecting…
 * while the server is away, the stream comes back by itself on the same storage and port, and the page follows
 * a station again. (Helpers and the browser: web-support.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { Joule } from '../../src/app.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from './scenario-fixtures.ts';
import { closeAll, connectStation, freePort, registerStation, startApp } from './scenario-support.ts';
import { apiKey, login, openDashboard, useBrowser } from './web-support.ts';

useBrowser();
afterEach(closeAll);

forEachDatabase('dashboard: the live indicator follows a CSMS restart and the page gets events again afterwards', async (env) => {
  const port = await freePort();
  let app: Joule | undefined = await startApp(env, { port });
  const key = apiKey(app);
  try {
    await registerStation(app, 'CS-RS');
    const { page, base, problems, close } = await openDashboard(app);
    try {
      await page.goto(`${base}/`);
      await login(page, key);
      await page.locator('tr[data-station="CS-RS"]').getByText('Offline').waitFor();
      await page.locator('.live[data-state="live"]').waitFor();

      await app.close();
      app = undefined;
      await page.locator('.live[data-state="reconnecting"]').getByText('Reconnecting…').waitFor();

      // Same storage, same port: the stored key still works and the stream comes back by itself.
      app = await startApp(env, { port });
      await page.locator('.live[data-state="live"]').getByText('Live').waitFor({ timeout: 30_000 });
      const station = await connectStation(app, 'CS-RS', 'ocpp2.0.1', port);
      await station.boot(BOOT);
      await page.locator('tr[data-station="CS-RS"]').getByText('Online').waitFor();
      // The browser logs the refused connections while the server was away; nothing else may go wrong.
      assert.deepEqual(problems.filter((p) => !/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/.test(p)), []);
    } finally {
      await close();
    }
  } finally {
    await closeAll();
    await app?.close();
  }
});
