import assert from 'node:assert/strict';
import { forEachDatabase } from '../../test/support/db.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { TransactionEventInput } from '../domain/ports.ts';
import { createRepositories } from './index.ts';

const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 10, minute));

/** A 2.0.1-style event with one energy register sample (in Wh). */
function event(seqNo: number, eventType: TransactionEventInput['eventType'], minute: number, wh: number, extra: Partial<TransactionEventInput> = {}): TransactionEventInput {
  const timestamp = at(minute);
  return {
    stationId: 'CS-T',
    transactionId: 'tx-1',
    seqNo,
    eventType,
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    timestamp,
    payload: { seqNo, eventType },
    evseId: 1,
    connectorId: 1,
    energy: [{ timestamp, wh }],
    meterValues: [
      { stationId: 'CS-T', timestamp, value: wh, unit: 'Wh' },
      { stationId: 'CS-T', timestamp, measurand: 'Power.Active.Import', value: 7200.5, unit: 'W' },
    ],
    ...extra,
  };
}

forEachDatabase('transactions', async (env, t) => {
  const repos = createRepositories(await env.open());
  const { transactions, meterValues, stations } = repos;
  await stations.create({ id: 'CS-T' });

  await t.test('in-order life cycle: energy is last minus first reading', async () => {
    const started = await transactions.applyEvent(event(0, 'Started', 0, 1000.5, { idToken: 'TAG1', idTokenType: 'ISO14443', startedAt: at(0), chargingState: 'Charging', remoteStartId: 7 }));
    assert.equal(started.duplicate, false);
    assert.equal(started.transaction.state, 'active');
    assert.equal(started.transaction.meterStartWh, 1000.5);
    assert.equal(started.transaction.energyWh, 0);
    assert.equal(started.transaction.remoteStartId, 7);
    await transactions.applyEvent(event(1, 'Updated', 5, 3000.25));
    const ended = await transactions.applyEvent(event(2, 'Ended', 10, 12345.678, { stoppedAt: at(10), stopReason: 'Local', chargingState: 'Idle' }));
    const tx = ended.transaction;
    assert.equal(tx.state, 'completed');
    assert.equal(tx.meterStartWh, 1000.5);
    assert.equal(tx.meterStopWh, 12345.678);
    assert.equal(tx.energyWh, 11345.178, 'exact decimal arithmetic, no float drift');
    assert.deepEqual(tx.startedAt, at(0));
    assert.deepEqual(tx.stoppedAt, at(10));
    assert.equal(tx.stopReason, 'Local');
    assert.equal(tx.idToken, 'TAG1', 'kept from the Started event');
    assert.equal(tx.chargingState, 'Idle');
    assert.equal(tx.lastSeqNo, 2);
    assert.deepEqual((await transactions.listEvents(tx.id)).map((e) => [e.seqNo, e.eventType]), [
      [0, 'Started'],
      [1, 'Updated'],
      [2, 'Ended'],
    ]);
    const samples = await meterValues.listForTransaction(tx.id);
    assert.equal(samples.length, 6);
    assert.deepEqual(samples[0], {
      id: samples[0]!.id,
      transactionPk: tx.id,
      stationId: 'CS-T',
      evseId: 1,
      timestamp: at(0),
      measurand: 'Energy.Active.Import.Register',
      phase: null,
      unit: 'Wh',
      context: null,
      location: null,
      value: 1000.5,
      signed: null,
    });
    assert.equal(samples[1]?.value, 7200.5);
  });

  await t.test('the same seqNo twice is stored once', async () => {
    const first = await transactions.applyEvent(event(0, 'Started', 0, 500, { transactionId: 'tx-dup', startedAt: at(0) }));
    const again = await transactions.applyEvent(event(0, 'Started', 0, 500, { transactionId: 'tx-dup', startedAt: at(0) }));
    assert.equal(first.duplicate, false);
    assert.equal(again.duplicate, true);
    assert.equal(again.transaction.id, first.transaction.id);
    await transactions.applyEvent(event(1, 'Updated', 1, 800, { transactionId: 'tx-dup' }));
    const replay = await transactions.applyEvent(event(1, 'Updated', 1, 99999, { transactionId: 'tx-dup' }));
    assert.equal(replay.duplicate, true);
    assert.equal(replay.transaction.meterStopWh, 800, 'a duplicate changes nothing');
    assert.equal((await transactions.listEvents(first.transaction.id)).length, 2);
    assert.equal((await meterValues.listForTransaction(first.transaction.id)).length, 4);
  });

  await t.test('concurrent deliveries of the same event: one row', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => transactions.applyEvent(event(0, 'Started', 0, 1, { transactionId: 'tx-race', startedAt: at(0) }))));
    assert.equal(results.filter((r) => !r.duplicate).length, 1);
    assert.equal((await transactions.listEvents(results[0]!.transaction.id)).length, 1);
  });

  await t.test('out of order: the result does not depend on arrival order', async () => {
    const events = (id: string) => [
      event(0, 'Started', 0, 2000, { transactionId: id, idToken: 'TAG2', startedAt: at(0), chargingState: 'Charging' }),
      event(1, 'Updated', 4, 2600, { transactionId: id, chargingState: 'SuspendedEV' }),
      event(2, 'Updated', 8, 3100, { transactionId: id, chargingState: 'Charging' }),
      event(3, 'Ended', 12, 3500, { transactionId: id, stoppedAt: at(12), stopReason: 'EVDisconnected', chargingState: 'EVConnected' }),
    ];
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ];
    const finals = [];
    for (const [n, order] of orders.entries()) {
      const list = events(`ooo-${n}`);
      let last;
      for (const i of order) last = await transactions.applyEvent(list[i]!);
      finals.push(last!.transaction);
    }
    for (const tx of finals) {
      assert.equal(tx.state, 'completed');
      assert.equal(tx.meterStartWh, 2000);
      assert.equal(tx.meterStopWh, 3500);
      assert.equal(tx.energyWh, 1500);
      assert.deepEqual(tx.startedAt, at(0));
      assert.deepEqual(tx.stoppedAt, at(12));
      assert.equal(tx.stopReason, 'EVDisconnected');
      assert.equal(tx.idToken, 'TAG2');
      assert.equal(tx.chargingState, 'EVConnected', 'taken from the highest seqNo');
      assert.equal(tx.lastSeqNo, 3);
    }
  });

  await t.test('1.6: we assign integer ids; a retried StartTransaction gets the same one', async () => {
    const start = { stationId: 'CS-T', connectorId: 2, evseId: 2, idToken: 'TAG16', timestamp: at(20), meterStartWh: 100000, payload: { connectorId: 2 } };
    const first = await transactions.startLegacy(start);
    const second = await transactions.startLegacy(start);
    const other = await transactions.startLegacy({ ...start, connectorId: 3, evseId: 3 });
    assert.match(first.transaction.transactionId, /^\d+$/);
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.transaction.transactionId, first.transaction.transactionId);
    assert.equal(Number(other.transaction.transactionId), Number(first.transaction.transactionId) + 1);
    assert.equal(first.transaction.meterStartWh, 100000);
    assert.deepEqual(first.transaction.startedAt, at(20));

    const stop = await transactions.applyEvent({
      stationId: 'CS-T',
      transactionId: first.transaction.transactionId,
      seqNo: 1_000_000,
      eventType: 'Ended',
      timestamp: at(50),
      stoppedAt: at(50),
      stopReason: 'Local',
      payload: { meterStop: 115000 },
      energy: [{ timestamp: at(50), wh: 115000 }],
    });
    assert.equal(stop.transaction.energyWh, 15000);
    assert.equal(stop.transaction.connectorId, 2);
  });

  await t.test('a stop for an unknown transaction is recorded', async () => {
    const result = await transactions.applyEvent({
      stationId: 'CS-T',
      transactionId: '424242',
      seqNo: 1_000_000,
      eventType: 'Ended',
      timestamp: at(30),
      stoppedAt: at(30),
      payload: { transactionId: 424242, meterStop: 5000 },
      energy: [{ timestamp: at(30), wh: 5000 }],
    });
    assert.equal(result.duplicate, false);
    assert.equal(result.transaction.state, 'completed');
    assert.equal(result.transaction.startedAt, null);
    assert.equal(result.transaction.energyWh, 0, 'one reading: no energy is invented');
  });

  await t.test('queries', async () => {
    await transactions.applyEvent(event(0, 'Started', 0, 0, { transactionId: 'tx-active', evseId: 4, startedAt: at(40) }));
    const active = await transactions.listActive('CS-T');
    assert.ok(active.some((tx) => tx.transactionId === 'tx-active'));
    assert.ok(active.every((tx) => tx.state === 'active'));
    assert.deepEqual((await transactions.listActive('CS-T', 4)).map((tx) => tx.transactionId), ['tx-active']);
    assert.equal((await transactions.get('CS-T', 'tx-active'))?.evseId, 4);
    assert.equal(await transactions.get('CS-T', 'nope'), undefined);
    const byId = await transactions.getById(active[0]!.id);
    assert.equal(byId?.id, active[0]!.id);

    const all = await transactions.list({ stationId: 'CS-T' });
    assert.ok(all.length >= 8);
    assert.ok(all.every((tx, i) => i === 0 || tx.id < all[i - 1]!.id), 'newest first');
    assert.deepEqual((await transactions.list({ idToken: 'TAG16' })).map((tx) => tx.connectorId).sort(), [2, 3]);
    assert.deepEqual((await transactions.list({ from: at(40), to: at(41) })).map((tx) => tx.transactionId), ['tx-active']);
    assert.equal((await transactions.list({ state: 'active', limit: 2 })).length, 2);
  });

  await t.test('station meter values outside transactions', async () => {
    await meterValues.insert([
      { stationId: 'CS-T', evseId: 9, timestamp: at(1), measurand: 'Voltage', phase: 'L1-N', unit: 'V', value: 230.1, context: 'Sample.Periodic', location: 'Outlet' },
      { stationId: 'CS-T', evseId: 9, timestamp: at(2), value: 123456789.123, signed: { signedMeterData: 'abc', encodingMethod: 'OCMF' } },
      { stationId: 'CS-T', evseId: 2, timestamp: at(3), value: 1 },
    ]);
    await meterValues.insert([]);
    const list = await meterValues.list({ stationId: 'CS-T', evseId: 9, from: at(1), to: at(3) });
    assert.deepEqual(list.map((s) => [s.measurand, s.value, s.transactionPk]), [
      ['Energy.Active.Import.Register', 123456789.123, null],
      ['Voltage', 230.1, null],
    ]);
    assert.deepEqual(list[0]?.signed, { signedMeterData: 'abc', encodingMethod: 'OCMF' });
    assert.equal(list[1]?.phase, 'L1-N');
    assert.equal((await meterValues.list({ stationId: 'CS-T', measurand: 'Voltage' })).length, 1);
  });

  await t.test('deleting a station removes its transactions, events and meter values', async () => {
    await stations.create({ id: 'CS-DEL' });
    const { transaction } = await transactions.applyEvent({ ...event(0, 'Started', 0, 10), stationId: 'CS-DEL', transactionId: 'gone' });
    await meterValues.insert([{ stationId: 'CS-DEL', timestamp: at(1), value: 1 }]);
    assert.equal(await stations.delete('CS-DEL'), true);
    assert.equal(await transactions.getById(transaction.id), undefined);
    assert.deepEqual(await transactions.listEvents(transaction.id), []);
    assert.deepEqual(await meterValues.listForTransaction(transaction.id), []);
    assert.deepEqual(await meterValues.list({ stationId: 'CS-DEL' }), []);
    assert.ok((await meterValues.list({ stationId: 'CS-T' })).length > 0, 'other stations keep theirs');
  });

  await t.test('grouped writes: a bad event fails alone, the others commit', async () => {
    const calls = Array.from({ length: 20 }, (_, n) => transactions.applyEvent(event(0, 'Started', 0, n, { transactionId: `batch-${n}` })));
    const ghost = transactions.applyEvent({ ...event(0, 'Started', 0, 1), stationId: 'ghost', transactionId: 'batch-ghost' });
    await assert.rejects(ghost, NotFoundError);
    const results = await Promise.all(calls);
    assert.ok(results.every((r) => !r.duplicate));
    assert.deepEqual(
      results.map((r) => r.transaction.meterStartWh),
      results.map((_, n) => n),
    );
    assert.equal((await transactions.list({ stationId: 'ghost' })).length, 0);
  });

  await t.test('many events of one transaction at once: each applied once, same result as in order', async () => {
    const calls = Array.from({ length: 30 }, (_, n) =>
      transactions.applyEvent(event(n, n === 0 ? 'Started' : n === 29 ? 'Ended' : 'Updated', n, 1000 + n * 10, { transactionId: 'burst', startedAt: n === 0 ? at(0) : undefined })),
    );
    const results = await Promise.all(calls);
    assert.equal(results.filter((r) => r.duplicate).length, 0);
    const tx = await transactions.get('CS-T', 'burst');
    assert.equal(tx?.lastSeqNo, 29);
    assert.equal(tx?.energyWh, 290);
    assert.equal(tx?.state, 'completed');
    assert.equal((await transactions.listEvents(tx!.id)).length, 30);
    assert.equal((await meterValues.listForTransaction(tx!.id)).length, 60);
  });
});
