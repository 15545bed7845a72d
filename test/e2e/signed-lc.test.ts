/**
 * Signed messages (OCPP-J Part 4 §7) end to end: simulated stations sign every CALL (ES256, RS256, RS384), the
 * Local Controller relays the signed frames untouched (§6), Joule verifies them against the certificate stored
 * with the station, handles the enclosed messages normally (boot, a whole transaction) and signs its replies with
 * its own key from the configuration (§7.2), which the stations verify against Joule's certificate.
 * signed-errors.test.ts: tampered signatures, stations without signed messages, Joule without a key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach } from 'node:test';
import { cleanup as cleanupLc, startLc } from '../../src/lc/testing/support.ts';
import type { RelayFrame } from '../../src/lc/index.ts';
import { isFlattenedJws, type SigningAlgorithm } from '../../src/protocol/signed/index.ts';
import { makeTestKey, testKeyTypeFor } from '../../src/protocol/signed/test-keys.ts';
import { MessageType, type JsonObject } from '../../src/protocol/types.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { createSimSigning } from '../../src/sim/signing.ts';
import { SimStats } from '../../src/sim/stats.ts';
import { forEachDatabase } from '../support/db.ts';
import { PASSWORD, eventually, startApp, withApp } from './scenario-support.ts';
import { accepted, simStation, stopStations } from './sim-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-signed-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await stopStations();
  await cleanupLc();
});

/** A key and certificate written to files; returns their paths and the material. */
function keyFiles(name: string, alg: SigningAlgorithm): { key: string; cert: string; keyPem: string; certificatePem: string } {
  const material = makeTestKey(testKeyTypeFor(alg), name);
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  writeFileSync(key, material.keyPem, { mode: 0o600 });
  writeFileSync(cert, material.certificatePem);
  return { key, cert, keyPem: material.keyPem, certificatePem: material.certificatePem };
}

const csms = keyFiles('joule-csms', 'ES256');
const ALGORITHMS: SigningAlgorithm[] = ['ES256', 'RS256', 'RS384'];
const stationKeys = new Map(ALGORITHMS.map((alg) => [alg, keyFiles(`SIGNED-${alg}`, alg)]));

function parse(text: string): unknown[] {
  const frame: unknown = JSON.parse(text);
  assert.ok(Array.isArray(frame));
  return frame;
}

forEachDatabase('signed messages through the Local Controller: ES256, RS256, RS384 verified at Joule, signed replies verified at the stations', async (env) => {
  // Long heartbeat interval: once a session is over the stations are quiet, so frames and counters can be compared.
  const app = await startApp(env, { 'ocpp.signing.keyFile': csms.key, 'ocpp.signing.certFile': csms.cert, 'ocpp.pingIntervalMs': 0, 'ocpp.heartbeatIntervalS': 300 });
  await withApp(app, async () => {
    const frames: RelayFrame[] = [];
    const { url } = await startLc({ upstreamUrl: `ws://127.0.0.1:${app.port}/ocpp`, onFrame: (frame) => frames.push(frame) });
    await app.repos.tokens.upsert({ idToken: 'SIGNED-TAG', type: 'ISO14443', status: 'Accepted' });
    const passwordHash = await hashPassword(PASSWORD, { N: 1024 });

    for (const alg of ALGORITHMS) {
      const keys = stationKeys.get(alg) ?? assert.fail('keys');
      const id = `SIGNED-${alg}`;
      await app.repos.stations.create({ id, securityProfile: 1, passwordHash, registrationStatus: 'Accepted', signedMessages: true, signingCertificate: keys.certificatePem });
      const counters = new SimStats();
      const { signing, signCalls } = createSimSigning({ key: keys.key, cert: keys.cert, alg, csmsCert: csms.cert }, counters);
      const station = simStation({ identity: id, version: 'ocpp2.0.1', url, password: PASSWORD, signing, signCalls, meterIntervalS: 0.2 });
      await accepted(station);

      // A whole transaction in signed messages: Joule handles the enclosed TransactionEvents normally.
      const session = await station.sessions.start(1, 'SIGNED-TAG', 'ISO14443');
      assert.ok(session, `${alg}: the signed Authorize was accepted`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      station.sessions.stop(1, 'Local');
      await station.outbox.idle();
      const stored = await eventually(async () => {
        const tx = await app.repos.transactions.get(id, session.transactionId);
        return tx?.state === 'completed' ? tx : undefined;
      }, `${alg}: the signed transaction completed at Joule`);
      assert.equal(stored.idToken, 'SIGNED-TAG');
      assert.ok((stored.energyWh ?? 0) > 0, `${alg}: energy from the signed meter values`);

      // On the wire (as relayed by the LC): only signed CALLs from the station, only signed CALLRESULTs from Joule.
      const ofStation = frames.filter((f) => f.identity === id).map((f) => ({ from: f.from, frame: parse(f.text) }));
      const calls = ofStation.filter((f) => f.from === 'station' && f.frame[0] === MessageType.CALL);
      const results = ofStation.filter((f) => f.from === 'csms' && f.frame[0] === MessageType.CALLRESULT);
      assert.ok(calls.length >= 6, `${alg}: boot, statuses, authorize, transaction events`);
      for (const { frame } of calls) {
        assert.match(String(frame[2]), /-Signed$/, `${alg}: ${String(frame[2])} sent signed`);
        const header = JSON.parse(Buffer.from((frame[3] as { protected: string }).protected, 'base64url').toString()) as JsonObject;
        assert.equal(header.alg, alg);
        assert.equal(header.OCPPMessageTypeId, MessageType.CALL);
        assert.equal(`${String(header.OCPPAction)}-Signed`, frame[2]);
        assert.equal(typeof header['x5t#S256'], 'string');
      }
      for (const { frame } of results) assert.ok(isFlattenedJws(frame[2] as JsonObject), `${alg}: Joule's reply is signed`);
      assert.equal(results.length, calls.length, `${alg}: every signed CALL answered with a signed CALLRESULT`);
      assert.equal(ofStation.filter((f) => f.frame[0] === MessageType.CALLERROR).length, 0, `${alg}: no CALLERROR`);
      await eventually(() => (counters.signedVerified === results.length ? true : undefined), `${alg}: every signed reply (${results.length}) verified at the station, got ${counters.signedVerified}`);
      assert.ok(frames.filter((f) => f.identity === id).every((f) => f.relayed), 'the LC relayed them; none of its own');
    }
  });
});
