/** OCPI Locations Sender, 2.1.1 shapes against a real 2.1.1 eMSP over HTTP. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { DETAILS, ids, setup, TYPE2 } from './locations-fixtures.ts';

type Json = Record<string, unknown>;

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

  // Pushes to a 2.1.1 partner carry the 2.1.1 shapes; the unpublished location is never pushed.
  const pushed = await eventually(() => s.emsp.requestsTo('locations').find((r) => r.method === 'PUT' && r.path.endsWith('/LOC1/CS-1-1')), 'the EVSE PUT');
  assert.equal(pushed.path, '/2.1.1/locations/NL/JOU/LOC1/CS-1-1');
  assert.equal((((pushed.body as Json).connectors as Json[])[0] as Json).voltage, 230);
  const locationPut = s.emsp.requestsTo('locations').find((r) => r.path === '/2.1.1/locations/NL/JOU/LOC1');
  assert.equal((locationPut?.body as Json).type, 'OTHER');
  const tariffPut = await eventually(() => s.emsp.requestsTo('tariffs').find((r) => r.method === 'PUT'), 'the tariff PUT');
  assert.ok(!('country_code' in (tariffPut.body as Json)));
  assert.ok(s.emsp.requestsTo('locations').every((r) => !r.path.includes('HIDDEN')));
});
