/**
 * OCPI Sessions and CDRs for a 2.1.1 partner: a full charge pushed and listed in the 2.1.1 shapes (start_datetime,
 * auth_id, embedded location, numeric cost).
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { at, closeAll, connectStation, eventually, registerStation } from '../e2e/scenario-support.ts';
import { DETAILS, setup, TARIFF, TYPE2, type Setup } from './locations-fixtures.ts';
import { charge201 } from './sessions-fixtures.ts';
import type { EmspVersion, ReceivedRequest } from './support/emsp.ts';

type Json = Record<string, unknown>;
const Z = (seconds: number): string => at(seconds).replace('.000Z', 'Z');

async function chargeAtLocation(s: Setup, version: EmspVersion, transactionId = 'TX-S'): Promise<void> {
  await s.app.catalog.tariffs.put({ ...TARIFF, id: 'T-E', minPrice: null, elements: [{ priceComponents: [{ type: 'ENERGY', price: 0.3, vat: 20, stepSize: 1 }] }] });
  await registerStation(s.app, 'CS-S');
  await s.app.catalog.locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  await s.app.catalog.locations.putEvse('LOC1', { stationId: 'CS-S', evseId: 1, connectors: [{ ...TYPE2, connectorId: 1, tariffIds: ['T-E'] }] });
  const token =
    version === '2.2.1'
      ? { country_code: 'DE', party_id: 'EMS', uid: 'TAG-S', type: 'RFID', contract_id: 'DE-EMS-CS', issuer: 'Test eMSP', valid: true, whitelist: 'ALLOWED', last_updated: '2026-01-01T10:00:00Z' }
      : { uid: 'TAG-S', type: 'RFID', auth_id: 'DE-EMS-CS', issuer: 'Test eMSP', valid: true, whitelist: 'ALLOWED', last_updated: '2026-01-01T10:00:00Z' };
  assert.equal((await s.emsp.call('PUT', `${s.url('tokens')}/DE/EMS/TAG-S`, token)).status, 201);
  const station = await connectStation(s.app, 'CS-S', 'ocpp2.0.1');
  await station.boot(BOOT);
  const [started, updated, ended] = charge201(transactionId, { idToken: 'TAG-S', type: 'ISO14443' });
  await station.callRaw('TransactionEvent', started!);
  await station.callRaw('TransactionEvent', updated!);
  await s.app.roaming.sessions.idle();
  if (version === '2.2.1') {
    // Preferences while the session runs: plain REGULAR is what happens anyway; anything else cannot be honoured.
    const [session] = (await s.app.roaming.sessions.listSessions({ offset: 0, limit: 1 })).items;
    const prefs = `${s.url('sessions')}/${session?.id ?? ''}/charging_preferences`;
    assert.equal((await s.emsp.call('PUT', prefs, { profile_type: 'REGULAR' })).body.data, 'ACCEPTED');
    assert.equal((await s.emsp.call('PUT', prefs, { profile_type: 'FAST', energy_need: 20 })).body.data, 'NOT_POSSIBLE');
    assert.equal((await s.emsp.call('PUT', prefs, { profile_type: 'TURBO' })).body.status_code, 2001);
    assert.equal((await s.emsp.call('PUT', `${s.url('sessions')}/NOPE/charging_preferences`, { profile_type: 'REGULAR' })).status, 404);
  }
  await station.callRaw('TransactionEvent', ended!);
  await s.app.roaming.sessions.idle();
}

forEachDatabase('Sessions and CDRs 2.1.1: pushed and listed in 2.1.1 shape (start_datetime, auth_id, embedded location, numeric cost)', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(async () => {
    await closeAll();
    await s.close();
  });
  await chargeAtLocation(s, '2.1.1');
  const session = (await eventually(() => s.emsp.requestsTo('sessions').find((r) => r.method === 'PUT' && (r.body as Json).status === 'COMPLETED'), 'COMPLETED session')) as ReceivedRequest;
  const body = session.body as Json;
  assert.equal(session.path, `/2.1.1/sessions/NL/JOU/${body.id as string}`);
  assert.deepEqual([body.start_datetime, body.end_datetime, body.kwh, body.auth_id, body.auth_method, body.total_cost, body.currency], [Z(0), Z(120), 12.289, 'DE-EMS-CS', 'WHITELIST', 3.6867, 'EUR']);
  assert.equal(body.cdr_token, undefined);
  assert.deepEqual(body.charging_periods, [{ start_date_time: Z(0), dimensions: [{ type: 'ENERGY', volume: 12.289 }, { type: 'TIME', volume: 0.0333 }] }], 'no tariff_id in 2.1.1');
  const location = body.location as Json;
  assert.deepEqual([location.id, location.address, location.postal_code, (location.evses as Json[])[0]?.uid], ['LOC1', 'Stationsplein 1', '3511 ED', 'CS-S-1']);
  assert.equal(s.emsp.requestsTo('sessions').some((r) => r.method === 'PATCH'), false, '2.1.1 partners get whole objects');

  const cdr = ((await eventually(() => s.emsp.requestsTo('cdrs').find((r) => r.method === 'POST'), 'CDR push')) as ReceivedRequest).body as Json;
  assert.deepEqual([cdr.start_date_time, cdr.stop_date_time, cdr.total_energy, cdr.total_cost, cdr.auth_id], [Z(0), Z(120), 12.289, 3.6867, 'DE-EMS-CS']);
  assert.equal(cdr.end_date_time, undefined);
  assert.equal(cdr.cdr_location, undefined);
  const listed = await s.emsp.call('GET', s.url('cdrs'));
  assert.deepEqual((listed.body.data as Json[])[0], cdr);
  const sessions = await s.emsp.call('GET', s.url('sessions'));
  assert.equal(((sessions.body.data as Json[])[0] as Json).start_datetime, Z(0));
});
