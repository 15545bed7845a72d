/**
 * Scenario: a 2.0.1 station's whole session, and a 2.1 station on the same handlers.
 * The real app on real storage, driven by the real station client over a socket (see scenario-support.ts).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { JsonObject } from '../../src/protocol/types.ts';
import { forEachDatabase } from '../support/db.ts';
import { BOOT, TAG, addTokens, session } from './scenario-fixtures.ts';
import { at, closeAll, connectStation, eventually, registerStation, startApp, storedTransaction, withApp } from './scenario-support.ts';

afterEach(closeAll);

forEachDatabase('2.0.1 boot Accepted → status → authorize → TransactionEvent start/meter values/stop: exact energy (B01, G01, C01, E01-E07, J02.FR.17)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-201');
    await addTokens(app);
    const events: DomainEvent[] = [];
    app.events.subscribe((event) => events.push(event));
    const station = await connectStation(app, 'CS-201', 'ocpp2.0.1');

    const boot = await station.boot(BOOT);
    assert.equal(boot.response.status, 'Accepted');
    assert.equal(boot.response.interval, 1);
    const stored = await app.repos.stations.get('CS-201');
    assert.equal(stored?.connected, true);
    assert.equal(stored?.ocppVersion, 'ocpp2.0.1');
    assert.deepEqual([stored?.vendor, stored?.model, stored?.serialNumber, stored?.firmwareVersion], ['Joule', 'J-201', 'SN-201', '1.0.0']);

    assert.ok((await station.call('Heartbeat', {})).currentTime.endsWith('Z'));
    await station.call('StatusNotification', { timestamp: at(0), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const [connector] = await app.repos.stations.listConnectors('CS-201');
    assert.deepEqual([connector?.evseId, connector?.connectorId, connector?.status], [1, 1, 'Occupied']);

    // C01.FR.06-07, C09.FR.09, C10.FR.08
    const auth = await station.call('Authorize', { idToken: TAG });
    assert.deepEqual(auth.idTokenInfo, { status: 'Accepted', groupIdToken: { idToken: 'FLEET-1', type: 'Central' }, cacheExpiryDateTime: '2030-01-01T00:00:00.000Z' });

    const [started, ...rest] = session('TX-1');
    const startAnswer = await station.call('TransactionEvent', started!);
    // E01.FR.10-12: the token is checked and idTokenInfo returned; answered only once stored.
    assert.equal(startAnswer.idTokenInfo?.status, 'Accepted');
    const afterStart = await storedTransaction(app, 'CS-201', 'TX-1');
    assert.equal(afterStart.state, 'active');
    assert.equal(afterStart.meterStartWh, 1234500);
    for (const event of rest) await station.call('TransactionEvent', event);

    const tx = await storedTransaction(app, 'CS-201', 'TX-1');
    assert.equal(tx.state, 'completed');
    assert.equal(tx.meterStartWh, 1234500);
    assert.equal(tx.meterStopWh, 1246789);
    assert.equal(tx.energyWh, 12289);
    assert.equal(tx.stopReason, 'Local'); // E06.FR.08-09: omitted stoppedReason
    assert.equal(tx.idToken, 'TAG-1'); // E07.FR.01-02: the stopping group member is not the billed account
    assert.deepEqual([tx.evseId, tx.connectorId, tx.chargingState], [1, 1, 'Idle']);
    assert.equal(tx.startedAt?.toISOString(), at(0));
    assert.equal(tx.stoppedAt?.toISOString(), at(120));
    const samples = await app.repos.meterValues.listForTransaction(tx.id);
    assert.equal(samples.length, 5);
    const power = samples.find((s) => s.measurand === 'Power.Active.Import');
    assert.deepEqual([power?.value, power?.unit], [7.2, 'kW']);
    assert.ok(samples.some((s) => s.unit === 'Wh' && s.value === 1246789), 'multiplier applied to the stored sample');

    // Each fact stored once: the event keeps the message without its meter values, which are the samples above;
    // the message log has the frame as it came, and our answer with it (one entry per exchange).
    const storedEvents = await app.repos.transactions.listEvents(tx.id);
    assert.deepEqual(storedEvents.map((e) => e.seqNo), [0, 1, 2, 3]);
    for (const event of storedEvents) {
      const payload = event.payload as Record<string, unknown>;
      assert.equal(payload.meterValue, undefined);
      assert.equal((payload.transactionInfo as { transactionId: string }).transactionId, 'TX-1');
    }
    await app.repos.messageLog.flush();
    const exchanges = (await app.repos.messageLog.list({ stationId: 'CS-201', action: 'TransactionEvent' })).reverse();
    assert.deepEqual(exchanges.map((e) => [e.direction, e.messageType, e.response?.messageType]), Array(4).fill(['in', 2, 3]), 'four exchanges');
    const meterValuesLogged = exchanges.map((e) => (e.payload as { meterValue?: unknown[] }).meterValue?.length ?? 0);
    assert.equal(meterValuesLogged.reduce((sum, n) => sum + n, 0) > 0, true, 'the logged frames keep their meter values');
    assert.deepEqual(exchanges[0]?.response?.payload, startAnswer, 'our answer as sent');
    const log = await app.repos.messageLog.list({ stationId: 'CS-201', action: 'BootNotification' });
    assert.deepEqual(log.map((e) => [e.direction, e.messageType, e.response?.messageType]), [['in', 2, 3]]);
    assert.deepEqual(log[0]?.response?.payload, boot.response.raw);
    const types = events.map((e) => e.type);
    for (const type of ['station.connected', 'station.booted', 'connector.status', 'transaction.started', 'transaction.updated', 'transaction.ended'] as const) {
      assert.ok(types.includes(type), `${type} published`);
    }

    await station.close();
    await eventually(async () => ((await app.repos.stations.get('CS-201'))?.connected === false ? true : undefined), 'disconnected state');
  });
});

forEachDatabase('2.1 station: the 2.0.1 handlers serve it (boot, TransactionEvent energy)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-21');
    await addTokens(app);
    const station = await connectStation(app, 'CS-21', 'ocpp2.1');
    assert.equal((await station.boot(BOOT)).response.status, 'Accepted');
    for (const event of session('TX-21')) await station.callRaw('TransactionEvent', event as unknown as JsonObject);
    assert.equal((await storedTransaction(app, 'CS-21', 'TX-21')).energyWh, 12289);
  });
});
