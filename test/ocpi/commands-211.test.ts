/**
 * OCPI Commands 2.1.1 end to end on a 1.6 station: START_SESSION → RemoteStartTransaction, the token accepted
 * without real-time authorization, CommandResponse results at response_url, 2.1.1 Session and CDR pushes, integer
 * reservation ids, no CANCEL_RESERVATION.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { at, eventually, registerStation } from '../e2e/scenario-support.ts';
import { publish, received, setup } from './locations-fixtures.ts';
import { scriptedStation } from './sessions-fixtures.ts';
import type { ReceivedRequest } from './support/emsp.ts';

type Json = Record<string, unknown>;

const TOKEN_211 = { uid: 'CARD-7', type: 'RFID', auth_id: 'DE-EMS-C8', issuer: 'Old eMSP', valid: true, whitelist: 'NEVER', last_updated: '2026-01-01T10:00:00Z' };

forEachDatabase('Commands 2.1.1 on a 1.6 station: START_SESSION → RemoteStartTransaction, CommandResponse results, 2.1.1 Session and CDR pushes', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(() => s.close());
  await registerStation(s.app, 'CS-16');
  const evseUid = await publish(s, 'CS-16');
  const station = await scriptedStation(s.app, 'CS-16', 'ocpp1.6');
  await station.client.callRaw('BootNotification', { chargePointVendor: 'Joule', chargePointModel: 'J-16' });
  station.answer('RemoteStartTransaction', { status: 'Accepted' });
  station.answer('RemoteStopTransaction', { status: 'Rejected' });
  station.answer('ReserveNow', { status: 'Occupied' });
  const commands = s.url('commands');
  const results = `${s.emsp.base}/2.1.1/results`;

  const start = await s.emsp.call('POST', `${commands}/START_SESSION`, { response_url: `${results}/start`, token: TOKEN_211, location_id: 'LOC1', evse_uid: evseUid });
  assert.deepEqual(start.body.data, { result: 'ACCEPTED' });
  assert.deepEqual(await station.next('RemoteStartTransaction'), { idTag: 'CARD-7', connectorId: 1 });
  // The station authorizes the remote start's token (accepted without asking the eMSP), then starts.
  assert.equal(((await station.client.callRaw('Authorize', { idTag: 'CARD-7' })).idTagInfo as Json).status, 'Accepted');
  const tx = await station.client.callRaw('StartTransaction', { connectorId: 1, idTag: 'CARD-7', meterStart: 1000, timestamp: at(0) });
  assert.deepEqual((await received(s, '/2.1.1/results/start'))[0]?.body, { result: 'ACCEPTED' });
  const sessionPush = (await eventually(() => s.emsp.requestsTo('sessions').find((r) => r.method === 'PUT' && (r.body as Json).status === 'ACTIVE'), 'ACTIVE session')) as ReceivedRequest;
  const session = sessionPush.body as Json;
  assert.deepEqual([session.auth_id, session.auth_method, (session.location as Json).id], ['DE-EMS-C8', 'AUTH_REQUEST', 'LOC1']);
  assert.equal(session.start_datetime, at(0).replace('.000Z', 'Z'));
  assert.equal(session.cdr_token, undefined);

  // A refused stop is REJECTED (2.1.1 CommandResponse).
  await s.emsp.call('POST', `${commands}/STOP_SESSION`, { response_url: `${results}/stop`, session_id: session.id });
  assert.deepEqual(await station.next('RemoteStopTransaction'), { transactionId: tx.transactionId });
  assert.deepEqual((await received(s, '/2.1.1/results/stop'))[0]?.body, { result: 'REJECTED' });
  await station.client.callRaw('StopTransaction', { transactionId: tx.transactionId as number, meterStop: 8500, timestamp: at(3600) });
  const cdrPush = (await eventually(() => s.emsp.requestsTo('cdrs').find((r) => r.method === 'POST'), 'CDR push')) as ReceivedRequest;
  const cdr = cdrPush.body as Json;
  assert.deepEqual([cdr.stop_date_time, cdr.total_energy, cdr.total_time, cdr.total_cost, cdr.auth_id], [at(3600).replace('.000Z', 'Z'), 7.5, 1, 0, 'DE-EMS-C8']);
  assert.equal((cdr.location as Json).address, 'Stationsplein 1');

  // 2.1.1: integer reservation_id, Occupied → REJECTED; no CANCEL_RESERVATION.
  const reserve = await s.emsp.call('POST', `${commands}/RESERVE_NOW`, { response_url: `${results}/reserve`, token: TOKEN_211, expiry_date: new Date(Date.now() + 600_000).toISOString(), reservation_id: 17, location_id: 'LOC1', evse_uid: evseUid });
  assert.deepEqual(reserve.body.data, { result: 'ACCEPTED' });
  assert.equal((await station.next('ReserveNow')).idTag, 'CARD-7');
  assert.deepEqual((await received(s, '/2.1.1/results/reserve'))[0]?.body, { result: 'REJECTED' });
  assert.deepEqual((await s.emsp.call('POST', `${commands}/CANCEL_RESERVATION`, { response_url: `${results}/c`, reservation_id: '17' })).body.data, { result: 'NOT_SUPPORTED' });
});
