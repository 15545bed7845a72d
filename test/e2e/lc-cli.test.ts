/**
 * `joule lc` as a real child process between the real Joule and simulated stations (2.0.1 and 1.6): they boot
 * through it (Joule stores what they sent, with their own passwords checked upstream), the site limit given on the
 * command line caps the charging station's power with a profile of the LC's own, and stopping the LC closes both
 * hops (Part 4 §6.3), so Joule sees the stations go away. With --own-id the LC is also a station of its own at Joule
 * (§6.2).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { testBackends, withTestDatabase } from '../support/db.ts';
import { PASSWORD, eventually, registerStation, startApp, withApp } from './scenario-support.ts';
import { CliProcess, accepted, killChildren, simStation, stopStations } from './sim-support.ts';

afterEach(async () => {
  await stopStations();
  await killChildren();
});

const SITE_LIMIT_W = 7400;

// One backend, PostgreSQL when there is one: the LC never touches storage, and each run starts a child process.
const backend = testBackends().at(-1) ?? 'pglite';

test(`joule lc: relays a station to Joule, applies --site-limit, closes both hops when stopped [${backend}]`, () => withTestDatabase(backend, async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    await registerStation(app, 'LC-CLI-1');
    await registerStation(app, 'LC-CLI-16');
    await registerStation(app, 'LC-OWN');
    await app.repos.tokens.upsert({ idToken: 'LC-TAG', type: 'ISO14443', status: 'Accepted' });
    const lc = new CliProcess(['lc', '--upstream', `ws://127.0.0.1:${app.port}/ocpp`, '--port', '0', '--host', '127.0.0.1', '--site-limit', String(SITE_LIMIT_W), '--ping-interval', '0', '--log-level', 'silent', '--own-id', 'LC-OWN', '--own-password', PASSWORD]);
    const [, port] = await lc.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\/ocpp/);

    // The LC's own connection (§6.2): a station of its own at Joule.
    const own = await eventually(async () => {
      const record = await app.repos.stations.get('LC-OWN');
      return record?.connected && record.model === 'Local Controller' ? record : undefined;
    }, "the LC's own connection at Joule");
    assert.equal(own.ocppVersion, 'ocpp2.0.1');

    const station = simStation({ identity: 'LC-CLI-1', version: 'ocpp2.0.1', url: `ws://127.0.0.1:${port}/ocpp`, password: PASSWORD, maxPowerW: 22_000, meterIntervalS: 0.2 });
    await accepted(station);
    const stored = await eventually(async () => {
      const record = await app.repos.stations.get('LC-CLI-1');
      return record?.connected && record.vendor === 'Joule' ? record : undefined;
    }, 'the station to be connected at Joule with its boot data');
    assert.equal(stored.model, 'Simulator');
    assert.equal(stored.ocppVersion, 'ocpp2.0.1');
    // A 1.6 charge point behind the same LC.
    const v16 = simStation({ identity: 'LC-CLI-16', version: 'ocpp1.6', url: `ws://127.0.0.1:${port}/ocpp`, password: PASSWORD });
    await accepted(v16);
    await eventually(async () => ((await app.repos.stations.get('LC-CLI-16'))?.ocppVersion === 'ocpp1.6' ? true : undefined), 'the 1.6 station at Joule');

    // Charging: the LC gives the only session the whole site limit, never more.
    const session = await station.sessions.start(1, 'LC-TAG', 'ISO14443');
    assert.ok(session, 'the session started (authorized by Joule through the LC)');
    await eventually(() => (session.energy.powerW > 0 && session.energy.powerW <= SITE_LIMIT_W ? true : undefined), 'the site limit to cap the power');
    assert.equal(session.energy.powerW, SITE_LIMIT_W);
    await eventually(async () => ((await app.repos.transactions.get('LC-CLI-1', session.transactionId)) ? true : undefined), 'the transaction at Joule');

    // Stopping the LC closes the station's connection and the upstream one.
    let disconnected = 0;
    for (const each of [station, v16]) each.events.on('disconnected', () => (disconnected += 1));
    lc.signal('SIGTERM');
    assert.equal(await lc.exitCode(), 0);
    await eventually(() => (disconnected === 2 ? true : undefined), 'both stations to lose their connection');
    for (const id of ['LC-CLI-1', 'LC-CLI-16', 'LC-OWN']) await eventually(async () => ((await app.repos.stations.get(id))?.connected === false ? true : undefined), `Joule to see ${id} go`);
  });
}));
