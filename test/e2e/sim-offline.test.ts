/**
 * Offline behaviour of simulated stations against the real Joule (Part 4 §5.3; 2.0.1 E §1.3, 1.6 §3.7): a 1.6
 * and a 2.0.1 station charge; the CSMS changes their RetryBackOff* variables; Joule stops mid-session; the
 * stations keep metering and end their sessions offline, queueing the transaction messages, and reconnect with
 * the back-off schedule of the new values; Joule restarts on the same storage, the queued messages are replayed in
 * order, and the stored transactions are complete: nothing lost, nothing doubled, the energy right.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { Joule } from '../../src/app.ts';
import type { MeterSample } from '../../src/domain/model.ts';
import { createSimEnvironment } from '../../src/sim/environment.ts';
import type { Session } from '../../src/sim/layout.ts';
import { SimulatedStation } from '../../src/sim/station.ts';
import { testBackends, withTestDatabase } from '../support/db.ts';
import { PASSWORD, eventually, freePort, registerStation, startApp, stationValidator } from './scenario-support.ts';
import { accepted, expectCommand } from './sim-support.ts';

const ENERGY = 'Energy.Active.Import.Register';
/** What the CSMS sets (seconds): with the random part fixed at half the range, waits of 0.5, 1.5, 3.5, 3.5 ... */
const BACKOFF = { RetryBackOffWaitMinimum: '0', RetryBackOffRandomRange: '1', RetryBackOffRepeatTimes: '2' };
const EXPECTED_WAITS_MS = [500, 1500, 3500, 3500];

const stations: SimulatedStation[] = [];
afterEach(async () => {
  for (const station of stations.splice(0)) await station.stop();
});

/**
 * Timestamps of the energy readings the station sent, from the CALLs in Joule's message log (resends once): each is
 * one entry, with our answer or, when Joule stopped before answering it, without one.
 */
async function sentEnergyTimestamps(app: Joule, stationId: string): Promise<Set<string>> {
  await app.repos.messageLog.flush();
  const entries = await app.repos.messageLog.list({ stationId, limit: 1000 });
  const timestamps = new Set<string>();
  for (const entry of entries) {
    if (entry.direction !== 'in' || entry.messageType !== 2) continue;
    const payload = entry.payload as { meterValue?: MeterValueJson[]; transactionData?: MeterValueJson[] };
    for (const value of [...(payload.meterValue ?? []), ...(payload.transactionData ?? [])]) {
      if (value.sampledValue.some((s) => (s.measurand ?? ENERGY) === ENERGY)) timestamps.add(new Date(value.timestamp).toISOString());
    }
  }
  return timestamps;
}

interface MeterValueJson {
  timestamp: string;
  sampledValue: { measurand?: string }[];
}

// One backend, PostgreSQL when there is one: the run takes most of a minute (two CSMS starts, a timed outage);
// replay at the storage level is covered on both backends by scenario-restart.test.ts.
const backend = testBackends().at(-1) ?? 'pglite';

test(`simulated 1.6 and 2.0.1 stations through a CSMS outage: back-off as set by the CSMS, queued messages replayed, nothing lost or doubled [${backend}]`, () => withTestDatabase(backend, async (env) => {
  const port = await freePort();
  // A fixed random part: the back-off schedule is exact.
  const simEnv = createSimEnvironment({ validator: stationValidator(), random: () => 0.5 });
  let app: Joule = await startApp(env, { port, 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 300 });
  try {
    await app.repos.tokens.upsert({ idToken: 'OFF-TAG', type: 'ISO14443', status: 'Accepted' });
    const versions = ['ocpp1.6', 'ocpp2.0.1'] as const;
    const made = versions.map((version) => {
      const identity = `SIMOFF-${version === 'ocpp1.6' ? '16' : '201'}`;
      const station = new SimulatedStation({ identity, url: `ws://127.0.0.1:${port}/ocpp`, version, evses: 1, connectorsPerEvse: 1, password: PASSWORD, meterIntervalS: 0.3 }, simEnv);
      stations.push(station);
      return station;
    });
    for (const station of made) await registerStation(app, station.identity);
    for (const station of made) station.start();
    for (const station of made) await accepted(station);

    // The CSMS changes the back-off (from the defaults of 10 s / 15 s / 5).
    for (const station of made) {
      const component = station.version === 'ocpp1.6' ? 'OCPP16' : 'OCPPCommCtrlr';
      const variables = Object.entries(BACKOFF).map(([variable, value]) => ({ component, variable, value }));
      await expectCommand(app, station.identity, 'set-variables', { variables }, null);
      assert.equal(station.client.backoffSettings.randomRangeS, 1);
    }

    const sessions = new Map<SimulatedStation, Session>();
    for (const station of made) {
      const session = await station.sessions.start(1, 'OFF-TAG', 'ISO14443');
      assert.ok(session, station.identity);
      sessions.set(station, session);
    }
    for (const station of made) {
      const session = sessions.get(station) ?? assert.fail('session');
      await eventually(() => (session.legacyId !== undefined || station.version !== 'ocpp1.6' ? true : undefined), 'the 1.6 transactionId');
    }
    await new Promise((resolve) => setTimeout(resolve, 700));

    // Outage: the stations keep metering and stop their sessions while offline.
    const waits = new Map<SimulatedStation, number[]>(made.map((s) => [s, []]));
    for (const station of made) station.events.on('reconnecting', (_attempt, delayMs) => waits.get(station)?.push(delayMs));
    await app.close();
    await eventually(() => (made.every((s) => !s.connected) ? true : undefined), 'the stations to notice the outage');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const station of made) station.sessions.stop(1, 'Local');
    for (const station of made) assert.ok(station.outbox.storedCount >= 3, `${station.identity}: meter values and the stop queued offline (${station.outbox.storedCount})`);
    await eventually(() => (made.every((s) => (waits.get(s)?.length ?? 0) >= EXPECTED_WAITS_MS.length) ? true : undefined), 'four reconnect attempts', 30_000);

    app = await startApp(env, { port, 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 300 });
    for (const station of made) await accepted(station, 30_000);
    for (const station of made) await eventually(() => (station.outbox.storedCount === 0 ? true : undefined), `${station.identity}: the queue replayed`);

    for (const station of made) {
      const id = station.identity;
      assert.deepEqual(waits.get(station)?.slice(0, EXPECTED_WAITS_MS.length), EXPECTED_WAITS_MS, `${id}: §5.3 back-off with the values the CSMS set`);
      const session = sessions.get(station) ?? assert.fail('session');
      const transactions = await app.repos.transactions.list({ stationId: id });
      assert.equal(transactions.length, 1, `${id}: one transaction, not doubled by the replay`);
      const [tx] = transactions;
      assert.equal(tx?.state, 'completed', id);
      assert.equal(tx?.stopReason, 'Local', id);
      // The register as sent: whole Wh on 1.6 (meterStart/meterStop are integers), 0.1 Wh on 2.0.1.
      const sent = (wh: number): number => (station.version === 'ocpp1.6' ? Math.round(wh) : Math.round(wh * 10) / 10);
      assert.equal(tx?.meterStartWh, sent(session.meterStartWh), `${id}: meter start`);
      assert.equal(tx?.meterStopWh, sent(session.energy.registerWh), `${id}: meter stop as the station's register`);
      assert.ok(Math.abs((tx?.energyWh ?? 0) - (sent(session.energy.registerWh) - sent(session.meterStartWh))) < 1e-6, `${id}: energy ${tx?.energyWh}`);
      assert.ok((tx?.energyWh ?? 0) > 0, id);
      if (station.version === 'ocpp2.0.1') assert.equal(tx?.lastSeqNo, session.seqNo - 1, `${id}: every seqNo arrived`);

      // Every energy reading sent (online and offline) is stored exactly once.
      const samples: MeterSample[] = await app.repos.meterValues.listForTransaction(tx?.id ?? assert.fail('tx'));
      const stored = samples.filter((s) => s.measurand === ENERGY).map((s) => s.timestamp.toISOString());
      const readings = await sentEnergyTimestamps(app, id);
      assert.ok(readings.size >= 5, `${id}: readings before, during and after the outage (${readings.size})`);
      assert.deepEqual([...new Set(stored)].sort(), [...readings].sort(), `${id}: nothing lost`);
      assert.equal(stored.length, new Set(stored).size, `${id}: nothing doubled`);
    }
  } finally {
    for (const station of stations.splice(0)) await station.stop();
    simEnv.scheduler.stop();
    await app.close();
  }
}));
