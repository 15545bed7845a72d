/**
 * OCPI Locations Sender against a real eMSP over HTTP: paginated pulls (Link, X-Total-Count, X-Limit, date
 * windows), party filtering of lists and single objects, 2.2.1 and 2.1.1 shapes, and pushes (PUT location, PUT EVSE,
 * PATCH status from a real station's StatusNotification).
 */
import assert from 'node:assert/strict';
import type { Location } from '../../src/domain/locations/model.ts';
import { forEachDatabase } from '../support/db.ts';
import { RawStation } from '../e2e/api-support.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { crawl, DETAILS, ids, setup, TYPE2 } from './locations-fixtures.ts';

type Json = Record<string, unknown>;

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

forEachDatabase('Locations 2.2.1 objects: location, EVSE and connector GETs; 404s', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const { locations } = s.app.catalog;
  await s.app.repos.stations.create({ id: 'CS-1' });
  await locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS, publish: false, publishAllowedTo: [{ visual_number: '12345' }] });
  await locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 1, capabilities: ['RFID_READER', 'PED_TERMINAL'], connectors: [{ ...TYPE2, connectorId: 1 }, { ...TYPE2, connectorId: 2, powerType: 'AC_2_PHASE', maxElectricPower: null }] });
  const url = s.url('locations');

  const one = await s.emsp.call('GET', `${url}/LOC1`);
  assert.equal(one.body.status_code, 1000);
  const loc = one.body.data as Json;
  assert.deepEqual(
    Object.keys(loc).sort(),
    ['address', 'city', 'coordinates', 'country', 'country_code', 'directions', 'evses', 'facilities', 'id', 'last_updated', 'name', 'opening_times', 'operator', 'parking_type', 'party_id', 'postal_code', 'publish', 'publish_allowed_to', 'time_zone'],
  );
  assert.deepEqual([loc.country_code, loc.party_id, loc.publish, loc.parking_type], ['NL', 'JOU', false, 'ALONG_MOTORWAY']);
  assert.deepEqual(loc.coordinates, { latitude: '52.089444', longitude: '5.110278' });
  assert.deepEqual(loc.publish_allowed_to, [{ visual_number: '12345' }]);
  const evse = (loc.evses as Json[])[0] as Json;
  assert.deepEqual([evse.uid, evse.evse_id, evse.status], ['CS-1-1', 'NL*JOU*ECS1*1', 'UNKNOWN']);
  assert.equal(loc.last_updated, evse.last_updated, 'the location carries its newest child time');

  const evseOnly = await s.emsp.call('GET', `${url}/LOC1/CS-1-1`);
  assert.deepEqual(evseOnly.body.data, evse);
  const connector = await s.emsp.call('GET', `${url}/LOC1/CS-1-1/2`);
  assert.deepEqual(connector.body.data, {
    id: '2',
    standard: 'IEC_62196_T2',
    format: 'SOCKET',
    power_type: 'AC_2_PHASE',
    max_voltage: 230,
    max_amperage: 32,
    last_updated: (connector.body.data as Json).last_updated,
  });
  for (const path of ['/NOPE', '/LOC1/NOPE', '/LOC1/CS-1-1/9']) {
    const missing = await s.emsp.call('GET', `${url}${path}`);
    assert.equal(missing.status, 404, path);
  }
});

forEachDatabase('Locations 2.1.1: type, postal_code, voltage/amperage/tariff_id, 2.1.1 enums only, unpublished hidden', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(() => s.close());
  const { locations, tariffs } = s.app.catalog;
  await s.app.repos.stations.create({ id: 'CS-1' });
  await tariffs.put({ id: 'T1', countryCode: 'NL', partyId: 'JOU', currency: 'EUR', type: null, altText: [], altUrl: null, minPrice: null, maxPrice: null, elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1 }] }], startDateTime: null, endDateTime: null, energyMix: null });
  await locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS, postalCode: null });
  await locations.create({ id: 'HIDDEN', countryCode: 'NL', partyId: 'JOU', ...DETAILS, publish: false });
  await locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 1, capabilities: ['RFID_READER', 'PED_TERMINAL'], connectors: [{ ...TYPE2, connectorId: 1, tariffIds: ['T1'], powerType: 'AC_2_PHASE_SPLIT' }] });
  const url = s.url('locations');
  assert.match(url, /\/2\.1\.1\/locations$/);

  const list = await s.emsp.call('GET', url);
  assert.deepEqual(ids(list), ['LOC1']);
  assert.equal(list.headers.get('x-total-count'), '1');
  const loc = (list.body.data as Json[])[0] as Json;
  assert.equal(loc.type, 'OTHER', 'ALONG_MOTORWAY has no 2.1.1 LocationType');
  assert.equal(loc.postal_code, '');
  for (const absent of ['publish', 'country_code', 'party_id', 'parking_type']) assert.ok(!(absent in loc), absent);
  assert.deepEqual(loc.facilities, ['TRAIN_STATION']);
  const evse = (loc.evses as Json[])[0] as Json;
  assert.deepEqual(evse.capabilities, ['RFID_READER']);
  const connector = (evse.connectors as Json[])[0] as Json;
  assert.deepEqual([connector.voltage, connector.amperage, connector.tariff_id, connector.power_type], [230, 32, 'T1', 'AC_1_PHASE']);
  assert.ok(!('max_voltage' in connector) && !('tariff_ids' in connector));
  assert.equal((await s.emsp.call('GET', `${url}/HIDDEN`)).status, 404);
});

forEachDatabase('Locations push: PUT location, PUT EVSE, PATCH status when a real station reports', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const { locations } = s.app.catalog;
  const received = (): { method: string; path: string; body: unknown }[] => s.emsp.requestsTo('locations');
  await s.app.repos.stations.create({ id: 'CS-9', securityProfile: 0, registrationStatus: 'Accepted' });

  await locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  await locations.create({ id: 'BE1', countryCode: 'BE', partyId: 'OTH', ...DETAILS });
  const put = await eventually(() => received().find((r) => r.method === 'PUT'), 'the location PUT');
  assert.equal(put.path, '/2.2.1/locations/NL/JOU/LOC1');
  assert.equal((put.body as Json).id, 'LOC1');

  await locations.putEvse('LOC1', { stationId: 'CS-9', evseId: 1, connectors: [{ ...TYPE2, connectorId: 1 }] });
  const evsePut = await eventually(() => received().find((r) => r.path.endsWith('/LOC1/CS-9-1')), 'the EVSE PUT');
  assert.equal(evsePut.method, 'PUT');
  assert.equal((evsePut.body as Json).status, 'UNKNOWN');

  const station = await RawStation.connect(s.app.port, 'CS-9');
  t.after(() => station.close());
  await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
  const patch = await eventually(() => received().find((r) => r.method === 'PATCH' && (r.body as Json).status === 'CHARGING'), 'the status PATCH');
  assert.equal(patch.path, '/2.2.1/locations/NL/JOU/LOC1/CS-9-1');
  assert.deepEqual(Object.keys(patch.body as Json).sort(), ['last_updated', 'status']);
  const evse = await locations.getEvse('CS-9-1');
  assert.equal((patch.body as Json).last_updated, evse?.evse.lastUpdated.toISOString());

  // Same status again: no second PATCH. Then Available: one more.
  await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
  await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  await eventually(() => received().find((r) => r.method === 'PATCH' && (r.body as Json).status === 'AVAILABLE'), 'the second PATCH');
  const statuses = received()
    .filter((r) => r.method === 'PATCH')
    .map((r) => (r.body as Json).status);
  assert.ok(!statuses.includes('UNKNOWN') || statuses.indexOf('UNKNOWN') < statuses.indexOf('CHARGING'));
  assert.equal(statuses.filter((x) => x === 'CHARGING').length, 1, 'an unchanged status is not pushed again');
  assert.ok(received().every((r) => !r.path.includes('/BE/')), 'the partner talks to NL/JOU only');
});
