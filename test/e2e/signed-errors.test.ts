/**
 * Signed messages (OCPP-J Part 4 §7) refused or answered plainly, through the Local Controller to the real Joule:
 * a tampered signature or a swapped payload is answered CALLERROR SecurityError while the genuine message gets a
 * signed reply; a station without signed messages gets NotImplemented; without a key of its own Joule still
 * verifies and answers unsigned (§7.2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach } from 'node:test';
import { cleanup as cleanupLc, RawStation, startLc } from '../../src/lc/testing/support.ts';
import { isFlattenedJws, loadSigningKey, signPayload } from '../../src/protocol/signed/index.ts';
import { makeTestKey } from '../../src/protocol/signed/test-keys.ts';
import { MessageType, type JsonObject } from '../../src/protocol/types.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { forEachDatabase } from '../support/db.ts';
import { PASSWORD, startApp, withApp } from './scenario-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-signed-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(cleanupLc);

const csmsKey = makeTestKey('p256', 'joule-csms');
const csms = { key: join(dir, 'csms.key.pem'), cert: join(dir, 'csms.cert.pem') };
writeFileSync(csms.key, csmsKey.keyPem, { mode: 0o600 });
writeFileSync(csms.cert, csmsKey.certificatePem);
const stationKeys = new Map([
  ['ES256', makeTestKey('p256', 'SIGNED-ES256')],
  ['RS256', makeTestKey('rsa2048', 'SIGNED-RS256')],
]);

function parse(text: string): unknown[] {
  const frame: unknown = JSON.parse(text);
  assert.ok(Array.isArray(frame));
  return frame;
}

forEachDatabase('signed messages: a tampered signature is answered SecurityError, unsigned stations get NotImplemented', async (env) => {
  const app = await startApp(env, { 'ocpp.signing.keyFile': csms.key, 'ocpp.signing.certFile': csms.cert, 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    const { url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${app.port}/ocpp` });
    const keys = stationKeys.get('ES256') ?? assert.fail('keys');
    const passwordHash = await hashPassword(PASSWORD, { N: 1024 });
    await app.repos.stations.create({ id: 'TAMPER-1', securityProfile: 1, passwordHash, registrationStatus: 'Accepted', signedMessages: true, signingCertificate: keys.certificatePem });
    await app.repos.stations.create({ id: 'PLAIN-1', securityProfile: 1, passwordHash, registrationStatus: 'Accepted' });
    const key = loadSigningKey({ key: keys.keyPem, certificate: keys.certificatePem });
    const auth = (id: string): { headers: { authorization: string } } => ({ headers: { authorization: `Basic ${Buffer.from(`${id}:${PASSWORD}`).toString('base64')}` } });

    const station = await RawStation.open(`${url}/TAMPER-1`, ['ocpp2.0.1'], auth('TAMPER-1'));
    const boot = await signPayload(key, 'BootNotification', MessageType.CALL, { reason: 'PowerUp', chargingStation: { model: 'Raw', vendorName: 'Joule' } });
    station.send(JSON.stringify([MessageType.CALL, 'b-1', 'BootNotification-Signed', boot]));
    const [bootAnswer] = await station.receivedCount(1);
    const bootFrame = parse(bootAnswer ?? '');
    assert.equal(bootFrame[0], MessageType.CALLRESULT, bootAnswer);

    const heartbeat = await signPayload(key, 'Heartbeat', MessageType.CALL, {});
    const flipped = heartbeat.signature.startsWith('A') ? `B${heartbeat.signature.slice(1)}` : `A${heartbeat.signature.slice(1)}`;
    station.send(JSON.stringify([MessageType.CALL, 'h-bad', 'Heartbeat-Signed', { ...heartbeat, signature: flipped }]));
    const otherPayload = await signPayload(key, 'Heartbeat', MessageType.CALL, { forged: true });
    station.send(JSON.stringify([MessageType.CALL, 'h-swap', 'Heartbeat-Signed', { ...heartbeat, payload: otherPayload.payload }]));
    station.send(JSON.stringify([MessageType.CALL, 'h-good', 'Heartbeat-Signed', heartbeat]));
    const answers = (await station.receivedCount(4)).slice(1).map(parse);
    assert.deepEqual(answers[0]?.slice(0, 3), [MessageType.CALLERROR, 'h-bad', 'SecurityError']);
    assert.deepEqual(answers[1]?.slice(0, 3), [MessageType.CALLERROR, 'h-swap', 'SecurityError']);
    assert.deepEqual(answers[2]?.slice(0, 2), [MessageType.CALLRESULT, 'h-good']);
    assert.ok(isFlattenedJws(answers[2]?.[2] as JsonObject), 'the good one gets a signed reply');

    // A station whose record has signed messages off: `-Signed` is an unknown action there.
    const plain = await RawStation.open(`${url}/PLAIN-1`, ['ocpp2.0.1'], auth('PLAIN-1'));
    plain.send(JSON.stringify([MessageType.CALL, 'p-1', 'Heartbeat-Signed', heartbeat]));
    const [plainAnswer] = await plain.receivedCount(1);
    assert.deepEqual(parse(plainAnswer ?? '').slice(0, 3), [MessageType.CALLERROR, 'p-1', 'NotImplemented']);
  });
});

forEachDatabase('signed messages: without a key of its own Joule verifies and answers unsigned (§7.2)', async (env) => {
  const app = await startApp(env, { 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    const { url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${app.port}/ocpp` });
    const keys = stationKeys.get('RS256') ?? assert.fail('keys');
    await app.repos.stations.create({ id: 'NOKEY-1', securityProfile: 1, passwordHash: await hashPassword(PASSWORD, { N: 1024 }), registrationStatus: 'Accepted', signedMessages: true, signingCertificate: keys.certificatePem });
    const key = loadSigningKey({ key: keys.keyPem, certificate: keys.certificatePem });
    const station = await RawStation.open(`${url}/NOKEY-1`, ['ocpp2.0.1'], { headers: { authorization: `Basic ${Buffer.from(`NOKEY-1:${PASSWORD}`).toString('base64')}` } });
    station.send(JSON.stringify([MessageType.CALL, 'h-1', 'Heartbeat-Signed', await signPayload(key, 'Heartbeat', MessageType.CALL, {})]));
    const [answer] = await station.receivedCount(1);
    const frame = parse(answer ?? '');
    assert.deepEqual(frame.slice(0, 2), [MessageType.CALLRESULT, 'h-1']);
    assert.equal(typeof (frame[2] as { currentTime?: unknown }).currentTime, 'string', 'a plain HeartbeatResponse');
  });
});
