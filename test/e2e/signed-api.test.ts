/**
 * The per-station setting for signed messages (Part 4 §7): `signedMessages` and `signingCertificate` through the
 * REST API (a certificate that does not parse is a 400 and changes nothing); signed-cli.test.ts: the CLI flag.
 */
import assert from 'node:assert/strict';
import { makeTestKey } from '../../src/protocol/signed/test-keys.ts';
import { forEachDatabase } from '../support/db.ts';
import { startApp, withApp } from './scenario-support.ts';

const certificate = makeTestKey('p256', 'SIGNED-API').certificatePem;

forEachDatabase('REST API: a station with signed messages and its signing certificate', async (env) => {
  const app = await startApp(env);
  await withApp(app, async () => {
    const call = async (method: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const response = await fetch(`http://127.0.0.1:${app.port}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${app.initialApiKey ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const created = await call('POST', '/stations', { id: 'SAPI-1', securityProfile: 0, signedMessages: true, signingCertificate: certificate });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.signedMessages, true);
    assert.equal(created.body.signingCertificate, certificate);
    const stored = await app.repos.stations.get('SAPI-1');
    assert.deepEqual([stored?.signedMessages, stored?.signingCertificate], [true, certificate]);

    const plain = await call('POST', '/stations', { id: 'SAPI-2', securityProfile: 0 });
    assert.deepEqual([plain.body.signedMessages, plain.body.signingCertificate], [false, null], 'off by default');

    const bad = await call('POST', '/stations', { id: 'SAPI-3', securityProfile: 0, signedMessages: true, signingCertificate: 'not a certificate' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'validation_failed');
    assert.match(String(bad.body.message), /signingCertificate/);
    assert.equal(await app.repos.stations.get('SAPI-3'), undefined);
    const broken = certificate.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    assert.equal((await call('PATCH', '/stations/SAPI-1', { signingCertificate: broken })).status, 400);
    assert.equal((await app.repos.stations.get('SAPI-1'))?.signingCertificate, certificate, 'unchanged after the 400');

    const off = await call('PATCH', '/stations/SAPI-1', { signedMessages: false, signingCertificate: null });
    assert.equal(off.status, 200);
    assert.deepEqual([off.body.signedMessages, off.body.signingCertificate], [false, null]);
  });
});
