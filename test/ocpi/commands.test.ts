/**
 * OCPI Commands and ChargingProfiles 2.2.1 end to end: a real eMSP sends every command over HTTP, a real 2.0.1
 * station (scripted answers) receives the OCPP call, and the CommandResult comes back at the eMSP's response_url;
 * the Session and CDR of the remote-started charge are pushed with the command's token.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { at, eventually, registerStation } from '../e2e/scenario-support.ts';
import { publish, received, setup } from './locations-fixtures.ts';
import { charge201, scriptedStation } from './sessions-fixtures.ts';
import type { ReceivedRequest } from './support/emsp.ts';

type Json = Record<string, unknown>;

const TOKEN = { country_code: 'DE', party_id: 'EMS', uid: 'APP-7', type: 'APP_USER', contract_id: 'DE-EMS-C7', issuer: 'Test eMSP', valid: true, whitelist: 'NEVER', last_updated: '2026-01-01T10:00:00Z' };

forEachDatabase('Commands 2.2.1 on a 2.0.1 station: START/STOP_SESSION, charging profiles, RESERVE_NOW, CANCEL_RESERVATION, UNLOCK_CONNECTOR', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  await registerStation(s.app, 'CS-C');
  const evseUid = await publish(s, 'CS-C');
  const station = await scriptedStation(s.app, 'CS-C', 'ocpp2.0.1');
  await station.client.boot(BOOT);
  station.answer('RequestStartTransaction', { status: 'Accepted' });
  station.answer('RequestStopTransaction', { status: 'Accepted' });
  station.answer('ReserveNow', { status: 'Accepted' });
  station.answer('CancelReservation', { status: 'Accepted' });
  station.answer('UnlockConnector', { status: 'Unlocked' });
  station.answer('SetChargingProfile', { status: 'Accepted' });
  station.answer('ClearChargingProfile', { status: 'Accepted' });
  station.answer('GetCompositeSchedule', { status: 'Accepted', schedule: { evseId: 1, duration: 3600, scheduleStart: at(0), chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] } });
  const commands = s.url('commands');
  const results = `${s.emsp.base}/2.2.1/results`;

  // START_SESSION: answered at once, the station gets RequestStartTransaction, the result waits for the transaction.
  const start = await s.emsp.call('POST', `${commands}/START_SESSION`, { response_url: `${results}/start`, token: TOKEN, location_id: 'LOC1', evse_uid: evseUid, connector_id: '1', authorization_reference: 'AR-1' });
  assert.equal(start.body.status_code, 1000);
  assert.equal((start.body.data as Json).result, 'ACCEPTED');
  assert.ok(((start.body.data as Json).timeout as number) > 0);
  const request = await station.next('RequestStartTransaction');
  assert.deepEqual(request.idToken, { idToken: 'APP-7', type: 'Central' });
  assert.equal(request.evseId, 1);
  const pendingPush = (await eventually(() => s.emsp.requestsTo('sessions').find((r) => r.method === 'PUT'), 'PENDING session push')) as ReceivedRequest;
  const pending = pendingPush.body as Json;
  assert.equal(pending.status, 'PENDING');
  assert.deepEqual([pending.location_id, pending.evse_uid, pending.connector_id, pending.auth_method, pending.authorization_reference], ['LOC1', evseUid, '1', 'COMMAND', 'AR-1']);
  assert.equal(pendingPush.path, `/2.2.1/sessions/NL/JOU/${pending.id as string}`);
  assert.equal(s.emsp.received.filter((r) => r.path === '/2.2.1/results/start').length, 0, 'no result before the session starts');

  const [started, updated, ended] = charge201('TX-C', { idToken: 'APP-7', type: 'Central' }, { remoteStartId: request.remoteStartId as number });
  assert.equal(((await station.client.callRaw('TransactionEvent', started!)).idTokenInfo as { status: string }).status, 'Accepted', 'the command token is not re-authorized');
  const [startResult] = await received(s, '/2.2.1/results/start');
  assert.deepEqual(startResult?.body, { result: 'ACCEPTED' });
  assert.equal(startResult?.method, 'POST');
  await station.client.callRaw('TransactionEvent', updated!);
  const sessionId = pending.id as string;

  // Charging profiles on the active session.
  const profiles = s.url('chargingprofiles');
  const set = await s.emsp.call('PUT', `${profiles}/${sessionId}`, { response_url: `${results}/profile-set`, charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 7400 }] } });
  assert.equal((set.body.data as Json).result, 'ACCEPTED');
  const setCall = await station.next('SetChargingProfile');
  assert.equal(setCall.evseId, 1);
  const profile = setCall.chargingProfile as Json;
  assert.deepEqual([profile.chargingProfilePurpose, profile.chargingProfileKind, profile.transactionId], ['TxProfile', 'Relative', 'TX-C']);
  assert.deepEqual((profile.chargingSchedule as Json[])[0]?.chargingSchedulePeriod, [{ startPeriod: 0, limit: 7400 }]);
  assert.deepEqual((await received(s, '/2.2.1/results/profile-set'))[0]?.body, { result: 'ACCEPTED' });
  const active = await s.emsp.call('GET', `${profiles}/${sessionId}?duration=3600&response_url=${encodeURIComponent(`${results}/profile-get`)}`);
  assert.equal((active.body.data as Json).result, 'ACCEPTED');
  assert.deepEqual(await station.next('GetCompositeSchedule'), { evseId: 1, duration: 3600 });
  assert.deepEqual((await received(s, '/2.2.1/results/profile-get'))[0]?.body, {
    result: 'ACCEPTED',
    profile: { start_date_time: at(0).replace('.000Z', 'Z'), charging_profile: { charging_rate_unit: 'W', duration: 3600, charging_profile_period: [{ start_period: 0, limit: 11000 }] } },
  });
  const cleared = await s.emsp.call('DELETE', `${profiles}/${sessionId}?response_url=${encodeURIComponent(`${results}/profile-clear`)}`);
  assert.equal((cleared.body.data as Json).result, 'ACCEPTED');
  assert.deepEqual(await station.next('ClearChargingProfile'), { chargingProfileId: profile.id });
  assert.deepEqual((await received(s, '/2.2.1/results/profile-clear'))[0]?.body, { result: 'ACCEPTED' });
  assert.equal(((await s.emsp.call('PUT', `${profiles}/NOPE`, { response_url: `${results}/x`, charging_profile: { charging_rate_unit: 'A' } })).body.data as Json).result, 'UNKNOWN_SESSION');

  // STOP_SESSION: RequestStopTransaction for the session's transaction; the end brings the CDR with the command's token.
  const stop = await s.emsp.call('POST', `${commands}/STOP_SESSION`, { response_url: `${results}/stop`, session_id: sessionId });
  assert.equal((stop.body.data as Json).result, 'ACCEPTED');
  assert.deepEqual(await station.next('RequestStopTransaction'), { transactionId: 'TX-C' });
  assert.deepEqual((await received(s, '/2.2.1/results/stop'))[0]?.body, { result: 'ACCEPTED' });
  await station.client.callRaw('TransactionEvent', ended!);
  const cdrPush = (await eventually(() => s.emsp.requestsTo('cdrs').find((r) => r.method === 'POST'), 'CDR push')) as ReceivedRequest;
  const cdr = cdrPush.body as Json;
  assert.equal(cdrPush.path, '/2.2.1/cdrs');
  assert.deepEqual(cdr.cdr_token, { country_code: 'DE', party_id: 'EMS', uid: 'APP-7', type: 'APP_USER', contract_id: 'DE-EMS-C7' });
  assert.deepEqual([cdr.auth_method, cdr.authorization_reference, cdr.session_id, cdr.total_energy], ['COMMAND', 'AR-1', sessionId, 12.289]);
  assert.deepEqual((cdr.cdr_location as Json).address, 'Stationsplein 1');
  const unknownStop = await s.emsp.call('POST', `${commands}/STOP_SESSION`, { response_url: `${results}/stop2`, session_id: sessionId });
  assert.equal((unknownStop.body.data as Json).result, 'UNKNOWN_SESSION');

  // RESERVE_NOW twice with the same reservation_id: the same reservation id at the station.
  const expiry = new Date(Date.now() + 3_600_000).toISOString();
  const reserve = await s.emsp.call('POST', `${commands}/RESERVE_NOW`, { response_url: `${results}/reserve`, token: TOKEN, expiry_date: expiry, reservation_id: 'R-1', location_id: 'LOC1', evse_uid: evseUid });
  assert.equal((reserve.body.data as Json).result, 'ACCEPTED');
  const reserveCall = await station.next('ReserveNow');
  assert.deepEqual([reserveCall.evseId, (reserveCall.idToken as Json).idToken], [1, 'APP-7']);
  assert.deepEqual((await received(s, '/2.2.1/results/reserve'))[0]?.body, { result: 'ACCEPTED' });
  // mod_sessions "Reservation": a Session with status RESERVATION.
  const reserved = (await eventually(() => s.emsp.requestsTo('sessions').find((r) => (r.body as Json).status === 'RESERVATION'), 'RESERVATION session')) as ReceivedRequest;
  const reservedId = (reserved.body as Json).id as string;
  assert.deepEqual([(reserved.body as Json).auth_method, (reserved.body as Json).evse_uid, (reserved.body as Json).kwh], ['COMMAND', evseUid, 0]);
  await s.emsp.call('POST', `${commands}/RESERVE_NOW`, { response_url: `${results}/reserve`, token: TOKEN, expiry_date: expiry, reservation_id: 'R-1', location_id: 'LOC1', evse_uid: evseUid });
  assert.equal((await station.next('ReserveNow')).id, reserveCall.id, 'same reservation_id → same reservation');
  await received(s, '/2.2.1/results/reserve', 2);

  // CANCEL_RESERVATION: CancelReservation with our id; the ReserveNow's response_url learns CANCELED_RESERVATION.
  const cancel = await s.emsp.call('POST', `${commands}/CANCEL_RESERVATION`, { response_url: `${results}/cancel`, reservation_id: 'R-1' });
  assert.equal((cancel.body.data as Json).result, 'ACCEPTED');
  assert.deepEqual(await station.next('CancelReservation'), { reservationId: reserveCall.id });
  assert.deepEqual((await received(s, '/2.2.1/results/cancel'))[0]?.body, { result: 'ACCEPTED' });
  assert.deepEqual((await received(s, '/2.2.1/results/reserve', 3))[2]?.body, { result: 'CANCELED_RESERVATION' });
  await eventually(() => s.emsp.requestsTo('sessions').find((r) => (r.body as Json).id === reservedId && (r.body as Json).status === 'COMPLETED'), 'reservation session COMPLETED');
  assert.equal(s.emsp.requestsTo('sessions').filter((r) => (r.body as Json).status === 'RESERVATION').length, 1, 'the same reservation_id again opens no second session');
  await s.emsp.call('POST', `${commands}/CANCEL_RESERVATION`, { response_url: `${results}/cancel-unknown`, reservation_id: 'R-404' });
  assert.equal(((await received(s, '/2.2.1/results/cancel-unknown'))[0]?.body as Json).result, 'UNKNOWN_RESERVATION');

  // UNLOCK_CONNECTOR.
  const unlock = await s.emsp.call('POST', `${commands}/UNLOCK_CONNECTOR`, { response_url: `${results}/unlock`, location_id: 'LOC1', evse_uid: evseUid, connector_id: '1' });
  assert.equal((unlock.body.data as Json).result, 'ACCEPTED');
  assert.deepEqual(await station.next('UnlockConnector'), { evseId: 1, connectorId: 1 });
  assert.deepEqual((await received(s, '/2.2.1/results/unlock'))[0]?.body, { result: 'ACCEPTED' });

  // Failures answered at once: unknown location (2003), bad body (2001), unknown command (NOT_SUPPORTED), station offline (REJECTED).
  const unknown = await s.emsp.call('POST', `${commands}/START_SESSION`, { response_url: `${results}/x`, token: TOKEN, location_id: 'NOWHERE' });
  assert.deepEqual([unknown.status, unknown.body.status_code], [200, 2003]);
  const bad = await s.emsp.call('POST', `${commands}/START_SESSION`, { response_url: `${results}/x`, location_id: 'LOC1' });
  assert.equal(bad.body.status_code, 2001);
  assert.equal(((await s.emsp.call('POST', `${commands}/FLY_TO_MOON`, {})).body.data as Json).result, 'NOT_SUPPORTED');
  await station.client.close();
  await eventually(async () => ((await s.app.repos.stations.get('CS-C'))?.connected === false ? true : undefined), 'station offline');
  const offline = await s.emsp.call('POST', `${commands}/UNLOCK_CONNECTOR`, { response_url: `${results}/x`, location_id: 'LOC1', evse_uid: evseUid, connector_id: '1' });
  assert.equal((offline.body.data as Json).result, 'REJECTED');
});
