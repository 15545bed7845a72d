/**
 * Local Controller, transparent relay (OCPP-J Part 4 §6.1, §6.2, §6.4 first sentence, §7): the CSMS sees the same
 * frames, byte for byte, as on a direct connection, and so does the station; the handshake mirrors the CSMS's
 * decisions (§3.2); signed messages pass untouched and still verify end to end.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConnectError } from '../../src/station/errors.ts';
import { basicAuthorization } from '../../src/station/socket.ts';
import type { OcppVersion } from '../../src/protocol/types.ts';
import type { FrameEvent } from '../../src/protocol/endpoint.ts';
import { KeyRing, isFlattenedJws, loadSigningKey, signPayload, verifySigned } from '../../src/protocol/signed/index.ts';
import { makeTestKey } from '../../src/protocol/signed/test-keys.ts';
import type { RawConnection } from '../../src/lc/testing/raw-csms.ts';
import { RawCsms } from '../../src/lc/testing/raw-csms.ts';
import { RawStation, cleanup, startLc, station } from '../../src/lc/testing/support.ts';

afterEach(cleanup);

const NOW = '2025-01-01T00:00:00.000Z';

/** Texts a re-serialiser would change: spacing, key order, `1.0` and `1e3`, \u escapes, ids with spaces. */
const STATION_CALLS = [
  '[2, "19223201" ,"BootNotification",{"reason":"PowerUp","chargingStation":{"vendorName":"\\u00dcnic\\u00f8de","model":"X"}}]',
  '[2,"7","Heartbeat",{ }]',
  '[2,"m 3","MeterValues",{"meterValue":[{"sampledValue":[{"value":1.0},{"value":1e3}],"timestamp":"2025-01-01T00:00:00Z"}],"evseId":1}]',
];
const CSMS_CALL = '[2,  "csms-1","GetVariables",{"getVariableData":[{"variable":{"name":"HeartbeatInterval"},"component":{"name":"OCPPCommCtrlr"}}]}]';
const STATION_REPLY = '[3,"csms-1",{"getVariableResult":[{"attributeStatus":"Accepted","attributeValue":"300","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"}}] }]';

/** A CALLRESULT with its own odd spacing for every CALL. */
function oddAnswer(text: string): string | undefined {
  const frame = JSON.parse(text) as unknown[];
  if (frame[0] !== 2) return undefined;
  return `[3,  ${JSON.stringify(frame[1])} , {"interval":300 ,"status":"Accepted","currentTime":"${NOW}"}]`;
}

/** A schema-valid answer for the StationClient scenarios. */
function validAnswer(text: string): string | undefined {
  const [type, id, action] = JSON.parse(text) as [number, string, string];
  if (type !== 2) return undefined;
  const payload = action === 'BootNotification' ? { currentTime: NOW, interval: 300, status: 'Accepted' } : action === 'Heartbeat' ? { currentTime: NOW } : {};
  return JSON.stringify([3, id, payload]);
}

interface RawRun {
  path: string | undefined;
  offered: string | undefined;
  authorization: string | undefined;
  protocol: string;
  atCsms: string[];
  atStation: string[];
}

/** The raw station's script against `url`: three CALLs up, one CALL down and its reply. */
async function rawScript(csms: RawCsms, url: string): Promise<RawRun> {
  const raw = await RawStation.open(`${url}/CS%20RAW`, ['ocpp2.0.1', 'ocpp1.6'], { headers: { authorization: basicAuthorization('CS RAW', 'pw') } });
  const connection = await csms.nextConnection();
  for (const [index, text] of STATION_CALLS.entries()) {
    raw.send(text);
    await raw.receivedCount(index + 1);
  }
  connection.send(CSMS_CALL);
  await raw.receivedCount(STATION_CALLS.length + 1);
  raw.send(STATION_REPLY);
  assert.equal(await connection.next(), STATION_REPLY);
  raw.socket.close(1000);
  await connection.closed;
  const request = connection.request;
  return {
    path: request.url,
    offered: request.headers['sec-websocket-protocol'],
    authorization: request.headers.authorization,
    protocol: raw.socket.protocol,
    atCsms: connection.received,
    atStation: raw.received,
  };
}

describe('LC transparent relay (Part 4 §6.1, §6.2)', () => {
  it('the CSMS and the station see exactly the same bytes as on a direct connection', async () => {
    const csms = await RawCsms.start({ autoAnswer: (text) => oddAnswer(text) });
    try {
      const direct = await rawScript(csms, csms.url);
      const { url } = await startLc({ upstreamUrl: csms.url });
      const relayed = await rawScript(csms, url);
      assert.deepEqual(relayed, direct);
      assert.deepEqual(relayed.atCsms, [...STATION_CALLS, STATION_REPLY]);
      assert.equal(relayed.atStation.at(-1), CSMS_CALL);
      assert.equal(relayed.path, '/ocpp/CS%20RAW');
    } finally {
      await csms.stop();
    }
  });

  for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    it(`${version} StationClient: every frame arrives unchanged, and the CSMS's frames reach the station unchanged`, async () => {
      const csms = await RawCsms.start({ autoAnswer: (text) => validAnswer(text) });
      try {
        const lcFrames: string[] = [];
        const { url } = await startLc({ upstreamUrl: csms.url, onFrame: (f) => void (f.from === 'csms' && lcFrames.push(f.text)) });
        const sent: string[] = [];
        const client = station(url, `CS-${version}`, [version], { onFrame: (e: FrameEvent) => void (e.direction === 'out' && sent.push(e.text)) });
        await client.connect();
        const connection = await csms.nextConnection();
        await client.boot(version === 'ocpp1.6' ? { chargePointVendor: 'Joule', chargePointModel: 'J' } : { reason: 'PowerUp', chargingStation: { model: 'J', vendorName: 'Joule' } });
        await client.call('Heartbeat', {});
        // A CSMS CALL the client has no handler for: its CALLERROR comes back unchanged too.
        connection.send('[2,"down-1","Reset",{"type":"Immediate"}]');
        await until(() => connection.received.length === 3);
        assert.deepEqual(connection.received, sent);
        assert.deepEqual(lcFrames, connection.sent);
      } finally {
        await csms.stop();
      }
    });
  }

  it('with and without the LC a StationClient session produces the same frames at the CSMS (ids aside)', async () => {
    const csms = await RawCsms.start({ autoAnswer: (text) => validAnswer(text) });
    const session = async (url: string): Promise<unknown[]> => {
      const client = station(url, 'CS-SAME', ['ocpp2.0.1'], { password: 'secret-1' });
      await client.connect();
      const connection = await csms.nextConnection();
      await client.boot({ reason: 'PowerUp', chargingStation: { model: 'J', vendorName: 'Joule' } });
      await client.call('StatusNotification', { timestamp: NOW, connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      await client.call('Heartbeat', {});
      await client.close();
      const { headers, url: path } = connection.request;
      // Message ids are random per run; everything else must match.
      const frames = connection.received.map((text) => (JSON.parse(text) as unknown[]).map((v, i) => (i === 1 ? '<id>' : v)));
      return [path, headers['sec-websocket-protocol'], headers.authorization, frames];
    };
    try {
      const direct = await session(csms.url);
      const { url } = await startLc({ upstreamUrl: csms.url });
      assert.deepEqual(await session(url), direct);
    } finally {
      await csms.stop();
    }
  });

  it('negotiates with the station the version the CSMS chose', async () => {
    const csms = await RawCsms.start({ chooseProtocol: (offered) => (offered.includes('ocpp1.6') ? 'ocpp1.6' : false), autoAnswer: validAnswer });
    try {
      const { url } = await startLc({ upstreamUrl: csms.url });
      const client = station<OcppVersion>(url, 'CS-PICK', ['ocpp2.0.1', 'ocpp1.6']);
      assert.equal(await client.connect(), 'ocpp1.6');
      const connection = await csms.nextConnection();
      assert.equal(connection.request.headers['sec-websocket-protocol'], 'ocpp2.0.1,ocpp1.6');
      assert.equal(connection.socket.protocol, 'ocpp1.6');
    } finally {
      await csms.stop();
    }
  });

  it('refuses the station the way the CSMS refused the LC: 404, 401 with challenge, no subprotocol (§3.2)', async () => {
    const csms = await RawCsms.start({ chooseProtocol: (offered) => (offered.includes('ocpp1.6') ? 'ocpp1.6' : false) });
    try {
      const { url } = await startLc({ upstreamUrl: csms.url });
      const failure = async (protocols: OcppVersion[]): Promise<ConnectError> => {
        const client = station(url, 'CS-NO', protocols, { reconnect: false });
        const error = await client.connect().then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof ConnectError, String(error));
        return error;
      };
      csms.refuseWith = 404;
      assert.equal((await failure(['ocpp1.6'])).status, 404);
      csms.refuseWith = 401;
      await assert.rejects(RawStation.open(`${url}/CS-NO`, ['ocpp1.6']), /HTTP 401 Basic realm="Raw"/);
      csms.refuseWith = undefined;
      assert.equal((await failure(['ocpp2.0.1'])).failure, 'no-subprotocol');
    } finally {
      await csms.stop();
    }
  });

  it('Basic credentials: passed through by default, or the LC\'s own, with the LC checking the station', async () => {
    const csms = await RawCsms.start();
    try {
      const pass = await startLc({ upstreamUrl: csms.url });
      await station(pass.url, 'CS-AUTH', ['ocpp2.0.1'], { password: 'station-pw' }).connect();
      assert.equal((await csms.nextConnection()).request.headers.authorization, basicAuthorization('CS-AUTH', 'station-pw'));

      const own = await startLc({
        upstreamUrl: csms.url,
        upstreamAuth: { mode: 'own', password: (identity) => `lc-pw-for-${identity}` },
        authorizeStation: ({ identity, credentials }) => credentials?.username === identity && credentials.password === 'station-pw',
      });
      await station(own.url, 'CS-AUTH', ['ocpp2.0.1'], { password: 'station-pw' }).connect();
      assert.equal((await csms.nextConnection()).request.headers.authorization, basicAuthorization('CS-AUTH', 'lc-pw-for-CS-AUTH'));
      const wrong = station(own.url, 'CS-AUTH', ['ocpp2.0.1'], { password: 'guess', reconnect: false });
      const error = await wrong.connect().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof ConnectError && error.status === 401);
    } finally {
      await csms.stop();
    }
  });
});

describe('LC and signed messages (Part 4 §7, §6.5)', () => {
  it('relays a BootNotification-Signed and its signed answer byte for byte; both verify end to end', async () => {
    const stationKeyMaterial = makeTestKey('p256', 'CS-SIGNED');
    const csmsKeyMaterial = makeTestKey('p256', 'CSMS');
    const stationKey = loadSigningKey({ key: stationKeyMaterial.keyPem, certificate: stationKeyMaterial.certificatePem });
    const csmsKey = loadSigningKey({ key: csmsKeyMaterial.keyPem, certificate: csmsKeyMaterial.certificatePem });
    const boot = { reason: 'PowerUp', chargingStation: { model: 'J', vendorName: 'Joule' } };
    const signedCall = JSON.stringify([2, 'sig-1', 'BootNotification-Signed', await signPayload(stationKey, 'BootNotification', 2, boot)]);
    const signedResult = JSON.stringify([3, 'sig-1', await signPayload(csmsKey, 'BootNotification', 3, { currentTime: NOW, interval: 300, status: 'Accepted' })]);
    const csms = await RawCsms.start({ autoAnswer: (text) => (text.includes('"sig-1"') ? signedResult : undefined) });
    try {
      const { url } = await startLc({ upstreamUrl: csms.url });
      const raw = await RawStation.open(`${url}/CS-SIGNED`, ['ocpp2.0.1']);
      const connection: RawConnection = await csms.nextConnection();
      raw.send(signedCall);
      const [answer] = await raw.receivedCount(1);
      assert.equal(connection.received[0], signedCall);
      assert.equal(answer, signedResult);

      const ring = new KeyRing();
      ring.trust('CS-SIGNED', stationKeyMaterial.certificatePem);
      ring.trust('CSMS', csmsKeyMaterial.certificatePem);
      const [, , , jws] = JSON.parse(connection.received[0] as string) as [number, string, string, Record<string, string>];
      const verified = await verifySigned({ jws, action: 'BootNotification', messageTypeId: 2, identity: 'CS-SIGNED', keyRing: ring });
      assert.deepEqual(verified.payload, boot);
      const [, , resultJws] = JSON.parse(answer as string) as [number, string, Record<string, string>];
      assert.ok(isFlattenedJws(resultJws));
      assert.equal((await verifySigned({ jws: resultJws, action: 'BootNotification', messageTypeId: 3, identity: 'CSMS', keyRing: ring })).payload.status, 'Accepted');
    } finally {
      await csms.stop();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
