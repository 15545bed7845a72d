/**
 * OCPI Locations Sender against a real eMSP over HTTP, 2.2.1 list pulls: every page (Link, X-Total-Count, X-Limit),
 * date windows, party filtering of lists and single objects. Objects: locations-objects.test.ts; 2.1.1:
 * locations-211.test.ts; pushes: locations-push.test.ts.
 */
import assert from 'node:assert/strict';
import type { Location } from '../../src/domain/locations/model.ts';
import { forEachDatabase } from '../support/db.ts';
import { crawl, DETAILS, ids, setup } from './locations-fixtures.ts';

forEachDatabase('Locations 2.2.1: every page across date windows, Link / X-Total-Count / X-Limit, party filter', async (env, t) => {
  const s = await setup(env, '2.2.1', 2);
  t.after(() => s.close());
  const { locations } = s.app.catalog;
  const created: Location[] = [];
  for (let i = 1; i <= 5; i++) created.push(await locations.create({ id: `LOC${i}`, countryCode: 'NL', partyId: 'JOU', ...DETAILS }));
  await locations.create({ id: 'BE1', countryCode: 'BE', partyId: 'OTH', ...DETAILS });
  // LOC2 changes last: it moves to the end of a last_updated window.
  await locations.update('LOC2', { ...DETAILS, name: 'Renamed' });
  const url = s.url('locations');

  const pages = await crawl(s.emsp, url);
  assert.deepEqual(pages.map(ids), [['LOC1', 'LOC2'], ['LOC3', 'LOC4'], ['LOC5']], 'oldest first by creation, 2 per page (the cap)');
  for (const page of pages) {
    assert.equal(page.headers.get('x-total-count'), '5');
    assert.equal(page.headers.get('x-limit'), '2');
  }
  assert.equal(pages[2]?.headers.get('link'), null, 'no Link on the last page');
  const link = pages[0]?.headers.get('link') ?? '';
  assert.match(link, /offset=2/);

  // A window on last_updated: from inclusive, to exclusive; Link repeats the filters.
  const from = created[2]?.lastUpdated.toISOString() ?? '';
  const to = created[4]?.lastUpdated.toISOString() ?? '';
  const windowed = await crawl(s.emsp, `${url}?date_from=${encodeURIComponent(from)}&limit=1`);
  assert.deepEqual(windowed.map(ids), [['LOC2'], ['LOC3'], ['LOC4'], ['LOC5']], 'date_from keeps LOC3..5 and the renamed LOC2, still in creation order');
  assert.equal(windowed[0]?.headers.get('x-total-count'), '4');
  assert.match(windowed[0]?.headers.get('link') ?? '', /date_from=/);
  const closed = await crawl(s.emsp, `${url}?date_from=${encodeURIComponent(from)}&date_to=${encodeURIComponent(to)}`);
  assert.deepEqual(closed.map(ids), [['LOC3', 'LOC4']], 'date_to is exclusive');
  const bad = await s.emsp.call('GET', `${url}?date_from=yesterday`);
  assert.deepEqual([bad.status, bad.body.status_code], [200, 2001]);

  // The other CPO party, addressed by the routing headers, sees only its own.
  const be = await crawl(s.emsp, url, { 'ocpi-to-country-code': 'BE', 'ocpi-to-party-id': 'OTH', 'ocpi-from-country-code': s.emsp.countryCode, 'ocpi-from-party-id': s.emsp.partyId });
  assert.deepEqual(be.map(ids), [['BE1']]);
  const leak = await s.emsp.call('GET', `${url}/BE1`);
  assert.deepEqual([leak.status, leak.body.status_code], [404, 2000], 'a single GET is filtered by party too');
});
