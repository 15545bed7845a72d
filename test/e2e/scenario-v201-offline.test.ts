/**
 * Scenario: a 2.0.1 transaction that happened offline arrives out of order and twice.
 * The real app on real storage, driven by the real station client over a socket (see scenario-support.ts).
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { BOOT, addTokens, session } from './scenario-fixtures.ts';
import { closeAll, connectStation, registerStation, startApp, storedTransaction, withApp } from './scenario-support.ts';

afterEach(closeAll);

forEachDatabase('2.0.1 offline transaction replayed out of order and twice: same result, nothing counted twice (E04, E12, E13, E §1.3.2)', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    await registerStation(app, 'CS-OFF');
    await addTokens(app);
    const station = await connectStation(app, 'CS-OFF', 'ocpp2.0.1');
    await station.boot(BOOT);

    // Baseline: in order. seqNo need not start at 0.
    for (const event of session('TX-IN-ORDER', 40)) await station.call('TransactionEvent', event);
    // The same session, offline, arriving Ended first and every message twice.
    const [s, u1, u2, e] = session('TX-SHUFFLED', 7, true);
    for (const event of [e!, u2!, s!, u1!, e!, s!, u2!, u1!]) {
      const answer = await station.call('TransactionEvent', event);
      if (event.idToken) assert.ok(answer.idTokenInfo, 'E05.FR.01: a TE with an idToken is answered with idTokenInfo, duplicates too');
    }

    const baseline = await storedTransaction(app, 'CS-OFF', 'TX-IN-ORDER');
    const replayed = await storedTransaction(app, 'CS-OFF', 'TX-SHUFFLED');
    for (const tx of [baseline, replayed]) {
      assert.equal(tx.energyWh, 12289);
      assert.equal(tx.state, 'completed');
    }
    assert.deepEqual(
      [replayed.meterStartWh, replayed.meterStopWh, replayed.startedAt, replayed.stoppedAt, replayed.idToken, replayed.chargingState, replayed.lastSeqNo],
      [baseline.meterStartWh, baseline.meterStopWh, baseline.startedAt, baseline.stoppedAt, baseline.idToken, baseline.chargingState, 10],
    );
    assert.equal((await app.repos.transactions.listEvents(replayed.id)).length, 4);
    const baselineSamples = await app.repos.meterValues.listForTransaction(baseline.id);
    const replayedSamples = await app.repos.meterValues.listForTransaction(replayed.id);
    assert.equal(replayedSamples.length, baselineSamples.length);
  });
});
