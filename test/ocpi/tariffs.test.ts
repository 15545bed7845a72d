/**
 * OCPI Tariffs Sender against a real eMSP over HTTP: paginated pulls with date windows, 2.2.1 and 2.1.1 shapes,
 * and pushes (PUT on create/replace, DELETE on delete, and the EVSE PUT that follows a tariff leaving connectors).
 */
import assert from 'node:assert/strict';
import type { Tariff } from '../../src/domain/tariffs/model.ts';
import { forEachDatabase } from '../support/db.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { crawl, DETAILS, ids, setup, TARIFF, TYPE2 } from './locations-fixtures.ts';

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

forEachDatabase('Tariffs 2.1.1: no owner, type, prices bounds, VAT, current or reservation parts', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(() => s.close());
  const { tariff } = await s.app.catalog.tariffs.put(TARIFF);
  const list = await s.emsp.call('GET', s.url('tariffs'));
  assert.equal(list.body.status_code, 1000);
  assert.deepEqual(list.body.data, [
    {
      id: 'T1',
      currency: 'EUR',
      tariff_alt_text: [{ language: 'en', text: '0.25/kWh' }],
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: 1 }] }, { price_components: [{ type: 'TIME', price: 2, step_size: 60 }], restrictions: { min_duration: 3600 } }],
      last_updated: tariff.lastUpdated.toISOString(),
    },
  ]);
});

forEachDatabase('Tariffs push: PUT on create and replace, DELETE on delete; connectors that listed it are re-sent', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const { tariffs, locations } = s.app.catalog;
  const pushes = (): { method: string; path: string; body: unknown }[] => s.emsp.requestsTo('tariffs');

  await tariffs.put(TARIFF);
  const first = await eventually(() => pushes().find((r) => r.method === 'PUT'), 'the tariff PUT');
  assert.equal(first.path, '/2.2.1/tariffs/NL/JOU/T1');
  assert.equal((first.body as Json).currency, 'EUR');
  await tariffs.put({ ...TARIFF, currency: 'USD' });
  await eventually(() => pushes().find((r) => r.method === 'PUT' && (r.body as Json).currency === 'USD'), 'the replacing PUT');

  await s.app.repos.stations.create({ id: 'CS-1' });
  await locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  await locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 1, connectors: [{ ...TYPE2, connectorId: 1, tariffIds: ['T1'] }] });
  await eventually(() => s.emsp.requestsTo('locations').find((r) => r.path.endsWith('/CS-1-1')), 'the EVSE PUT');
  const evsePuts = (): number => s.emsp.requestsTo('locations').filter((r) => r.path.endsWith('/CS-1-1')).length;
  const before = evsePuts();

  await tariffs.delete('T1');
  const deleted = await eventually(() => pushes().find((r) => r.method === 'DELETE'), 'the tariff DELETE');
  assert.equal(deleted.path, '/2.2.1/tariffs/NL/JOU/T1');
  await eventually(() => (evsePuts() > before ? true : undefined), 'the EVSE PUT without the tariff');
  const last = s.emsp.requestsTo('locations').filter((r) => r.path.endsWith('/CS-1-1')).at(-1);
  const connectors = (last?.body as Json).connectors as Json[];
  assert.ok(!('tariff_ids' in (connectors[0] as Json)));
  // Order per partner: the EVSE update that drops the tariff is enqueued before the DELETE of the tariff.
  const outbox = await s.app.ocpi?.outbox.list({});
  const order = (outbox ?? []).map((e) => `${e.method} ${e.module}${e.path}`).reverse();
  assert.ok(order.lastIndexOf('PUT locations/NL/JOU/LOC1/CS-1-1') < order.lastIndexOf('DELETE tariffs/NL/JOU/T1'), order.join(', '));
  assert.equal(order.filter((o) => o === 'PUT locations/NL/JOU/LOC1/CS-1-1').length, 2);
});
