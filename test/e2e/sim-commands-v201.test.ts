/**
 * The simulator answers the CSMS like a real 2.0.1 station, driven through Joule's REST API commands:
 * RequestStart/StopTransaction start and stop a real simulated session (stored by Joule), SetChargingProfile
 * limits its power, Get/SetVariables work on its device model (OCPPCommCtrlr incl. the back-off variables;
 * WebSocketPingInterval negative → Rejected), ChangeAvailability changes connector status, TriggerMessage sends
 * the message, ReserveNow/CancelReservation, UnlockConnector, GetBaseReport → NotifyReport (stored by Joule),
 * and Reset reboots (connection closed, BootNotification again).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { PASSWORD, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { accepted, expectCommand, simStation, stopStations, variablesOf } from './sim-support.ts';

afterEach(stopStations);

const ID = 'SIMC-201';
const TOKEN = { idToken: 'CMD-TAG', type: 'ISO14443' };

forEachDatabase('simulated 2.0.1 station answers Joule REST commands statefully', async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 300 });
  await withApp(app, async () => {
    await registerStation(app, ID);
    await app.repos.tokens.upsert({ idToken: TOKEN.idToken, type: 'ISO14443', status: 'Accepted' });
    const station = simStation({ identity: ID, version: 'ocpp2.0.1', password: PASSWORD, evses: 2, meterIntervalS: 0.2, maxPowerW: 22_000 }, app);
    await accepted(station);
    const evse1 = station.evse(1) ?? assert.fail('EVSE 1');

    // RequestStartTransaction: a real session, known to Joule with its remoteStartId.
    await expectCommand(app, ID, 'start-transaction', { idToken: TOKEN, evseId: 1, remoteStartId: 7 }, 'Accepted');
    const session = await eventually(() => evse1.session, 'the remote-started session');
    assert.equal(session.remoteStartId, 7);
    const started = await eventually(() => app.repos.transactions.get(ID, session.transactionId), 'the transaction at Joule');
    assert.equal(started.remoteStartId, 7);
    assert.equal(session.energy.powerW, 22_000);

    // SetChargingProfile: a TxProfile of 3.68 kW limits the simulated power at once.
    const profile = {
      id: 11,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId: session.transactionId,
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3680 }] }],
    };
    await expectCommand(app, ID, 'set-charging-profile', { evseId: 1, profile }, 'Accepted');
    assert.equal(session.energy.powerW, 3680);
    const withoutTx = { ...profile, id: 12, transactionId: 'no-such-transaction' };
    await expectCommand(app, ID, 'set-charging-profile', { evseId: 1, profile: withoutTx }, 'Rejected');

    // UnlockConnector during a session: 2.0.1 refuses (F05.FR.02).
    await expectCommand(app, ID, 'unlock-connector', { evseId: 1, connectorId: 1 }, 'OngoingAuthorizedTransaction');

    // RequestStopTransaction: the session ends, Joule stores it completed with reason Remote.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expectCommand(app, ID, 'stop-transaction', { transactionId: session.transactionId }, 'Accepted');
    const ended = await eventually(async () => {
      const tx = await app.repos.transactions.get(ID, session.transactionId);
      return tx?.state === 'completed' ? tx : undefined;
    }, 'the stopped transaction');
    assert.equal(ended.stopReason, 'Remote');
    assert.ok((ended.energyWh ?? 0) > 0);
    assert.equal(evse1.session, undefined);
    await expectCommand(app, ID, 'stop-transaction', { transactionId: session.transactionId }, 'Rejected');
    await expectCommand(app, ID, 'unlock-connector', { evseId: 1, connectorId: 1 }, 'Unlocked');

    // Get/SetVariables on the device model, OCPPCommCtrlr included.
    const comm = (variable: string, value?: string): Record<string, string> => ({ component: 'OCPPCommCtrlr', variable, ...(value === undefined ? {} : { value }) });
    const got = variablesOf(await expectCommand(app, ID, 'get-variables', { variables: [comm('RetryBackOffWaitMinimum'), comm('HeartbeatInterval'), { component: 'NoSuchCtrlr', variable: 'X' }] }, null));
    assert.equal(got.get('RetryBackOffWaitMinimum')?.value, '10');
    assert.equal(got.get('HeartbeatInterval')?.value, '300', 'the interval of the boot answer');
    assert.equal(got.get('X')?.status, 'UnknownComponent');
    const set = variablesOf(await expectCommand(app, ID, 'set-variables', { variables: [comm('RetryBackOffWaitMinimum', '3'), comm('RetryBackOffRepeatTimes', '2'), comm('WebSocketPingInterval', '-5')] }, null));
    assert.equal(set.get('RetryBackOffWaitMinimum')?.status, 'Accepted');
    assert.equal(set.get('RetryBackOffRepeatTimes')?.status, 'Accepted');
    assert.equal(set.get('WebSocketPingInterval')?.status, 'Rejected', 'Part 4 §8: a negative ping interval is rejected');
    assert.equal(station.model.numberOf('backoffWaitMinimum'), 3);
    const reread = variablesOf(await expectCommand(app, ID, 'get-variables', { variables: [comm('RetryBackOffWaitMinimum'), comm('WebSocketPingInterval')] }, null));
    assert.equal(reread.get('RetryBackOffWaitMinimum')?.value, '3');
    assert.equal(reread.get('WebSocketPingInterval')?.value, '0', 'unchanged after the rejected value');

    // ChangeAvailability: EVSE 2 becomes Unavailable at Joule; Operative brings it back.
    await expectCommand(app, ID, 'change-availability', { operational: false, evseId: 2 }, 'Accepted');
    const connectorStatus = async (evseId: number): Promise<string | undefined> => (await app.repos.stations.listConnectors(ID)).find((c) => c.evseId === evseId)?.status;
    await eventually(async () => ((await connectorStatus(2)) === 'Unavailable' ? true : undefined), 'EVSE 2 Unavailable at Joule');
    await expectCommand(app, ID, 'change-availability', { operational: true, evseId: 2 }, 'Accepted');
    await eventually(async () => ((await connectorStatus(2)) === 'Available' ? true : undefined), 'EVSE 2 Available again');

    // TriggerMessage: the StatusNotification asked for is sent again though nothing changed.
    const statuses: string[] = [];
    station.events.on('status', (evseId, connectorId, status) => statuses.push(`${evseId}/${connectorId} ${status}`));
    await expectCommand(app, ID, 'trigger-message', { message: 'StatusNotification', evseId: 1, connectorId: 1 }, 'Accepted');
    await eventually(() => (statuses.includes('1/1 Available') ? true : undefined), 'the triggered StatusNotification');

    // ReserveNow / CancelReservation: the connector is Reserved at Joule, then Available.
    const reservation = await expectCommand(app, ID, 'reserve-now', { idToken: TOKEN, expiry: new Date(Date.now() + 3_600_000).toISOString(), evseId: 1 }, 'Accepted');
    const reservationId = Number(reservation.result?.reservationId);
    assert.equal(evse1.reservation?.id, reservationId);
    await eventually(async () => ((await connectorStatus(1)) === 'Reserved' ? true : undefined), 'EVSE 1 Reserved at Joule');
    await expectCommand(app, ID, 'cancel-reservation', { reservationId }, 'Accepted');
    assert.equal(evse1.reservation, undefined);
    await eventually(async () => ((await connectorStatus(1)) === 'Available' ? true : undefined), 'EVSE 1 Available after the cancellation');
    await expectCommand(app, ID, 'cancel-reservation', { reservationId }, 'Rejected');

    // GetBaseReport → NotifyReport: Joule stores the device model, with the value set above.
    await expectCommand(app, ID, 'get-base-report', { reportBase: 'FullInventory', requestId: 5 }, 'Accepted');
    const stored = await eventually(async () => {
      const [variable] = await app.repos.deviceModel.list(ID, { component: 'OCPPCommCtrlr', variable: 'RetryBackOffWaitMinimum' });
      return variable;
    }, 'the reported device model at Joule');
    assert.equal(stored.value, '3');

    // Reset: the station reboots: connection closed, back after its reboot delay with a new BootNotification.
    const boots: string[] = [];
    station.events.on('boot', (status) => boots.push(status));
    let rebooted = false;
    station.events.on('rebooting', () => (rebooted = true));
    await expectCommand(app, ID, 'reset', { type: 'Immediate' }, 'Accepted');
    await eventually(() => (rebooted && boots.includes('Accepted') && station.online ? true : undefined), 'the reboot and the new boot');
    const afterReset = await app.repos.stations.get(ID);
    assert.equal(afterReset?.connected, true);
  });
});
