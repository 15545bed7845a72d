/**
 * Scenario: 1.6 edge cases (orphan stop, samples without a transaction, Pending, notifications): the real app on
 * real storage, driven by the real station client over a socket.
 * Section numbers refer to OCPP 1.6 Edition 2 and its errata (see the requirements digest).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { at, closeAll, connectStation, isSecurityError, registerStation, startApp, withApp } from './scenario-support.ts';

const BOOT = { chargePointVendor: 'Joule', chargePointModel: 'J-16', chargePointSerialNumber: 'SN-16', firmwareVersion: '2.0' };

afterEach(closeAll);

forEachDatabase('1.6 unknown StopTransaction is acknowledged and recorded; MeterValues without a known transaction are kept (§4.10, errata 3.18)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CP-ORPHAN');
    const station = await connectStation(app, 'CP-ORPHAN', 'ocpp1.6');
    await station.boot(BOOT);

    await station.call('MeterValues', { connectorId: 1, transactionId: -1, meterValue: [{ timestamp: at(10), sampledValue: [{ value: '42' }] }] });
    await station.call('MeterValues', { connectorId: 0, meterValue: [{ timestamp: at(11), sampledValue: [{ value: '7.5', unit: 'kWh' }] }] });
    const samples = await app.repos.meterValues.list({ stationId: 'CP-ORPHAN' });
    assert.deepEqual(samples.map((s) => [s.transactionPk, s.value, s.unit]).sort(), [[null, 42, 'Wh'], [null, 7.5, 'kWh']]);

    // A stop for a transaction this CSMS never issued: no idTag, no reason.
    const answer = await station.call('StopTransaction', {
      transactionId: 987654, meterStop: 20_500, timestamp: at(300),
      transactionData: [{ timestamp: at(0), sampledValue: [{ value: '20.0', unit: 'kWh', context: 'Transaction.Begin' }] }],
    });
    assert.deepEqual(answer, {});
    const [orphan] = await app.repos.transactions.list({ stationId: 'CP-ORPHAN' });
    assert.ok(orphan, 'the stop is recorded');
    assert.match(orphan.transactionId, /^orphan:987654:/);
    assert.deepEqual([orphan.state, orphan.stopReason, orphan.energyWh], ['completed', 'Local', 500]);
    // Its id never collides with ids the CSMS issues.
    assert.equal(await app.repos.transactions.get('CP-ORPHAN', '987654'), undefined);
  });
});

forEachDatabase('1.6 Pending until the operator accepts; unknown idTag is Invalid (J-errata 3.8, §4.2, §4.1)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CP-PEND', { registrationStatus: 'Pending' });
    const station = await connectStation(app, 'CP-PEND', 'ocpp1.6');
    assert.equal((await station.boot(BOOT)).response.status, 'Pending');
    await assert.rejects(station.call('StartTransaction', { connectorId: 1, idTag: 'X', meterStart: 0, timestamp: at(0) }), isSecurityError);
    await assert.rejects(station.call('Heartbeat', {}), isSecurityError);

    await app.repos.stations.update('CP-PEND', { registrationStatus: 'Accepted' });
    assert.equal((await station.boot(BOOT)).response.status, 'Accepted');
    assert.equal((await station.call('Authorize', { idTag: 'NOBODY' })).idTagInfo.status, 'Invalid');
    assert.deepEqual(await station.call('DataTransfer', { vendorId: 'com.example', data: 'x' }), { status: 'UnknownVendorId' });
    assert.equal((await station.call('SignCertificate', { csr: 'CSR' })).status, 'Rejected');
    assert.deepEqual(await station.call('SecurityEventNotification', { type: 'SettingSystemTime', timestamp: at(0) }), {});
    assert.deepEqual(await station.call('DiagnosticsStatusNotification', { status: 'Uploaded' }), {});
    assert.deepEqual(await station.call('FirmwareStatusNotification', { status: 'Installed' }), {});
    assert.deepEqual(await station.call('SignedFirmwareStatusNotification', { status: 'Installed', requestId: 1 }), {});
    assert.deepEqual(await station.call('LogStatusNotification', { status: 'Uploaded', requestId: 2 }), {});
  });
});
