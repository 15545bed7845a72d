/**
 * Transport rules (checklist §1-4, 6, 7): envelopes on every answer, HTTP 400/401/404, Token A scope, base64 and
 * plain tokens, request/correlation ids, routing headers and parties, versions.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { startEmsp } from './support/emsp.ts';
import { assertEnvelope, registered } from './support/framework.ts';

forEachDatabase('401 with an envelope: no header, unknown token, Token A on a functional module; ids echoed even then', async (env, t) => {
  const { joule, emsp, tokenA: usedA } = await registered(env, t);
  const { tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'other', allowPlainHttp: true });

  const none = await emsp.call('GET', joule.versionsUrl, undefined, { token: null, headers: { 'x-request-id': 'req-1', 'x-correlation-id': 'cor-1' } });
  assert.equal(none.status, 401);
  assertEnvelope(none.body, 2000);
  assert.equal(none.headers.get('x-request-id'), 'req-1');
  assert.equal(none.headers.get('x-correlation-id'), 'cor-1');
  assert.equal((await emsp.call('GET', joule.versionsUrl, undefined, { token: 'nope' })).status, 401);
  assert.equal((await emsp.call('GET', joule.versionsUrl, undefined, { token: usedA })).status, 401, 'a used Token A is dead');
  const malformed = await fetch(joule.versionsUrl, { headers: { authorization: 'Bearer abc' } });
  assert.equal(malformed.status, 401);

  // Token A: versions and credentials yes, functional modules no.
  assert.equal((await emsp.call('GET', joule.versionsUrl, undefined, { token: tokenA })).status, 200);
  assert.equal((await emsp.call('GET', `${joule.base}/2.2.1`, undefined, { token: tokenA })).status, 200);
  const functional = await emsp.call('GET', `${joule.base}/2.2.1/cdrs`, undefined, { token: tokenA });
  assert.equal(functional.status, 401);
  assertEnvelope(functional.body, 2000);
  // The registered token reaches it.
  assert.equal((await emsp.call('GET', `${joule.base}/2.2.1/cdrs`)).status, 200);
});

forEachDatabase('versions lists 2.2.1 and 2.1.1; details list registered modules (role only in 2.2.1)', async (env, t) => {
  const { joule, emsp } = await registered(env, t);
  const versions = await emsp.call('GET', joule.versionsUrl);
  assertEnvelope(versions.body, 1000);
  assert.deepEqual(versions.body.data, [
    { version: '2.2.1', url: `${joule.base}/2.2.1` },
    { version: '2.1.1', url: `${joule.base}/2.1.1` },
  ]);
  const v221 = await emsp.call('GET', `${joule.base}/2.2.1`);
  assert.deepEqual(v221.body.data, {
    version: '2.2.1',
    endpoints: [
      { identifier: 'credentials', role: 'SENDER', url: `${joule.base}/2.2.1/credentials` },
      { identifier: 'cdrs', role: 'SENDER', url: `${joule.base}/2.2.1/cdrs` },
    ],
  });
  const v211 = await emsp.call('GET', `${joule.base}/2.1.1`);
  assert.deepEqual(v211.body.data, {
    version: '2.1.1',
    endpoints: [
      { identifier: 'credentials', url: `${joule.base}/2.1.1/credentials` },
      { identifier: 'cdrs', url: `${joule.base}/2.1.1/cdrs` },
    ],
  });
});

forEachDatabase('HTTP 400 for malformed JSON, 2001 naming the missing field, 404 envelopes, 500/3000 on a crash, 2004 → 2000 in 2.1.1', async (env, t) => {
  const { joule, emsp } = await registered(env, t);
  const url = `${joule.base}/2.2.1/cdrs`;
  const bad = await emsp.call('PUT', `${url}/x`, '{"id": "x",');
  assert.equal(bad.status, 400);
  assertEnvelope(bad.body, 2000);
  const missing = await emsp.call('PUT', `${url}/x`, { id: 'x' });
  assert.equal(missing.status, 200);
  assertEnvelope(missing.body, 2001);
  assert.match(missing.body.status_message ?? '', /last_updated/);
  const created = await emsp.call('PUT', `${url}/new`, { id: 'new', last_updated: '2026-02-01T00:00:00Z' });
  assert.equal(created.status, 201);
  assert.equal(created.body.data, undefined, 'no data on an acknowledgement');
  assert.equal((await emsp.call('PUT', `${url}/new`, { id: 'new', last_updated: '2026-02-02T00:00:00Z' })).status, 200);
  const mismatch = await emsp.call('PUT', `${url}/new`, { id: 'other', last_updated: '2026-02-02T00:00:00Z' });
  assertEnvelope(mismatch.body, 2001);
  const unknown = await emsp.call('GET', `${url}/nope`);
  assert.equal(unknown.status, 404);
  assertEnvelope(unknown.body, 2000);
  const noRoute = await emsp.call('GET', `${joule.base}/2.2.1/nothing-here`);
  assert.equal(noRoute.status, 404);
  assertEnvelope(noRoute.body, 2000);
  const crash = await emsp.call('POST', `${url}/crash`, {});
  assert.equal(crash.status, 500);
  assertEnvelope(crash.body, 3000);
  assertEnvelope((await emsp.call('POST', `${url}/token-check`, {})).body, 2004);
  assertEnvelope((await emsp.call('POST', `${joule.base}/2.1.1/cdrs/token-check`, {})).body, 2000);
  const textBody = await fetch(`${url}/x`, { method: 'PUT', headers: { authorization: emsp.encode(emsp.jouleToken as string), 'content-type': 'text/plain' }, body: 'hi' });
  assert.equal(textBody.status, 415);
  assertEnvelope((await textBody.json()) as { status_code: number; timestamp: string }, 2000);
});

forEachDatabase('request ids, routing headers and our party: echoed, swapped, resolved from token and OCPI-to headers', async (env, t) => {
  const parties = [
    { countryCode: 'NL', partyId: 'JOU', name: 'Joule NL' },
    { countryCode: 'BE', partyId: 'JOB', name: 'Joule BE' },
  ];
  const { joule, emsp, partner } = await registered(env, t, { 'ocpi.parties': parties });
  const url = `${joule.base}/2.2.1/cdrs/whoami`;
  const plain = await emsp.call('GET', url, undefined, { headers: { 'x-request-id': 'r-1', 'x-correlation-id': 'c-1' } });
  assert.deepEqual(plain.body.data, { version: '2.2.1', partner: partner.id, party: 'NL/JOU', remote: 'DE/EMS', requestId: 'r-1' });
  assert.equal(plain.headers.get('x-request-id'), 'r-1');
  assert.equal(plain.headers.get('x-correlation-id'), 'c-1');
  assert.equal(plain.headers.get('ocpi-from-country-code'), 'NL');
  assert.equal(plain.headers.get('ocpi-from-party-id'), 'JOU');
  assert.equal(plain.headers.get('ocpi-to-party-id'), 'EMS');
  // Generated when absent.
  assert.match((await emsp.call('GET', url)).headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);

  const routed = await emsp.call('GET', url, undefined, {
    headers: { 'ocpi-to-country-code': 'be', 'ocpi-to-party-id': 'job', 'ocpi-from-country-code': 'DE', 'ocpi-from-party-id': 'EMS' },
  });
  assert.equal((routed.body.data as Record<string, unknown>).party, 'BE/JOB', 'CiString: case-insensitive');
  assert.equal(routed.headers.get('ocpi-from-party-id'), 'JOB');
  const stranger = await emsp.call('GET', url, undefined, { headers: { 'ocpi-to-country-code': 'FR', 'ocpi-to-party-id': 'XXX' } });
  assertEnvelope(stranger.body, 2001);
  assert.match(stranger.body.status_message ?? '', /OCPI-to-party-id/);
  const spoofed = await emsp.call('GET', url, undefined, { headers: { 'ocpi-from-country-code': 'FR', 'ocpi-from-party-id': 'XXX' } });
  assertEnvelope(spoofed.body, 2001);
  const half = await emsp.call('GET', url, undefined, { headers: { 'ocpi-to-party-id': 'JOB' } });
  assertEnvelope(half.body, 2001);
  // A Hub may speak for any party behind it.
  const hub = await startEmsp({ role: 'HUB', countryCode: 'NL', partyId: 'HUB' });
  t.after(() => hub.close());
  const hubA = await joule.services.partnerService.createWithTokenA({ name: 'hub', allowPlainHttp: true });
  assert.equal((await hub.registerWith(joule.versionsUrl, hubA.tokenA)).body.status_code, 1000);
  const viaHub = await hub.call('GET', url, undefined, { headers: { 'ocpi-from-country-code': 'FR', 'ocpi-from-party-id': 'XXX', 'ocpi-to-country-code': 'NL', 'ocpi-to-party-id': 'JOU' } });
  assert.equal((viaHub.body.data as Record<string, unknown>).remote, 'FR/XXX');
  assert.equal(viaHub.headers.get('ocpi-to-party-id'), 'XXX');

  // No routing headers on configuration modules.
  assert.equal((await emsp.call('GET', joule.versionsUrl)).headers.get('ocpi-from-party-id'), null);

  // The partner's default party comes from its settings.
  await joule.services.partnerService.updateSettings(partner.id, { ourParty: { countryCode: 'BE', partyId: 'JOB' } });
  assert.equal(((await emsp.call('GET', url)).body.data as Record<string, unknown>).party, 'BE/JOB');
});

