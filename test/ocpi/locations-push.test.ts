/**
 * OCPI Locations Sender, pushes to a real eMSP: PUT location, PUT EVSE, and PATCH status when a real station sends
 * StatusNotification.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { RawStation } from '../e2e/api-support.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { DETAILS, setup, TYPE2 } from './locations-fixtures.ts';

type Json = Record<string, unknown>;

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
  // The PATCH carries the EVSE's last_updated of that change (later bumps, e.g. the connection's, may follow it).
  const patchedAt = String((patch.body as Json).last_updated);
  assert.ok(patchedAt > String((evsePut.body as Json).last_updated));
  const evse = await locations.getEvse('CS-9-1');
  assert.ok(evse && patchedAt <= evse.evse.lastUpdated.toISOString());

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
