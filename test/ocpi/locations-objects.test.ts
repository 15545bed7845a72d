/** OCPI Locations Sender, 2.2.1 single-object GETs (location, EVSE, connector) and their shapes; 404s. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { DETAILS, setup, TYPE2 } from './locations-fixtures.ts';

type Json = Record<string, unknown>;

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
