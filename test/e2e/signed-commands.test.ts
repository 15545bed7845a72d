/**
 * Joule's own CALLs signed (OCPP-J Part 4 §6, §7: a station behind a Local Controller can tell that a command comes
 * from the CSMS): with `ocpp.signing.signCalls` on and a key configured, every CALL to a station with signed messages
 * on goes as `<Action>-Signed`, the station verifies it against Joule's certificate and answers with a signed reply,
 * which Joule verifies before the operator gets the answer. A station without signed messages still gets plain CALLs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach } from 'node:test';
import { cleanup as cleanupLc, startLc } from '../../src/lc/testing/support.ts';
import type { RelayFrame } from '../../src/lc/index.ts';
import { isFlattenedJws } from '../../src/protocol/signed/index.ts';
import { makeTestKey } from '../../src/protocol/signed/test-keys.ts';
import { MessageType, type JsonObject } from '../../src/protocol/types.ts';
import { loadConfig } from '../../src/shared/config.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { createSimSigning } from '../../src/sim/signing.ts';
import { SimStats } from '../../src/sim/stats.ts';
import { forEachDatabase } from '../support/db.ts';
import { PASSWORD, eventually, startApp, withApp } from './scenario-support.ts';
import { accepted, command, simStation, stopStations } from './sim-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-signed-calls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await stopStations();
  await cleanupLc();
});

function keyFiles(name: string): { key: string; cert: string } {
  const material = makeTestKey('p256', name);
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  writeFileSync(key, material.keyPem, { mode: 0o600 });
  writeFileSync(cert, material.certificatePem);
  return { key, cert };
}

const csms = keyFiles('joule-csms-calls');
const stationKeys = keyFiles('SIGNED-CMD-1');

const frame = (text: string): unknown[] => JSON.parse(text) as unknown[];

forEachDatabase("signCalls: Joule's commands go signed to stations with signed messages on, plain to the others", async (env) => {
  const app = await startApp(env, { 'ocpp.signing.keyFile': csms.key, 'ocpp.signing.certFile': csms.cert, 'ocpp.signing.signCalls': true, 'ocpp.heartbeatIntervalS': 300 });
  await withApp(app, async () => {
    const frames: RelayFrame[] = [];
    const { url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${app.port}/ocpp`, onFrame: (relayed) => frames.push(relayed) });
    const passwordHash = await hashPassword(PASSWORD, { N: 1024 });
    const certificate = (await import('node:fs')).readFileSync(stationKeys.cert, 'utf8');
    await app.repos.stations.create({ id: 'SIGNED-CMD-1', securityProfile: 1, passwordHash, registrationStatus: 'Accepted', signedMessages: true, signingCertificate: certificate });
    await app.repos.stations.create({ id: 'PLAIN-CMD-1', securityProfile: 1, passwordHash, registrationStatus: 'Accepted' });

    const counters = new SimStats();
    const { signing } = createSimSigning({ key: stationKeys.key, cert: stationKeys.cert, csmsCert: csms.cert }, counters);
    // The station sends its own CALLs plain: only Joule's CALLs are under test here.
    const signed = simStation({ identity: 'SIGNED-CMD-1', version: 'ocpp2.0.1', url, password: PASSWORD, signing, signCalls: () => false });
    const plain = simStation({ identity: 'PLAIN-CMD-1', version: 'ocpp2.0.1', url, password: PASSWORD });
    await accepted(signed);
    await accepted(plain);

    const clear = await command(app, 'SIGNED-CMD-1', 'clear-cache', {});
    assert.equal(clear.status, 200, JSON.stringify(clear.body));
    assert.equal(clear.body.status, 'Accepted');
    const trigger = await command(app, 'SIGNED-CMD-1', 'trigger-message', { message: 'Heartbeat' });
    assert.equal(trigger.status, 200, JSON.stringify(trigger.body));

    const toSigned = frames.filter((f) => f.identity === 'SIGNED-CMD-1' && f.from === 'csms' && frame(f.text)[0] === MessageType.CALL).map((f) => frame(f.text));
    assert.deepEqual(
      toSigned.map((call) => call[2]),
      ['ClearCache-Signed', 'TriggerMessage-Signed'],
      "Joule's CALLs to the station with signed messages on",
    );
    for (const call of toSigned) {
      const jws = call[3] as JsonObject;
      assert.ok(isFlattenedJws(jws));
      const header = JSON.parse(Buffer.from(String(jws.protected), 'base64url').toString()) as JsonObject;
      assert.deepEqual([header.alg, header.OCPPMessageTypeId, `${String(header.OCPPAction)}-Signed`], ['ES256', MessageType.CALL, call[2]]);
      assert.equal(typeof header['x5t#S256'], 'string');
    }
    // The station verified both CALLs against Joule's certificate and signed its replies, which Joule accepted.
    const replies = frames.filter((f) => f.identity === 'SIGNED-CMD-1' && f.from === 'station' && frame(f.text)[0] === MessageType.CALLRESULT);
    assert.ok(replies.length >= 2 && replies.every((r) => isFlattenedJws(frame(r.text)[2] as JsonObject)), 'signed replies');
    await eventually(() => (counters.signedVerified >= 2 ? true : undefined), 'the station verified the signed CALLs');

    const plainClear = await command(app, 'PLAIN-CMD-1', 'clear-cache', {});
    assert.equal(plainClear.status, 200, JSON.stringify(plainClear.body));
    const toPlain = frames.filter((f) => f.identity === 'PLAIN-CMD-1' && f.from === 'csms' && frame(f.text)[0] === MessageType.CALL).map((f) => frame(f.text));
    assert.deepEqual(
      toPlain.map((call) => call[2]),
      ['ClearCache'],
      'a station without signed messages gets plain CALLs',
    );
  });
});

forEachDatabase('signCalls without a signing key: Joule refuses to start', async (env) => {
  await assert.rejects(startApp(env, { 'ocpp.signing.signCalls': true }), /signCalls needs/);
  assert.equal(loadConfig({ env: { JOULE_SIGN_CALLS: 'true' } }).ocpp.signing.signCalls, true, 'JOULE_SIGN_CALLS');
});
