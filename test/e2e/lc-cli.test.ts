/**
 * `joule lc` as a real child process between the real Joule and a simulated station: the station boots through it
 * (Joule stores what the station sent, with the station's own password checked upstream), the site limit given on
 * the command line caps the station's power with a profile of the LC's own, and stopping the LC closes both hops
 * (Part 4 §6.3), so Joule sees the station go away.
 */
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { forEachDatabase } from '../support/db.ts';
import { PASSWORD, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { CliProcess, accepted, killChildren, simStation, stopStations } from './sim-support.ts';

afterEach(async () => {
  await stopStations();
  await killChildren();
});

const SITE_LIMIT_W = 7400;

forEachDatabase('joule lc: relays a station to Joule, applies --site-limit, closes both hops when stopped', async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    await registerStation(app, 'LC-CLI-1');
    await app.repos.tokens.upsert({ idToken: 'LC-TAG', type: 'ISO14443', status: 'Accepted' });
    const lc = new CliProcess(['lc', '--upstream', `ws://127.0.0.1:${app.port}/ocpp`, '--port', '0', '--host', '127.0.0.1', '--site-limit', String(SITE_LIMIT_W), '--ping-interval', '0', '--log-level', 'silent']);
    const [, port] = await lc.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\/ocpp/);

    const station = simStation({ identity: 'LC-CLI-1', version: 'ocpp2.0.1', url: `ws://127.0.0.1:${port}/ocpp`, password: PASSWORD, maxPowerW: 22_000, meterIntervalS: 0.2 });
    await accepted(station);
    const stored = await eventually(async () => {
      const record = await app.repos.stations.get('LC-CLI-1');
      return record?.connected && record.vendor === 'Joule' ? record : undefined;
    }, 'the station to be connected at Joule with its boot data');
    assert.equal(stored.model, 'Simulator');
    assert.equal(stored.ocppVersion, 'ocpp2.0.1');

    // Charging: the LC gives the only session the whole site limit, never more.
    const session = await station.sessions.start(1, 'LC-TAG', 'ISO14443');
    assert.ok(session, 'the session started (authorized by Joule through the LC)');
    await eventually(() => (session.energy.powerW > 0 && session.energy.powerW <= SITE_LIMIT_W ? true : undefined), 'the site limit to cap the power');
    assert.equal(session.energy.powerW, SITE_LIMIT_W);
    await eventually(async () => ((await app.repos.transactions.get('LC-CLI-1', session.transactionId)) ? true : undefined), 'the transaction at Joule');

    // Stopping the LC closes the station's connection and the upstream one.
    let disconnected = false;
    station.events.on('disconnected', () => (disconnected = true));
    lc.signal('SIGTERM');
    assert.equal(await lc.exitCode(), 0);
    await eventually(() => (disconnected ? true : undefined), 'the station to lose its connection');
    await eventually(async () => ((await app.repos.stations.get('LC-CLI-1'))?.connected === false ? true : undefined), 'Joule to see the station go');
  });
});
