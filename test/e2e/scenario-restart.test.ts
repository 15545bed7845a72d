/**
 * Scenario: the CSMS restarts in the middle of transactions (a 1.6 and a 2.0.1 station). The stations keep their
 * transaction messages queued while the CSMS is away, reconnect on their own (no new BootNotification, Part 4
 * §5.3) and deliver them; a message resent because its answer was lost is recognised. The storage is persistent:
 * a PGlite data folder, or a PostgreSQL schema when TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { Joule } from '../../src/app.ts';
import type { RequestOf } from '../../src/protocol/generated/index.ts';
import { forEachDatabase } from '../support/db.ts';
import { at, closeAll, connectStation, eventually, freePort, registerStation, startApp, storedTransaction } from './scenario-support.ts';

type TxEvent = RequestOf<'ocpp2.0.1', 'TransactionEvent'>;

afterEach(closeAll);

function energyEvent(eventType: TxEvent['eventType'], seqNo: number, seconds: number, wh: number, offline = false): TxEvent {
  return {
    eventType,
    seqNo,
    offline,
    timestamp: at(seconds),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    transactionInfo: { transactionId: 'TX-R', ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' as const } : {}) },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'TAG-R', type: 'ISO14443' as const } } : {}),
    meterValue: [{ timestamp: at(seconds), sampledValue: [{ value: wh, unitOfMeasure: { unit: 'Wh' } }] }],
  };
}

forEachDatabase('CSMS restarted in the middle of a 1.6 and a 2.0.1 transaction: both finish with the right energy (E04, E11, E13, 1.6 §3.7)', async (env) => {
  const port = await freePort();
  let app: Joule | undefined = await startApp(env, { port });
  try {
    await registerStation(app, 'CS-R201');
    await registerStation(app, 'CP-R16');
    await app.repos.tokens.upsert({ idToken: 'TAG-R', type: 'ISO14443', status: 'Accepted' });
    const options = { callTimeoutMs: 120_000 };
    const v201 = await connectStation(app, 'CS-R201', 'ocpp2.0.1', port, options);
    const v16 = await connectStation(app, 'CP-R16', 'ocpp1.6', port, options);
    await v201.boot({ reason: 'PowerUp', chargingStation: { vendorName: 'Joule', model: 'R' } });
    await v16.boot({ chargePointVendor: 'Joule', chargePointModel: 'R' });

    // Before the restart: both transactions started, with some meter values.
    await v201.call('TransactionEvent', energyEvent('Started', 0, 0, 100_000));
    await v201.call('TransactionEvent', energyEvent('Updated', 1, 60, 101_000));
    const { transactionId } = await v16.call('StartTransaction', { connectorId: 2, idTag: 'TAG-R', meterStart: 70_000, timestamp: at(0) });
    const meter = (seconds: number, wh: string): RequestOf<'ocpp1.6', 'MeterValues'> => ({
      connectorId: 2, transactionId, meterValue: [{ timestamp: at(seconds), sampledValue: [{ value: wh }] }],
    });
    await v16.call('MeterValues', meter(60, '70600'));

    // The CSMS goes away; the stations queue what happens meanwhile.
    await app.close();
    app = undefined;
    await eventually(() => (v201.isConnected || v16.isConnected ? undefined : true), 'stations noticing the restart');
    const queued = [
      v201.call('TransactionEvent', energyEvent('Updated', 1, 60, 101_000)), // the answer got lost: resent
      v201.call('TransactionEvent', energyEvent('Updated', 2, 120, 102_500, true)),
      v201.call('TransactionEvent', energyEvent('Ended', 3, 180, 103_250, true)),
      v16.call('MeterValues', meter(60, '70600')), // resent
      v16.call('MeterValues', meter(120, '71200')),
      v16.call('StopTransaction', { transactionId, meterStop: 71_800, timestamp: at(180), reason: 'EVDisconnected' }),
    ];

    // A new CSMS process on the same storage and address.
    app = await startApp(env, { port });
    await Promise.all(queued);

    const tx201 = await storedTransaction(app, 'CS-R201', 'TX-R');
    assert.deepEqual([tx201.state, tx201.meterStartWh, tx201.meterStopWh, tx201.energyWh, tx201.stopReason], ['completed', 100_000, 103_250, 3_250, 'EVDisconnected']);
    assert.equal((await app.repos.transactions.listEvents(tx201.id)).length, 4);
    const tx16 = await storedTransaction(app, 'CP-R16', String(transactionId));
    assert.deepEqual([tx16.state, tx16.meterStartWh, tx16.meterStopWh, tx16.energyWh, tx16.stopReason], ['completed', 70_000, 71_800, 1_800, 'EVDisconnected']);
    assert.equal((await app.repos.meterValues.listForTransaction(tx16.id)).length, 2);

    // The stations are connected again (no BootNotification needed), and 1.6 ids keep increasing.
    assert.equal((await app.repos.stations.get('CP-R16'))?.connected, true);
    const next = await v16.call('StartTransaction', { connectorId: 1, idTag: 'TAG-R', meterStart: 71_800, timestamp: at(600) });
    assert.ok(next.transactionId > transactionId, 'a new transaction gets a new id');
  } finally {
    await closeAll();
    await app?.close();
  }
});
