/** Pagination on both sides (checklist §6) and token encodings per partner (§1). */
import assert from 'node:assert/strict';
import { OcpiClient } from '../../src/ocpi/client.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { forEachDatabase } from '../support/db.ts';
import { assertEnvelope, ITEMS, registered, serverAndEmsp } from './support/framework.ts';
import { listModule, type Item } from './support/list-module.ts';

forEachDatabase('pagination: offset/limit with Link, X-Total-Count, X-Limit; server cap; date windows; the client follows Link', async (env, t) => {
  const { joule, emsp } = await registered(env, t, { 'ocpi.pageLimit': 3 });
  const url = `${joule.base}/2.2.1/cdrs`;
  const ids = (body: { data?: unknown }) => (body.data as Item[]).map((i) => i.id);

  const first = await emsp.call('GET', `${url}?limit=50`);
  assert.deepEqual(ids(first.body), ['item-0', 'item-1', 'item-2']);
  assert.equal(first.headers.get('x-total-count'), '7');
  assert.equal(first.headers.get('x-limit'), '3');
  assert.equal(first.headers.get('link'), `<${url}?limit=3&offset=3>; rel="next"`);

  const second = await emsp.call('GET', `${url}?offset=3&limit=2`);
  assert.deepEqual(ids(second.body), ['item-3', 'item-4']);
  const nextUrl = new URL(/^<([^>]+)>; rel="next"$/.exec(second.headers.get('link') ?? '')?.[1] ?? '');
  assert.equal(nextUrl.searchParams.get('offset'), '5');
  assert.equal(nextUrl.searchParams.get('limit'), '2');
  const last = await emsp.call('GET', `${url}?offset=5&limit=2`);
  assert.deepEqual(ids(last.body), ['item-5', 'item-6']);
  assert.equal(last.headers.get('link'), null, 'no Link on the last page');
  const beyond = await emsp.call('GET', `${url}?offset=7`);
  assert.deepEqual(beyond.body.data, []);
  assert.equal(beyond.headers.get('x-total-count'), '7');

  // date_from inclusive, date_to exclusive; the Link repeats the filters.
  const window = await emsp.call('GET', `${url}?date_from=2026-01-02T10:00:00Z&date_to=2026-01-06T10:00:00Z&limit=2`);
  assert.deepEqual(ids(window.body), ['item-1', 'item-2']);
  assert.equal(window.headers.get('x-total-count'), '4');
  const link = new URL(/^<([^>]+)>/.exec(window.headers.get('link') ?? '')?.[1] ?? '');
  assert.equal(link.searchParams.get('date_from'), '2026-01-02T10:00:00Z');
  assert.equal(link.searchParams.get('date_to'), '2026-01-06T10:00:00Z');
  const windowNext = await emsp.call('GET', link.toString());
  assert.deepEqual(ids(windowNext.body), ['item-3', 'item-4']);
  assert.equal(windowNext.headers.get('link'), null);
  // Without zone: UTC.
  assert.equal((await emsp.call('GET', `${url}?date_from=2026-01-07T10:00:00`)).headers.get('x-total-count'), '1');

  for (const bad of ['offset=-1', 'limit=0', 'limit=abc', 'date_from=yesterday', 'offset=1&offset=2']) {
    const answer = await emsp.call('GET', `${url}?${bad}`);
    assertEnvelope(answer.body, 2001);
    assert.match(answer.body.status_message ?? '', new RegExp(`^${bad.split('=')[0]}`));
  }

  // Client side: follows Link over every page, oldest first.
  const client = new OcpiClient({ timeoutMs: 2000, logger: silentLogger() });
  const auth = { token: emsp.jouleToken as string, encoding: 'base64' as const, allowPlainHttp: true };
  const all = await client.getAll<Item>({ url, auth, version: '2.2.1' }, { limit: '2' });
  assert.deepEqual(all.map((i) => i.id), ITEMS.map((i) => i.id));
  const windowed = await client.getAll<Item>({ url, auth, version: '2.2.1' }, { date_from: '2026-01-03T10:00:00Z' });
  assert.deepEqual(windowed.map((i) => i.id), ['item-2', 'item-3', 'item-4', 'item-5', 'item-6']);
});

forEachDatabase('the client redoes a page when X-Total-Count drops mid-crawl, so no object is skipped', async (env, t) => {
  const items = ITEMS.map((i) => ({ ...i }));
  // After the first page, item-1 is updated out of the date_to window: everything after it moves one place up.
  const module = listModule(items, (offset) => {
    if (offset === 0 && items[1]) items[1].last_updated = '2027-06-01T00:00:00Z';
  });
  const { joule, emsp } = await serverAndEmsp(t, env, {}, { modules: [module] });
  const { tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  assert.equal((await emsp.registerWith(joule.versionsUrl, tokenA)).body.status_code, 1000);
  const client = new OcpiClient({ timeoutMs: 2000, logger: silentLogger() });
  const auth = { token: emsp.jouleToken as string, encoding: 'base64' as const, allowPlainHttp: true };
  const all = await client.getAll<Item>({ url: `${joule.base}/2.2.1/cdrs`, auth, version: '2.2.1' }, { limit: '2', date_to: '2026-12-31T00:00:00Z' }, { key: (i) => i.id });
  assert.deepEqual(all.map((i) => i.id), ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6']);
});

forEachDatabase('2.1.1 partner with plain tokens: base64 refused when the partner is set to plain, accepted when both', async (env, t) => {
  const { joule, emsp } = await serverAndEmsp(t, env, { versions: ['2.1.1'], encoding: 'plain' }, { modules: [listModule(ITEMS)] });
  const { tokenA, partner } = await joule.services.partnerService.createWithTokenA({ name: 'legacy', allowPlainHttp: true, tokenEncoding: 'plain' });
  const base64A = `Token ${Buffer.from(tokenA).toString('base64')}`;
  assert.equal((await fetch(joule.versionsUrl, { headers: { authorization: base64A } })).status, 401);
  assert.equal((await emsp.registerWith(joule.versionsUrl, tokenA)).body.status_code, 1000);
  const url = `${joule.base}/2.1.1/cdrs`;
  assert.equal((await emsp.call('GET', url)).status, 200);
  const base64C = `Token ${Buffer.from(emsp.jouleToken as string).toString('base64')}`;
  assert.equal((await fetch(url, { headers: { authorization: base64C } })).status, 401);
  await joule.services.partnerService.updateSettings(partner.id, { tokenEncoding: 'both' });
  assert.equal((await fetch(url, { headers: { authorization: base64C } })).status, 200);
  assert.equal((await emsp.call('GET', url)).status, 200);
  // 2.1.1 answers carry no routing headers.
  assert.equal((await emsp.call('GET', url)).headers.get('ocpi-from-party-id'), null);
});
