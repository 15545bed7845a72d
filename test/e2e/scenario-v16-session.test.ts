/**
 * Scenario: a 1.6 charge point's whole session, with resent messages: the real app on real storage, driven by the
 * real station client over a socket.
 * Section numbers refer to OCPP 1.6 Edition 2 and its errata (see the requirements digest).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { RequestOf } from '../../src/protocol/generated/index.ts';
import { forEachDatabase } from '../support/db.ts';
import { at, closeAll, connectStation, registerStation, startApp, storedTransaction, withApp } from './scenario-support.ts';

type MeterValuesRequest = RequestOf<'ocpp1.6', 'MeterValues'>;

const BOOT = { chargePointVendor: 'Joule', chargePointModel: 'J-16', chargePointSerialNumber: 'SN-16', firmwareVersion: '2.0' };

afterEach(closeAll);

/** Periodic values of transaction `transactionId`: the register in kWh plus a current sample. */
function periodic(transactionId: number, seconds: number, kwh: string): MeterValuesRequest {
  return {
    connectorId: 1,
    transactionId,
    meterValue: [{
      timestamp: at(seconds),
      sampledValue: [
        { value: kwh, measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic' },
        { value: '16.0', measurand: 'Current.Import', unit: 'A', phase: 'L1', context: 'Sample.Periodic' },
      ],
    }],
  };
}

forEachDatabase('1.6 boot → status → authorize → start → meter values → stop: exact energy, retried messages not counted twice (§4.2, §4.8, §4.10, §3.7)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CP-16');
    await app.repos.tokens.upsert({ idToken: 'RFID-1', type: 'ISO14443', status: 'Accepted', groupId: 'PARENT-1', expiry: new Date('2031-05-01T00:00:00Z') });
    const station = await connectStation(app, 'CP-16', 'ocpp1.6');

    const boot = await station.boot(BOOT);
    assert.equal(boot.response.status, 'Accepted');
    assert.equal((await app.repos.stations.get('CP-16'))?.serialNumber, 'SN-16');

    await station.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: at(-5) });
    const [connector] = await app.repos.stations.listConnectors('CP-16');
    assert.deepEqual([connector?.evseId, connector?.connectorId, connector?.status, connector?.ocppStatus, connector?.errorCode], [1, 1, 'Occupied', 'Preparing', null]);

    const auth = await station.call('Authorize', { idTag: 'RFID-1' });
    assert.deepEqual(auth.idTagInfo, { status: 'Accepted', parentIdTag: 'PARENT-1', expiryDate: '2031-05-01T00:00:00.000Z' });

    // meterStart is the lifetime register in Wh (§3.6).
    const start = { connectorId: 1, idTag: 'RFID-1', meterStart: 5_000_000, timestamp: at(0) };
    const started = await station.call('StartTransaction', start);
    assert.equal(started.idTagInfo.status, 'Accepted');
    assert.ok(Number.isInteger(started.transactionId) && started.transactionId > 0);
    // A StartTransaction the station resends (no answer seen) gets the same id (§3.7).
    assert.equal((await station.call('StartTransaction', start)).transactionId, started.transactionId);
    const id = started.transactionId;

    await station.call('MeterValues', periodic(id, 60, '5001.2'));
    await station.call('MeterValues', periodic(id, 60, '5001.2')); // resent: a duplicate
    await station.call('MeterValues', periodic(id, 120, '5003.75'));
    const running = await storedTransaction(app, 'CP-16', String(id));
    assert.equal(running.state, 'active');
    assert.equal(running.energyWh, 3750);

    const stop = {
      transactionId: id, meterStop: 5_004_321, timestamp: at(180), idTag: 'RFID-1',
      transactionData: [
        { timestamp: at(0), sampledValue: [{ value: '5000.000', unit: 'kWh' as const, context: 'Transaction.Begin' as const }] },
        { timestamp: at(180), sampledValue: [{ value: '5004321', context: 'Transaction.End' as const }] },
      ],
    };
    const stopped = await station.call('StopTransaction', stop);
    assert.equal(stopped.idTagInfo?.status, 'Accepted');
    await station.call('StopTransaction', stop); // resent

    const tx = await storedTransaction(app, 'CP-16', String(id));
    assert.equal(tx.state, 'completed');
    assert.deepEqual([tx.meterStartWh, tx.meterStopWh, tx.energyWh], [5_000_000, 5_004_321, 4321]);
    assert.equal(tx.stopReason, 'Local'); // J-errata 2.5: no reason = Local
    assert.deepEqual([tx.idToken, tx.idTokenType, tx.evseId, tx.connectorId], ['RFID-1', 'ISO14443', 1, 1]);
    assert.equal(tx.stoppedAt?.toISOString(), at(180));
    // 2 periodic messages × 2 samples + 2 transactionData samples; the resent ones are not stored again.
    assert.equal((await app.repos.meterValues.listForTransaction(tx.id)).length, 6);
    assert.equal((await app.repos.transactions.list({ stationId: 'CP-16' })).length, 1);
  });
});
