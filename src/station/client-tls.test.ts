/**
 * wss with the station client: server verified against a CA (security profile 2), client certificate presented
 * (profile 3). The test makes its own CA and certificates with the openssl CLI, and is skipped without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { ConnectError } from './errors.ts';
import { closeAllClients, schemaValidator } from './testing/fixtures.ts';
import { StationClient } from './client.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

interface Pki {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  otherCa: Buffer;
}

function openssl(dir: string, args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate whose CN is the station identity. */
function makePki(dir: string, identity: string): Pki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Joule Test CA']);
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=Other CA']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', `/CN=${identity}`],
  ] as const) {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  }
  const read = (file: string): Buffer => readFileSync(join(dir, file));
  return {
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    otherCa: read('other.pem'),
  };
}

describe('StationClient over TLS', { skip: hasOpenssl ? false : 'openssl CLI not available' }, () => {
  let dir: string;
  let pki: Pki;
  let https: Server;
  let wss: WebSocketServer;
  let url: string;
  const peerCertificates: Array<{ authorized: boolean; cn: string | undefined }> = [];

  before(async () => {
    schemaValidator();
    dir = mkdtempSync(join(tmpdir(), 'joule-station-tls-'));
    pki = makePki(dir, 'CS-TLS');
    // requestCert without rejecting, so the test can see what the client presented.
    https = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: false });
    wss = new WebSocketServer({ server: https, handleProtocols: (offered) => [...offered][0] ?? false });
    wss.on('connection', (_socket, request) => {
      const tls = request.socket as TLSSocket;
      const subject = tls.getPeerCertificate().subject as Record<string, string> | undefined;
      peerCertificates.push({ authorized: tls.authorized, cn: subject?.CN });
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}/ocpp`;
  });

  after(async () => {
    await closeAllClients();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => https.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('verifies the CSMS certificate against the given CA and presents the client certificate', async () => {
    const client = new StationClient({
      url,
      identity: 'CS-TLS',
      protocols: ['ocpp2.0.1'],
      validator: schemaValidator(),
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
      reconnect: false,
    });
    peerCertificates.length = 0;
    assert.equal(await client.connect(), 'ocpp2.0.1');
    assert.deepEqual(peerCertificates, [{ authorized: true, cn: 'CS-TLS' }]);
    await client.close();
  });

  test('without a client certificate the handshake still works (profile 2); the server sees none', async () => {
    const client = new StationClient({ url, identity: 'CS-TLS', protocols: ['ocpp2.0.1'], validator: schemaValidator(), tls: { ca: pki.ca }, password: 'pw', reconnect: false });
    peerCertificates.length = 0;
    await client.connect();
    assert.deepEqual(peerCertificates, [{ authorized: false, cn: undefined }]);
    await client.close();
  });

  test('a CSMS certificate from another CA is refused', async () => {
    const client = new StationClient({ url, identity: 'CS-TLS', protocols: ['ocpp2.0.1'], validator: schemaValidator(), tls: { ca: pki.otherCa }, reconnect: false });
    await assert.rejects(client.connect(), (error: unknown) => error instanceof ConnectError && error.failure === 'network');
    await client.close();
  });
});
