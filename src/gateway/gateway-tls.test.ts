/** Security profiles 2 and 3 over wss:// with a PKI made at test time (OCPP 2.0.1 Part 2 A00.FR.2xx-4xx). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeyPair, TestPki } from '../../test/support/tls.ts';
import { testPki } from '../../test/support/tls.ts';
import { hashPassword } from '../shared/password.ts';
import type { TestGateway } from './test-support.ts';
import { basicAuth, closed, connect, open, roundTrip, startGateway } from './test-support.ts';
import type { ConnectInfo } from './types.ts';

const PASSWORD = 'tls-password-000001';

describe('OcppGateway over TLS', () => {
  let pki: TestPki;
  let t: TestGateway;
  const connects: ConnectInfo[] = [];
  let cs3: KeyPair;

  before(async () => {
    pki = await testPki();
    const passwordHash = await hashPassword(PASSWORD, { N: 1024 });
    cs3 = await pki.client('CS3');
    t = await startGateway({
      stations: {
        CS1: { securityProfile: 1, passwordHash },
        CS2: { securityProfile: 2, passwordHash },
        CS3: { securityProfile: 3 },
        SERIAL: { securityProfile: 3, certificateCommonName: 'SN-0042' },
      },
      caCertificates: [pki.ca.cert],
      authFailure: { baseDelayMs: 1, maxDelayMs: 8 },
      tls: { key: pki.server.key, cert: pki.server.cert, ca: [pki.ca.cert], requestCert: true, rejectUnauthorized: false },
    });
    t.gateway.onConnect((_endpoint, info) => connects.push(info));
  });
  after(() => t.close());

  const wss = (identity: string): string => t.url(identity, { secure: true });

  describe('profile 2 (TLS + Basic)', () => {
    it('accepts the right password over TLS', async () => {
      const ws = await open(wss('CS2'), 'ocpp2.0.1', { ca: pki.ca.cert, headers: basicAuth('CS2', PASSWORD) });
      assert.deepEqual({ secure: connects.at(-1)?.secure, profile: connects.at(-1)?.securityProfile }, { secure: true, profile: 2 });
      const reply = await roundTrip(ws, [2, 'tls-hb', 'Heartbeat', {}]);
      assert.equal(reply[0], 3);
      ws.close();
      await closed(ws);
    });
    it('answers 401 for a wrong password over TLS', async () => {
      const result = await connect(wss('CS2'), 'ocpp2.0.1', { ca: pki.ca.cert, headers: basicAuth('CS2', 'nope-nope-nope-nope') });
      assert.equal(result.kind === 'refused' && result.status, 401);
    });
    it('lets a profile 1 station use TLS as well (never weaker than registered)', async () => {
      const ws = await open(wss('CS1'), 'ocpp2.0.1', { ca: pki.ca.cert, headers: basicAuth('CS1', PASSWORD) });
      ws.close();
      await closed(ws);
    });
  });

  describe('profile 3 (client certificate)', () => {
    it('accepts a certificate from the station CA whose CN is the identity', async () => {
      const ws = await open(wss('CS3'), 'ocpp2.0.1', { ca: pki.ca.cert, cert: cs3.cert, key: cs3.key });
      assert.equal(connects.at(-1)?.certificateCommonName, 'CS3');
      assert.equal(connects.at(-1)?.securityProfile, 3);
      ws.close();
      await closed(ws);
    });
    it('checks the configured CN instead of the identity when the station has one', async () => {
      const serial = await pki.client('SN-0042');
      const ws = await open(wss('SERIAL'), 'ocpp2.0.1', { ca: pki.ca.cert, cert: serial.cert, key: serial.key });
      assert.equal(connects.at(-1)?.certificateCommonName, 'SN-0042');
      ws.close();
      await closed(ws);
      const wrong = await connect(wss('SERIAL'), 'ocpp2.0.1', { ca: pki.ca.cert, cert: cs3.cert, key: cs3.key });
      assert.equal(wrong.kind === 'refused' && wrong.status, 401);
    });
    it('refuses a certificate whose CN is another station (401)', async () => {
      const other = await pki.client('CS4');
      const result = await connect(wss('CS3'), 'ocpp2.0.1', { ca: pki.ca.cert, cert: other.cert, key: other.key });
      assert.equal(result.kind === 'refused' && result.status, 401);
      assert.equal(result.kind === 'refused' && result.headers['www-authenticate'], undefined);
    });
    it('refuses a certificate from another CA (401, not a TLS alert)', async () => {
      const foreign = await pki.client('CS3', 'otherCa');
      const result = await connect(wss('CS3'), 'ocpp2.0.1', { ca: pki.ca.cert, cert: foreign.cert, key: foreign.key });
      assert.equal(result.kind === 'refused' && result.status, 401);
    });
    it('refuses a connection without a certificate (401)', async () => {
      const result = await connect(wss('CS3'), 'ocpp2.0.1', { ca: pki.ca.cert });
      assert.equal(result.kind === 'refused' && result.status, 401);
    });
    it('refuses Basic credentials in place of the certificate', async () => {
      const result = await connect(wss('CS3'), 'ocpp2.0.1', { ca: pki.ca.cert, headers: basicAuth('CS3', PASSWORD) });
      assert.equal(result.kind === 'refused' && result.status, 401);
    });
  });

  it('pins the station CA even when the TLS server trusts more CAs', async () => {
    const broad = await startGateway({
      stations: { CS3: { securityProfile: 3 } },
      caCertificates: [pki.ca.cert],
      tls: { key: pki.server.key, cert: pki.server.cert, ca: [pki.ca.cert, pki.otherCa.cert], requestCert: true, rejectUnauthorized: false },
    });
    try {
      const foreign = await pki.client('CS3', 'otherCa');
      const refused = await connect(broad.url('CS3', { secure: true }), 'ocpp2.0.1', { ca: pki.ca.cert, cert: foreign.cert, key: foreign.key });
      assert.equal(refused.kind === 'refused' && refused.status, 401);
      const ws = await open(broad.url('CS3', { secure: true }), 'ocpp2.0.1', { ca: pki.ca.cert, cert: cs3.cert, key: cs3.key });
      ws.close();
      await closed(ws);
    } finally {
      await broad.close();
    }
  });

  it('serves ws:// and wss:// from one gateway at once', async () => {
    const plain = await open(t.url('CS1'), 'ocpp1.6', { headers: basicAuth('CS1', PASSWORD) });
    const secure = await open(wss('CS3'), 'ocpp2.0.1', { ca: pki.ca.cert, cert: cs3.cert, key: cs3.key });
    assert.deepEqual(t.gateway.connectedIdentities().sort(), ['CS1', 'CS3']);
    assert.equal(t.gateway.connectionInfo('CS1')?.secure, false);
    assert.equal(t.gateway.connectionInfo('CS3')?.secure, true);
    plain.close();
    secure.close();
    await Promise.all([closed(plain), closed(secure)]);
  });
});
