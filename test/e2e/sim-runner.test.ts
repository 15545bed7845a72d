/**
 * runSimulation (what `joule sim` and the benchmarks run) against Joule: 12 stations on OCPP 2.1 and 8 on 1.6,
 * charging at random with short sessions, ramped up in batches, ended cleanly. The summary must agree with what
 * Joule stored: every session started is completed and stored once as a completed transaction, no CALLERROR, no
 * timeout, every CALL answered.
 */
import assert from 'node:assert/strict';
import type { Joule } from '../../src/app.ts';
import type { SimulationSummary } from '../../src/sim/index.ts';
import { runSimulation } from '../../src/sim/index.ts';
import { forEachDatabase } from '../support/db.ts';
import { startApp, stationValidator, withApp } from './scenario-support.ts';

async function completedTransactions(app: Joule, prefix: string, stations: number): Promise<number> {
  let count = 0;
  for (let i = 1; i <= stations; i += 1) {
    const transactions = await app.repos.transactions.list({ stationId: `${prefix}${String(i).padStart(4, '0')}` });
    for (const tx of transactions) {
      assert.equal(tx.state, 'completed', `${tx.stationId} ${tx.transactionId}`);
      count += 1;
    }
  }
  return count;
}

forEachDatabase('runSimulation: 2.1 and 1.6 stations charging at random; the summary matches the transactions Joule stored', async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 2 });
  await withApp(app, async () => {
    await app.repos.tokens.upsert({ idToken: 'RUN-TAG', type: 'ISO14443', status: 'Accepted' });
    const runs = [
      { prefix: 'RUN21-', version: 'ocpp2.1' as const, stations: 12 },
      { prefix: 'RUN16-', version: 'ocpp1.6' as const, stations: 8 },
    ];
    for (const run of runs) {
      for (let i = 1; i <= run.stations; i += 1) await app.repos.stations.create({ id: `${run.prefix}${String(i).padStart(4, '0')}`, securityProfile: 0, registrationStatus: 'Accepted' });
    }
    const summaries: SimulationSummary[] = await Promise.all(
      runs.map((run) =>
        runSimulation({
          url: `ws://127.0.0.1:${app.port}/ocpp`,
          stations: run.stations,
          idPrefix: run.prefix,
          version: run.version,
          evses: 2,
          validator: stationValidator(),
          durationS: 4,
          meterIntervalS: 0.4,
          rampUp: { batch: 5, intervalMs: 100 },
          idTokens: ['RUN-TAG'],
          charging: { mode: 'random', probability: 1, durationS: [0.5, 1.5], idleS: [0, 0.5] },
        }),
      ),
    );
    for (const [index, run] of runs.entries()) {
      const summary = summaries[index] ?? assert.fail('summary');
      assert.equal(summary.stations, run.stations);
      assert.equal(summary.accepted, run.stations, `${run.version}: all accepted`);
      assert.deepEqual([summary.callErrorCount, summary.timeouts, summary.droppedTxMessages, summary.stationErrors, summary.exitCode], [0, 0, 0, 0, 0], JSON.stringify(summary));
      assert.equal(summary.messagesAnswered, summary.messagesSent, `${run.version}: every CALL answered`);
      assert.ok(summary.sessionsStarted >= run.stations, `${run.version}: sessions on every station (${summary.sessionsStarted})`);
      assert.equal(summary.sessionsCompleted, summary.sessionsStarted, `${run.version}: sessions ended at the end of the run`);
      assert.equal(await completedTransactions(app, run.prefix, run.stations), summary.sessionsCompleted, `${run.version}: one stored transaction per session`);
      const station = await app.repos.stations.get(`${run.prefix}0001`);
      assert.equal(station?.ocppVersion, run.version);
    }
  });
});
