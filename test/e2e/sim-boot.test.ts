/**
 * Simulated stations at Joule's door: BootNotification answered Pending (2.0.1) or Rejected (1.6) is retried at
 * the interval of the answer, nothing else is sent meanwhile, and once the operator accepts the station the next
 * boot is Accepted; then StatusNotification for every connector, heartbeats at the interval of the answer, and
 * meter values with energy, power, current, voltage and state of charge, all stored by Joule.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { RegistrationStatus } from '../../src/domain/model.ts';
import type { SimulatedStation } from '../../src/sim/station.ts';
import { testBackends, withTestDatabase } from '../support/db.ts';
import { PASSWORD, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { accepted, simStation, stopStations } from './sim-support.ts';

afterEach(stopStations);

interface Boot {
  status: string;
  intervalS: number;
  at: number;
}

function recordBoots(station: SimulatedStation): Boot[] {
  const boots: Boot[] = [];
  station.events.on('boot', (status, intervalS) => boots.push({ status, intervalS, at: Date.now() }));
  return boots;
}

// One backend, PostgreSQL when there is one: this is about the simulator; registration is tested on both elsewhere.
const backend = testBackends().at(-1) ?? 'pglite';

test(`simulated stations: Pending and Rejected boots retried at the given interval, then Accepted; statuses, heartbeats, meter values [${backend}]`, () => withTestDatabase(backend, async (env) => {
  // heartbeatIntervalS is also the wait Joule gives with Pending / Rejected.
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 1 });
  await withApp(app, async () => {
    await app.repos.tokens.upsert({ idToken: 'BOOT-TAG', type: 'ISO14443', status: 'Accepted' });
    const cases: Array<{ id: string; version: 'ocpp2.0.1' | 'ocpp1.6'; initial: RegistrationStatus }> = [
      { id: 'SIMB-201', version: 'ocpp2.0.1', initial: 'Pending' },
      { id: 'SIMB-16', version: 'ocpp1.6', initial: 'Rejected' },
    ];
    const made = [];
    for (const { id, version, initial } of cases) {
      await registerStation(app, id, { registrationStatus: initial });
      const station = simStation({ identity: id, version, password: PASSWORD, evses: 2, meterIntervalS: 0.3 }, app);
      made.push({ station, boots: recordBoots(station), initial });
    }

    // Refused boots are retried at the interval of the answer; nothing else goes out meanwhile.
    for (const { station, boots, initial } of made) {
      await eventually(() => (boots.length >= 3 ? true : undefined), `${station.identity}: three ${initial} boots`);
      assert.ok(boots.every((b) => b.status === initial && b.intervalS === 1), JSON.stringify(boots));
      for (let i = 1; i < boots.length; i += 1) assert.ok((boots[i]?.at ?? 0) - (boots[i - 1]?.at ?? 0) >= 900, `${station.identity}: waits the 1 s interval between boots`);
      assert.equal(station.online, false);
      await app.repos.messageLog.flush();
      const log = await app.repos.messageLog.list({ stationId: station.identity });
      const actions = new Set(log.filter((e) => e.direction === 'in').map((e) => e.action));
      assert.deepEqual([...actions], ['BootNotification'], `${station.identity}: only boots while ${initial}`);
      const answers = log.filter((e) => e.action === 'BootNotification').map((e) => (e.response?.payload as { status?: string } | undefined)?.status);
      assert.ok(answers.length >= 3 && answers.every((status) => status === initial), `${station.identity}: each boot logged with our ${initial} answer (${answers.join()})`);
    }

    // Accepted by the operator: the next boot is Accepted, then the statuses and heartbeats follow.
    for (const { station } of made) await app.repos.stations.update(station.identity, { registrationStatus: 'Accepted' });
    for (const { station, boots } of made) {
      await accepted(station);
      assert.equal(boots.at(-1)?.status, 'Accepted');
      assert.equal(station.model.numberOf('heartbeatInterval'), 1, 'the heartbeat interval of the Accepted answer');
      await eventually(async () => {
        const list = await app.repos.stations.listConnectors(station.identity);
        // 1.6 connector N is stored as EVSE N (connector N); 2.0.1 EVSE N connector 1.
        const available = list.filter((c) => c.status === 'Available').map((c) => c.evseId);
        return available.includes(1) && available.includes(2) ? true : undefined;
      }, `${station.identity}: a StatusNotification for every connector`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2500));
    for (const { station } of made) {
      await app.repos.messageLog.flush();
      const heartbeats = (await app.repos.messageLog.list({ stationId: station.identity, action: 'Heartbeat' })).filter((e) => e.direction === 'in' && e.response?.messageType === 3);
      assert.ok(heartbeats.length >= 2, `${station.identity}: heartbeats every second (${heartbeats.length} in 2.5 s)`);
    }

    // Meter values of a session: energy, power, current, voltage and state of charge.
    for (const { station } of made) {
      const session = await station.sessions.start(1, 'BOOT-TAG', 'ISO14443');
      assert.ok(session, station.identity);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      station.sessions.stop(1, 'EVDisconnected');
      await station.outbox.idle();
      const transactionId = station.version === 'ocpp1.6' ? String(session.legacyId) : session.transactionId;
      const tx = await eventually(async () => {
        const stored = await app.repos.transactions.get(station.identity, transactionId);
        return stored?.state === 'completed' ? stored : undefined;
      }, `${station.identity}: the completed transaction`);
      const measurands = new Set((await app.repos.meterValues.listForTransaction(tx.id)).map((s) => s.measurand));
      for (const measurand of ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC']) assert.ok(measurands.has(measurand), `${station.identity}: ${measurand} stored (${[...measurands].join(', ')})`);
    }
  });
}));
