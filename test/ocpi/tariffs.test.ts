/**
 * OCPI Tariffs Sender against a real eMSP over HTTP, 2.2.1: paginated pulls with date windows and the full object.
 * 2.1.1: tariffs-211.test.ts; pushes: tariffs-push.test.ts.
 */
import assert from 'node:assert/strict';
import type { Tariff } from '../../src/domain/tariffs/model.ts';
import { forEachDatabase } from '../support/db.ts';
import { crawl, ids, setup, TARIFF } from './locations-fixtures.ts';

type Json = Record<string, unknown>;

forEachDatabase('Tariffs 2.2.1: pages, date windows and the full object (Price objects, VAT, restrictions, type)', async (env, t) => {
  const s = await setup(env, '2.2.1', 2);
  t.after(() => s.close());
  const { tariffs } = s.app.catalog;
  const stored: Tariff[] = [];
  for (const id of ['T1', 'T2', 'T3']) stored.push((await tariffs.put({ ...TARIFF, id })).tariff);
  await tariffs.put({ ...TARIFF, id: 'BE-T', countryCode: 'BE', partyId: 'OTH' });
  const url = s.url('tariffs');

  const pages = await crawl(s.emsp, url);
  assert.deepEqual(pages.map(ids), [['T1', 'T2'], ['T3']]);
  assert.deepEqual(
    pages.map((p) => [p.headers.get('x-total-count'), p.headers.get('x-limit')]),
    [
      ['3', '2'],
      ['3', '2'],
    ],
  );
  const from = stored[1]?.lastUpdated.toISOString() ?? '';
  const to = stored[2]?.lastUpdated.toISOString() ?? '';
  assert.deepEqual((await crawl(s.emsp, `${url}?date_from=${encodeURIComponent(from)}`)).map(ids), [['T2', 'T3']]);
  assert.deepEqual((await crawl(s.emsp, `${url}?date_to=${encodeURIComponent(to)}`)).map(ids), [['T1', 'T2']]);

  const t1 = (pages[0]?.body.data as Json[])[0] as Json;
  assert.deepEqual(t1, {
    country_code: 'NL',
    party_id: 'JOU',
    id: 'T1',
    currency: 'EUR',
    type: 'REGULAR',
    tariff_alt_text: [{ language: 'en', text: '0.25/kWh' }],
    min_price: { excl_vat: 1, incl_vat: 1.21 },
    elements: [
      { price_components: [{ type: 'ENERGY', price: 0.25, vat: 21, step_size: 1 }] },
      { price_components: [{ type: 'TIME', price: 2, vat: 21, step_size: 60 }], restrictions: { min_current: 16, min_duration: 3600 } },
      { price_components: [{ type: 'FLAT', price: 5, step_size: 0 }], restrictions: { reservation: 'RESERVATION' } },
    ],
    last_updated: stored[0]?.lastUpdated.toISOString(),
  });
});
