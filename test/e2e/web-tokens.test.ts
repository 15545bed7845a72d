/**
 * The dashboard's id tokens in a real browser against the real app on real storage: added, blocked, refused as a
 * duplicate, paged; and an API key revoked while the operator works. (Helpers and the browser: web-support.ts.)
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { closeAll, startApp, withApp } from './scenario-support.ts';
import { apiKey, assertAccessibleNames, login, openDashboard, screenshot, text, useBrowser } from './web-support.ts';

useBrowser();
afterEach(closeAll);

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
      await page.getByRole('link', { name: 'Stations', exact: true }).click();
      await page.getByText('The server no longer accepts this API key (401 unauthorized)').waitFor();
      await page.getByRole('heading', { name: 'Operator login' }).waitFor();
      assert.equal(await page.evaluate("sessionStorage.getItem('joule.apiKey')"), null);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
