/**
 * Local Controller, connection loss (OCPP-J Part 4 §6.3), against the real Joule CSMS: when the LC's connection
 * to the CSMS is lost, the station's connection is closed (so the station queues as it would on a direct link);
 * when the station's connection is lost, the LC closes the upstream one (so the CSMS knows it is offline).
 * One Joule for the whole file (starting it takes long on a loaded machine); "the CSMS goes away" uses a raw CSMS
 * that can be stopped and started again on the same port.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Joule } from '../../src/app.ts';
import { startJoule } from '../../src/app.ts';
import { loadConfig } from '../../src/shared/config.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { basicAuthorization } from '../../src/station/socket.ts';
import { RawCsms } from '../../src/lc/testing/raw-csms.ts';
import { RawStation, cleanup, startLc, station, until } from '../../src/lc/testing/support.ts';

const PASSWORD = 'loss-password-0123456789';
const BOOT = { reason: 'PowerUp', chargingStation: { model: 'J', vendorName: 'Joule' } } as const;

let joule: Joule;

before(async () => {
  const config = loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', 'storage.dataDir': 'memory://', 'log.level': 'silent', 'ocpp.allowUnknownStations': true },
  });
  joule = await startJoule(config);
});
after(() => joule.close());
afterEach(cleanup);

async function register(id: string): Promise<void> {
  await joule.repos.stations.create({ id, securityProfile: 1, passwordHash: await hashPassword(PASSWORD, { N: 1024 }), registrationStatus: 'Accepted' });
}

const connectedAtCsms = (id: string): boolean => joule.gateway.connectedIdentities().includes(id);

describe('LC connection loss (Part 4 §6.3)', () => {
  it('upstream lost → the station is closed with the CSMS\'s close code, queues, and delivers after reconnecting', async () => {
    await register('CS-UP');
    const { url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${joule.port}/ocpp` });
    const client = station(url, 'CS-UP', ['ocpp2.0.1'], { password: PASSWORD });
    const closes: Array<[number, string]> = [];
    client.on('close', (code, reason) => closes.push([code, reason]));
    await client.connect();
    assert.equal((await client.boot(BOOT)).response.status, 'Accepted');
    await until(() => connectedAtCsms('CS-UP'), 'the CSMS sees the station');

    // A direct connection with the same identity makes Joule drop the LC's upstream connection (4001).
    const intruder = await RawStation.open(`ws://127.0.0.1:${joule.port}/ocpp/CS-UP`, ['ocpp2.0.1'], { headers: { authorization: basicAuthorization('CS-UP', PASSWORD) } });
    await until(() => closes.length > 0, 'the LC closes the station');
    assert.deepEqual(closes[0], [4001, 'Replaced by a new connection']);
    intruder.socket.close();

    // The station reconnects through the LC by its back-off and delivers what it queued meanwhile.
    const heartbeat = await client.call('Heartbeat', {});
    assert.ok(typeof heartbeat.currentTime === 'string');
    assert.ok(client.isConnected);
  });

  it('the CSMS goes away → every station behind the LC is closed; they come back when it does', async () => {
    const answer = (text: string): string | undefined => {
      const [type, id] = JSON.parse(text) as [number, string];
      return type === 2 ? JSON.stringify([3, id, { currentTime: new Date().toISOString() }]) : undefined;
    };
    const csms = await RawCsms.start({ autoAnswer: answer });
    const port = csms.port;
    const { lc, url } = await startLc({ upstreamUrl: csms.url });
    const clients = ['CS-A', 'CS-B'].map((id) => station(url, id, ['ocpp1.6']));
    const closed = clients.map((client) => new Promise<number>((resolve) => client.on('close', (code) => resolve(code))));
    await Promise.all(clients.map((client) => client.connect()));
    await until(() => lc.stations().length === 2, 'both relayed');
    await csms.stop();
    // The CSMS vanished without a closing handshake (1006, which cannot be sent): the LC closes with 1001.
    assert.deepEqual(await Promise.all(closed), [1001, 1001]);
    await until(() => lc.stations().length === 0, 'the LC drops both relays');
    // Meanwhile a station queues, as it would on a direct link; it is delivered once the CSMS is back.
    const queued = clients[0]?.call('Heartbeat', {});

    const again = await RawCsms.start({ port, autoAnswer: answer });
    try {
      await until(() => clients.every((client) => client.isConnected), 'both stations reconnect through the LC');
      assert.equal(again.connections.length, 2);
      assert.ok(typeof (await queued)?.currentTime === 'string');
    } finally {
      await again.stop();
    }
  });

  it('station lost (no closing handshake) → the LC closes the upstream connection and the CSMS marks it offline', async () => {
    const { lc, url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${joule.port}/ocpp` });
    const raw = await RawStation.open(`${url}/CS-GONE`, ['ocpp2.0.1']);
    await until(() => connectedAtCsms('CS-GONE'), 'the CSMS sees the station');
    raw.socket.terminate();
    await until(() => !connectedAtCsms('CS-GONE'), 'the CSMS sees it offline');
    assert.deepEqual(lc.stations(), []);
    for (let i = 0; i < 250 && (await joule.repos.stations.get('CS-GONE'))?.connected !== false; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await joule.repos.stations.get('CS-GONE'))?.connected, false);
  });

  it('a station that closes normally: the CSMS gets the same close code', async () => {
    const codes: number[] = [];
    joule.gateway.onDisconnect((_id, code) => codes.push(code));
    const { url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${joule.port}/ocpp` });
    const client = station(url, 'CS-BYE', ['ocpp2.0.1']);
    await client.connect();
    await until(() => connectedAtCsms('CS-BYE'), 'the CSMS sees the station');
    await client.close(1000, 'bye');
    await until(() => codes.length === 1, 'the CSMS sees the close');
    assert.deepEqual(codes, [1000]);
  });
});
