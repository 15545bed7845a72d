/**
 * Roaming in the domain, without OCPI transport: a 1.6 charge with a partner token becomes a Session and CDR, and
 * remote starts (PENDING session tied to its transaction, timeout to INVALID, refusal) and reservations (RESERVATION
 * session continued by the charge, or COMPLETED at expiry) with a real 2.0.1 station.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { RoamingCommand } from '../../src/domain/roaming/model.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT } from '../e2e/scenario-fixtures.ts';
import { at, closeAll, connectStation, eventually, registerStation, startApp, withApp } from '../e2e/scenario-support.ts';
import { charge201, partnerToken, scriptedStation } from './sessions-fixtures.ts';

afterEach(closeAll);

const ALL_PAGES = { offset: 0, limit: 100 };

forEachDatabase('a 1.6 charge with a partner token becomes a session and a CDR (meterStart / meterStop)', async (env) => {
  const app = await startApp(env, { 'ocpi.enabled': false });
  await withApp(app, async () => {
    await registerStation(app, 'CS-16');
    await app.roaming.tokens.put(partnerToken('EMSP-16', 'ALLOWED'));
    const station = await connectStation(app, 'CS-16', 'ocpp1.6');
    await station.callRaw('BootNotification', { chargePointVendor: 'Joule', chargePointModel: 'J-16' });
    const start = await station.callRaw('StartTransaction', { connectorId: 2, idTag: 'EMSP-16', meterStart: 10_000, timestamp: at(0) });
    assert.equal((start.idTagInfo as { status: string }).status, 'Accepted');
    await station.callRaw('StopTransaction', { transactionId: start.transactionId as number, meterStop: 17_500, timestamp: at(1800), reason: 'EVDisconnected' });
    await app.roaming.sessions.idle();
    const [session] = (await app.roaming.sessions.listSessions(ALL_PAGES)).items;
    assert.equal(session?.status, 'COMPLETED');
    assert.equal(session?.object.kwh, 7.5);
    assert.equal(session?.object.evse_uid, 'CS-16-2');
    const [cdr] = (await app.roaming.sessions.listCdrs(ALL_PAGES)).items;
    assert.equal(cdr?.object.total_energy, 7.5);
    assert.equal(cdr?.object.total_time, 0.5);
  });
});

forEachDatabase('remote start: PENDING session tied to the transaction by remoteStartId; an unstarted one times out to INVALID with TIMEOUT', async (env) => {
  const app = await startApp(env, { 'ocpi.enabled': false, 'ocpi.sessionPendingTimeoutS': 1 });
  await withApp(app, async () => {
    await registerStation(app, 'CS-R');
    const results: { command: RoamingCommand; result: string }[] = [];
    app.roaming.sessions.subscribe({ commandResult: (command, result) => void results.push({ command, result }) });
    const station = await scriptedStation(app, 'CS-R', 'ocpp2.0.1');
    await station.client.boot(BOOT);
    station.answer('RequestStartTransaction', { status: 'Accepted' });
    const emsp = { countryCode: 'DE', partyId: 'EMS' };
    const token = partnerToken('APP-9', 'NEVER', { type: 'APP_USER' });
    const commands = app.roaming.commands!;
    const answer = await commands.startSession(emsp, { responseUrl: 'http://127.0.0.1:9/r/1', token, locationId: 'CS-R', evseUid: 'CS-R-1', authorizationReference: 'AUTH-REF-1' });
    assert.equal(answer.result, 'ACCEPTED');
    const request = await station.next('RequestStartTransaction');
    assert.deepEqual(request.idToken, { idToken: 'APP-9', type: 'Central' });
    assert.equal(request.evseId, 1);
    const remoteStartId = request.remoteStartId as number;
    await app.roaming.sessions.idle();
    const [pending] = (await app.roaming.sessions.listSessions(ALL_PAGES)).items;
    assert.equal(pending?.status, 'PENDING');
    assert.equal(pending?.object.auth_method, 'COMMAND');
    assert.equal(pending?.object.authorization_reference, 'AUTH-REF-1');
    assert.equal(results.length, 0, 'no result before the session starts');

    // The command's token is accepted without asking the eMSP (15 minutes), although it was never pushed.
    const [started, , ended] = charge201('TX-R', { idToken: 'APP-9', type: 'Central' }, { remoteStartId });
    assert.equal(((await station.client.callRaw('TransactionEvent', started!)).idTokenInfo as { status: string }).status, 'Accepted');
    await eventually(() => (results.length === 1 ? true : undefined), 'START_SESSION result');
    assert.equal(results[0]?.result, 'ACCEPTED');
    assert.equal(results[0]?.command.responseUrl, 'http://127.0.0.1:9/r/1');
    await station.client.callRaw('TransactionEvent', ended!);
    await app.roaming.sessions.idle();
    const session = await app.roaming.sessions.getSession(pending!.id);
    assert.equal(session?.status, 'COMPLETED');
    assert.equal(session?.object.kwh, 12.289);
    const [cdr] = (await app.roaming.sessions.listCdrs(ALL_PAGES)).items;
    assert.equal(cdr?.object.auth_method, 'COMMAND');
    assert.equal(cdr?.object.authorization_reference, 'AUTH-REF-1');
    assert.equal(cdr?.object.cdr_token.uid, 'APP-9');

    // The command's token used again within 15 minutes (a re-plug) is still that eMSP's: a COMMAND session.
    const [again] = charge201('TX-R2', { idToken: 'APP-9', type: 'Central' });
    assert.equal(((await station.client.callRaw('TransactionEvent', again!)).idTokenInfo as { status: string }).status, 'Accepted');
    await app.roaming.sessions.idle();
    const replug = (await app.roaming.sessions.listSessions(ALL_PAGES)).items.find((s) => s.id !== pending!.id);
    assert.deepEqual([replug?.status, replug?.object.auth_method, replug?.object.cdr_token.uid, replug?.object.authorization_reference], ['ACTIVE', 'COMMAND', 'APP-9', 'AUTH-REF-1']);

    // A second remote start the EV never follows.
    const second = await commands.startSession(emsp, { responseUrl: 'http://127.0.0.1:9/r/2', token, locationId: 'CS-R' });
    assert.equal(second.result, 'ACCEPTED');
    await station.next('RequestStartTransaction');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await app.roaming.sessions.expirePending();
    await eventually(() => (results.length === 2 ? true : undefined), 'TIMEOUT result');
    assert.equal(results[1]?.result, 'TIMEOUT');
    const invalid = (await app.roaming.sessions.listSessions(ALL_PAGES)).items.find((s) => s.status === 'INVALID');
    assert.equal(invalid?.status, 'INVALID');
    assert.equal(invalid?.object.status, 'INVALID');

    // A refused remote start leaves no session and answers REJECTED.
    station.answer('RequestStartTransaction', { status: 'Rejected' });
    await commands.startSession(emsp, { responseUrl: 'http://127.0.0.1:9/r/3', token, locationId: 'CS-R' });
    await eventually(() => (results.length === 3 ? true : undefined), 'REJECTED result');
    assert.equal(results[2]?.result, 'REJECTED');
    await app.roaming.sessions.idle();
    assert.equal((await app.roaming.sessions.listSessions(ALL_PAGES)).total, 3);
    // Unknown location: answered at once.
    assert.equal((await commands.startSession(emsp, { responseUrl: 'http://127.0.0.1:9/r/4', token, locationId: 'NOPE' })).result, 'UNKNOWN_LOCATION');
  });
});

forEachDatabase('reservation: RESERVATION session continued as ACTIVE by the token’s transaction; an unused one COMPLETED at expiry', async (env) => {
  const app = await startApp(env, { 'ocpi.enabled': false });
  await withApp(app, async () => {
    await registerStation(app, 'CS-V');
    const station = await scriptedStation(app, 'CS-V', 'ocpp2.0.1');
    await station.client.boot(BOOT);
    station.answer('ReserveNow', { status: 'Accepted' });
    const emsp = { countryCode: 'DE', partyId: 'EMS' };
    const commands = app.roaming.commands!;
    const reserve = async (reservationId: string, uid: string, expiry: Date): Promise<void> => {
      const answer = await commands.reserveNow(emsp, { responseUrl: 'http://127.0.0.1:9/r', token: partnerToken(uid, 'NEVER'), expiryDate: expiry, reservationId, locationId: 'CS-V', evseUid: 'CS-V-1' });
      assert.equal(answer.result, 'ACCEPTED');
      await station.next('ReserveNow');
    };
    await reserve('R-1', 'RES-1', new Date(Date.now() + 3_600_000));
    const reservation = await eventually(async () => (await app.roaming.sessions.listSessions(ALL_PAGES)).items.find((s) => s.status === 'RESERVATION'), 'RESERVATION session');
    assert.equal(reservation.object.evse_uid, 'CS-V-1');

    const [started] = charge201('TX-V', { idToken: 'RES-1', type: 'ISO14443' });
    assert.equal(((await station.client.callRaw('TransactionEvent', started!)).idTokenInfo as { status: string }).status, 'Accepted');
    await app.roaming.sessions.idle();
    const continued = await app.roaming.sessions.getSession(reservation.id);
    assert.equal(continued?.status, 'ACTIVE');
    assert.equal(continued?.object.auth_method, 'COMMAND');

    await reserve('R-2', 'RES-2', new Date(Date.now() + 500));
    const unused = await eventually(async () => (await app.roaming.sessions.listSessions(ALL_PAGES)).items.find((s) => s.tokenUid === 'RES-2'), 'second reservation');
    await new Promise((resolve) => setTimeout(resolve, 600));
    await app.roaming.sessions.expirePending();
    const ended = await app.roaming.sessions.getSession(unused.id);
    assert.equal(ended?.status, 'COMPLETED');
    assert.ok(ended?.object.end_date_time);
    assert.equal((await app.roaming.sessions.listCdrs(ALL_PAGES)).total, 0, 'no CDR for a reservation without cost');
  });
});
