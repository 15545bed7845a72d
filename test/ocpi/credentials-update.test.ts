/** Credentials update (PUT), unregister (DELETE), the 405 rules and the registration error codes. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { startEmsp } from './support/emsp.ts';
import { serverAndEmsp } from './support/framework.ts';

forEachDatabase('PUT credentials: re-fetches endpoints, issues a new token; the old one works until the new one is used', async (env, t) => {
  const { joule, emsp } = await serverAndEmsp(t, env);
  const { partner, tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  await emsp.registerWith(joule.versionsUrl, tokenA);
  const oldToken = emsp.jouleToken as string;
  const callbacksBefore = emsp.handshake.length;

  const answer = await emsp.updateCredentials();
  assert.equal(answer.body.status_code, 1000, answer.body.status_message);
  const newToken = emsp.jouleToken as string;
  assert.notEqual(newToken, oldToken);
  // Versions and details fetched again with the new token.
  const callbacks = emsp.handshake.slice(callbacksBefore).filter((r) => r.method === 'GET');
  assert.deepEqual(callbacks.map((r) => r.path), ['/versions', '/2.2.1']);
  assert.equal(await joule.services.partnerService.outboundAuth(partner).then((a) => a?.token), emsp.tokenForJoule);

  // The old token still works until the new one has been used, then it is gone.
  assert.equal((await emsp.call('GET', emsp.jouleUrl('credentials'), undefined, { token: oldToken })).status, 200);
  assert.equal((await emsp.call('GET', emsp.jouleUrl('credentials'), undefined, { token: newToken })).status, 200);
  assert.equal((await emsp.call('GET', emsp.jouleUrl('credentials'), undefined, { token: oldToken })).status, 401);
});

forEachDatabase('DELETE credentials unregisters; afterwards the token is refused and PUT/DELETE with Token A are 405', async (env, t) => {
  const { joule, emsp } = await serverAndEmsp(t, env);
  const { partner, tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  // PUT and DELETE before registering (Token A): 405.
  const credentialsUrl = `${joule.base}/2.2.1/credentials`;
  assert.equal((await emsp.call('PUT', credentialsUrl, emsp.credentials('abc', '2.2.1'), { token: tokenA })).status, 405);
  assert.equal((await emsp.call('DELETE', credentialsUrl, undefined, { token: tokenA })).status, 405);
  // GET works with Token A (credentials accepts it) and shows the caller's token.
  const before = await emsp.call('GET', credentialsUrl, undefined, { token: tokenA });
  assert.equal(before.body.status_code, 1000);
  assert.equal((before.body.data as Record<string, unknown>).token, tokenA);
  await emsp.registerWith(joule.versionsUrl, tokenA);
  const deleted = await emsp.unregister();
  assert.equal(deleted.status, 200);
  assert.equal(deleted.body.status_code, 1000);
  assert.equal((await joule.services.partnerService.get(partner.id)).status, 'UNREGISTERED');
  assert.equal((await emsp.call('GET', credentialsUrl)).status, 401);
  assert.equal(await joule.services.partnerService.outboundAuth(partner), undefined);
});

forEachDatabase('registration errors: 3001 callback fails, 3002 no such version, 3003 required endpoint missing, 2001 missing field, http refused', async (env, t) => {
  const { joule, emsp } = await serverAndEmsp(t, env);
  const service = joule.services.partnerService;
  const credentialsUrl = `${joule.base}/2.2.1/credentials`;

  // 3001: their versions URL does not answer.
  const a1 = await service.createWithTokenA({ name: 'dead', allowPlainHttp: true });
  const dead = await emsp.call('POST', credentialsUrl, { ...emsp.credentials('tokenB1', '2.2.1'), url: 'http://127.0.0.1:1/versions' }, { token: a1.tokenA });
  assert.equal(dead.status, 200);
  assert.equal(dead.body.status_code, 3001);
  // Nothing changed: Token A still valid, partner still pending.
  assert.equal((await service.get(a1.partner.id)).status, 'PENDING');

  // 3002: the eMSP speaks only 2.1.1 but POSTs to our 2.2.1 credentials.
  const old = await startEmsp({ versions: ['2.1.1'], encoding: 'base64' });
  t.after(() => old.close());
  const a2 = await service.createWithTokenA({ name: 'old', allowPlainHttp: true });
  old.tokenForJoule = 'tokenB2';
  const unsupported = await old.call('POST', credentialsUrl, old.credentials('tokenB2', '2.2.1'), { token: a2.tokenA });
  assert.equal(unsupported.body.status_code, 3002);

  // 3003: we require a hubclientinfo SENDER it does not have.
  const a3 = await service.createWithTokenA({ name: 'picky', allowPlainHttp: true, requiredEndpoints: ['tokens:SENDER', 'hubclientinfo:SENDER'] });
  const missing = await emsp.registerWith(joule.versionsUrl, a3.tokenA);
  assert.equal(missing.body.status_code, 3003);
  assert.match(missing.body.status_message ?? '', /hubclientinfo:SENDER/);
  assert.doesNotMatch(missing.body.status_message ?? '', /tokens:SENDER/);

  // 2001 naming the field.
  const a4 = await service.createWithTokenA({ name: 'sloppy', allowPlainHttp: true });
  const noToken = await emsp.call('POST', credentialsUrl, { url: emsp.versionsUrl, roles: [] }, { token: a4.tokenA });
  assert.equal(noToken.status, 200);
  assert.equal(noToken.body.status_code, 2001);
  assert.match(noToken.body.status_message ?? '', /^token /);
  const badRole = await emsp.call('POST', credentialsUrl, { token: 'tok', url: emsp.versionsUrl, roles: [{ role: 'EMSP', party_id: 'EMS', business_details: { name: 'x' } }] }, { token: a4.tokenA });
  assert.equal(badRole.body.status_code, 2001);
  assert.match(badRole.body.status_message ?? '', /^roles\[0\]\.country_code /);

  // Plain http:// refused for a partner without the allowance → 3001, and nothing fetched.
  const a5 = await service.createWithTokenA({ name: 'strict' });
  const before = emsp.handshake.length;
  const insecure = await emsp.call('POST', credentialsUrl, emsp.credentials('tokenB5', '2.2.1'), { token: a5.tokenA });
  assert.equal(insecure.body.status_code, 3001);
  assert.match(insecure.body.status_message ?? '', /https only/);
  assert.equal(emsp.handshake.length, before);

  // We register with them: no mutual version / missing endpoints are refused before we POST.
  await assert.rejects(service.registerWith({ name: 'x', versionsUrl: emsp.versionsUrl, tokenA: emsp.tokenA, allowPlainHttp: true, requiredEndpoints: ['commands:SENDER'] }), /commands:SENDER/);
  assert.equal(emsp.handshake.filter((r) => r.method === 'POST').length, 0);
  assert.deepEqual((await service.list()).filter((p) => p.name === 'x'), []);
});
