/**
 * `joule lc` security (Part 4 §6.5) as a real child process: wss:// towards the station with the LC's own
 * certificate, wss:// towards Joule (security profile 2: TLS + the station's Basic auth, passed through) trusting
 * Joule's CA, and permessage-deflate negotiated on both hops (a Local Controller SHALL support RFC 7692).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import type { ConnectInfo } from '../../src/gateway/types.ts';
import { cleanup as cleanupLc, RawStation } from '../../src/lc/testing/support.ts';
import { MessageType } from '../../src/protocol/types.ts';
import { hashPassword } from '../../src/shared/password.ts';
import { testBackends, withTestDatabase } from '../support/db.ts';
import { testPki } from '../support/tls.ts';
import { PASSWORD, eventually, startApp, withApp } from './scenario-support.ts';
import { CliProcess, killChildren } from './sim-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'joule-lc-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await cleanupLc();
  await killChildren();
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** The LC's own certificate towards stations: self-signed for 127.0.0.1, unrelated to Joule's PKI. */
function lcCertificate(): { cert: string; key: string } {
  const cert = join(dir, 'lc.crt');
  const key = join(dir, 'lc.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=Joule LC test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  return { cert, key };
}

// One backend, PostgreSQL when there is one: the LC never touches storage, and each run starts a child process.
const backend = testBackends().at(-1) ?? 'pglite';

test(`joule lc: wss:// on both hops with separate certificates, Basic auth passed through, compression both ways [${backend}]`, () => withTestDatabase(backend, async (env) => {
  const pki = await testPki();
  const joulePki = { cert: file('joule.crt', pki.server.cert), key: file('joule.key', pki.server.key), ca: file('ca.crt', pki.ca.cert) };
  const app = await startApp(env, { 'tls.port': 0, 'tls.certFile': joulePki.cert, 'tls.keyFile': joulePki.key, 'ocpp.pingIntervalMs': 0 });
  await withApp(app, async () => {
    await app.repos.stations.create({ id: 'LC-TLS-1', securityProfile: 2, passwordHash: await hashPassword(PASSWORD, { N: 1024 }), registrationStatus: 'Accepted' });
    const connections: ConnectInfo[] = [];
    app.gateway.onConnect((_endpoint, info) => connections.push(info));
    const lcCert = lcCertificate();
    const lc = new CliProcess([
      'lc', '--upstream', `wss://127.0.0.1:${app.tlsPort ?? 0}/ocpp`, '--upstream-ca', joulePki.ca,
      '--tls-cert', lcCert.cert, '--tls-key', lcCert.key, '--port', '0', '--host', '127.0.0.1', '--ping-interval', '0', '--log-level', 'silent',
    ]);
    const [, port] = await lc.waitFor(/listening on wss:\/\/127\.0\.0\.1:(\d+)\/ocpp/);

    // The station trusts only the LC's certificate: Joule's would fail its check.
    const auth = { authorization: `Basic ${Buffer.from(`LC-TLS-1:${PASSWORD}`).toString('base64')}` };
    await assert.rejects(RawStation.open(`wss://127.0.0.1:${port}/ocpp/LC-TLS-1`, ['ocpp2.0.1'], { ca: readFileSync(joulePki.ca), headers: auth }));
    const station = await RawStation.open(`wss://127.0.0.1:${port}/ocpp/LC-TLS-1`, ['ocpp2.0.1'], { ca: readFileSync(lcCert.cert), headers: auth, perMessageDeflate: true });
    assert.match(station.socket.extensions, /permessage-deflate/, 'compression between station and LC');

    station.send(JSON.stringify([MessageType.CALL, 'boot-1', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'TLS', vendorName: 'Joule' } }]));
    const [answer] = await station.receivedCount(1);
    const frame = JSON.parse(answer ?? '[]') as unknown[];
    assert.deepEqual(frame.slice(0, 2), [MessageType.CALLRESULT, 'boot-1']);
    assert.equal((frame[2] as { status?: string }).status, 'Accepted');

    // At Joule: a TLS connection (profile 2, the station's password checked) with compression.
    const info = await eventually(() => connections.find((c) => c.identity === 'LC-TLS-1'), 'the upstream connection at Joule');
    assert.deepEqual([info.secure, info.securityProfile, info.compression, info.version], [true, 2, true, 'ocpp2.0.1']);
    assert.equal((await app.repos.stations.get('LC-TLS-1'))?.model, 'TLS');

    // A wrong password is refused by Joule, through the LC.
    const wrong = { authorization: `Basic ${Buffer.from('LC-TLS-1:not-the-password-000000').toString('base64')}` };
    await assert.rejects(RawStation.open(`wss://127.0.0.1:${port}/ocpp/LC-TLS-1`, ['ocpp2.0.1'], { ca: readFileSync(lcCert.cert), headers: wrong }), /401/);
    lc.signal('SIGTERM');
    assert.equal(await lc.exitCode(), 0);
  });
}));
