/**
 * The dashboard's station registration in a real browser against the real app on real storage: a station
 * registered from the form (its password stored hashed; the API's refusal shown), a Pending station accepted
 * from its page. (Helpers and the browser: web-support.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { closeAll, registerStation, startApp, withApp } from './scenario-support.ts';
import { apiKey, login, openDashboard, useBrowser } from './web-support.ts';

useBrowser();
afterEach(closeAll);

forEachDatabase('dashboard: a station registered from the form; a Pending station accepted from its page', async (env) => {
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

      // Register a station from the list's form: first without the password profile 1 needs (the API refuses).
      await page.getByRole('link', { name: 'Stations', exact: true }).click();
      await page.getByRole('button', { name: 'Register a station' }).click();
      const form = page.getByRole('form', { name: 'Register a station' });
      await form.getByLabel('Station id').fill('CS-FORM');
      await form.getByRole('button', { name: 'Register' }).click();
      await form.getByText(/validation_failed/).waitFor();
      assert.match(await form.getByRole('alert').innerText(), /password/);
      assert.equal(await app.repos.stations.get('CS-FORM'), undefined);

      await form.getByLabel('Password').fill('form-password-0123456789');
      await form.getByRole('button', { name: 'Register' }).click();
      await form.getByText('Registered CS-FORM.').waitFor();
      await page.locator('tr[data-station="CS-FORM"]').getByText('Accepted').waitFor();
      const stored = await app.repos.stations.get('CS-FORM');
      assert.equal(stored?.securityProfile, 1);
      assert.ok(stored?.passwordHash && !stored.passwordHash.includes('form-password'), 'the password is stored hashed');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
