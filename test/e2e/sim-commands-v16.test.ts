/**
 * The simulator answers the CSMS like a real 1.6 charge point, driven through Joule's REST API commands:
 * RemoteStart/StopTransaction start and stop a real simulated session (stored by Joule under the transactionId
 * Joule assigned), SetChargingProfile limits its power, Get/ChangeConfiguration work on its configuration keys
 * (RetryBackOff* included; WebSocketPingInterval negative → Rejected, unknown key → NotSupported),
 * ChangeAvailability, TriggerMessage, ReserveNow/CancelReservation, UnlockConnector, the 1.6 form of GetBaseReport
 * (GetConfiguration of every key) and Reset (reboot, BootNotification again).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { PASSWORD, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { accepted, command, expectCommand, simStation, stopStations, variablesOf } from './sim-support.ts';

afterEach(stopStations);

const ID = 'SIMC-16';
const TOKEN = { idToken: 'CMD16-TAG' };

forEachDatabase('simulated 1.6 charge point answers Joule REST commands statefully', async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 300 });
  await withApp(app, async () => {
    await registerStation(app, ID);
    await app.repos.tokens.upsert({ idToken: TOKEN.idToken, type: 'ISO14443', status: 'Accepted' });
    const station = simStation({ identity: ID, version: 'ocpp1.6', password: PASSWORD, evses: 2, meterIntervalS: 0.2, maxPowerW: 22_000 }, app);
    await accepted(station);
    const connector1 = station.evse(1) ?? assert.fail('connector 1');

    // RemoteStartTransaction: a real session; Joule assigns the transactionId in StartTransaction's answer.
    await expectCommand(app, ID, 'start-transaction', { idToken: TOKEN, evseId: 1 }, 'Accepted');
    const session = await eventually(() => (connector1.session?.legacyId !== undefined ? connector1.session : undefined), 'the remote-started session with its transactionId');
    const transactionId = String(session.legacyId);
    await eventually(() => app.repos.transactions.get(ID, transactionId), 'the transaction at Joule');

    // SetChargingProfile (TxProfile of the running transaction) limits the power.
    const profile = {
      chargingProfileId: 21,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId: session.legacyId,
      chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3680 }] },
    };
    await expectCommand(app, ID, 'set-charging-profile', { evseId: 1, profile }, 'Accepted');
    assert.equal(session.energy.powerW, 3680);
    await expectCommand(app, ID, 'set-charging-profile', { evseId: 2, profile: { ...profile, chargingProfileId: 22, transactionId: undefined } }, 'Rejected');

    // RemoteStopTransaction: stopped with reason Remote, energy stored.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expectCommand(app, ID, 'stop-transaction', { transactionId }, 'Accepted');
    const ended = await eventually(async () => {
      const tx = await app.repos.transactions.get(ID, transactionId);
      return tx?.state === 'completed' ? tx : undefined;
    }, 'the stopped transaction');
    assert.equal(ended.stopReason, 'Remote');
    assert.ok((ended.energyWh ?? 0) > 0);
    assert.equal(connector1.session, undefined);

    // Get/ChangeConfiguration on the configuration keys.
    const key = (variable: string, value?: string): Record<string, string> => ({ component: 'OCPP16', variable, ...(value === undefined ? {} : { value }) });
    const got = variablesOf(await expectCommand(app, ID, 'get-variables', { variables: [key('HeartbeatInterval'), key('RetryBackOffWaitMinimum'), key('NumberOfConnectors')] }, null));
    assert.equal(got.get('HeartbeatInterval')?.value, '300');
    assert.equal(got.get('RetryBackOffWaitMinimum')?.value, '10');
    assert.equal(got.get('NumberOfConnectors')?.value, '2');
    const set = variablesOf(await expectCommand(app, ID, 'set-variables', { variables: [key('RetryBackOffWaitMinimum', '4'), key('WebSocketPingInterval', '-1'), key('NoSuchKey', '1')] }, null));
    assert.equal(set.get('RetryBackOffWaitMinimum')?.status, 'Accepted');
    assert.equal(set.get('WebSocketPingInterval')?.status, 'Rejected');
    assert.equal(set.get('NoSuchKey')?.status, 'NotSupported');
    assert.equal(station.model.numberOf('backoffWaitMinimum'), 4);

    // GetBaseReport on 1.6: every key through GetConfiguration, with the value set above.
    const report = variablesOf(await expectCommand(app, ID, 'get-base-report', { reportBase: 'FullInventory' }, null));
    assert.equal(report.get('RetryBackOffWaitMinimum')?.value, '4');
    assert.ok(report.size > 20, `every key reported, got ${report.size}`);

    // ChangeAvailability of connector 2 → Unavailable at Joule, then back.
    const connectorStatus = async (evseId: number): Promise<string | undefined> => (await app.repos.stations.listConnectors(ID)).find((c) => c.evseId === evseId)?.status;
    await expectCommand(app, ID, 'change-availability', { operational: false, evseId: 2 }, 'Accepted');
    await eventually(async () => ((await connectorStatus(2)) === 'Unavailable' ? true : undefined), 'connector 2 Unavailable at Joule');
    await expectCommand(app, ID, 'change-availability', { operational: true, evseId: 2 }, 'Accepted');
    await eventually(async () => ((await connectorStatus(2)) === 'Available' ? true : undefined), 'connector 2 Available again');

    // TriggerMessage StatusNotification for connector 1.
    const statuses: string[] = [];
    station.events.on('status', (evseId, _connectorId, status) => statuses.push(`${evseId} ${status}`));
    await expectCommand(app, ID, 'trigger-message', { message: 'StatusNotification', evseId: 1 }, 'Accepted');
    await eventually(() => (statuses.includes('1 Available') ? true : undefined), 'the triggered StatusNotification');

    // ReserveNow / CancelReservation.
    const reservation = await expectCommand(app, ID, 'reserve-now', { idToken: TOKEN, expiry: new Date(Date.now() + 3_600_000).toISOString(), evseId: 1 }, 'Accepted');
    const reservationId = Number(reservation.result?.reservationId);
    assert.equal(connector1.reservation?.id, reservationId);
    await eventually(async () => ((await connectorStatus(1)) === 'Reserved' ? true : undefined), 'connector 1 Reserved at Joule');
    await expectCommand(app, ID, 'cancel-reservation', { reservationId }, 'Accepted');
    assert.equal(connector1.reservation, undefined);
    await eventually(async () => ((await connectorStatus(1)) === 'Available' ? true : undefined), 'connector 1 Available after the cancellation');

    await expectCommand(app, ID, 'unlock-connector', { evseId: 1, connectorId: 1 }, 'Unlocked');
    assert.equal((await command(app, ID, 'unlock-connector', { evseId: 9, connectorId: 1 })).body.status, 'NotSupported');

    // Reset: reboot and BootNotification again.
    const boots: string[] = [];
    station.events.on('boot', (status) => boots.push(status));
    let rebooted = false;
    station.events.on('rebooting', () => (rebooted = true));
    await expectCommand(app, ID, 'reset', { type: 'Immediate' }, 'Accepted');
    await eventually(() => (rebooted && boots.includes('Accepted') && station.online ? true : undefined), 'the reboot and the new boot');
  });
});
