/** The operator's side, on the real application: register with a partner, rotate (and roll back), unregister. */
import assert from 'node:assert/strict';
import { items } from '../e2e/api-support.ts';
import { forEachDatabase } from '../support/db.ts';
import type { Emsp } from './support/emsp.ts';
import { startOperator } from './support/operator.ts';

forEachDatabase('register with a 2.1.1 partner (plain tokens), rotate our token, a failed rotation rolls back, unregister', async (env, t) => {
  const { api, emsps } = await startOperator(env, t, { versions: ['2.1.1'] });
  const emsp = emsps[0] as Emsp;
  const registered = await api.call('POST', '/ocpi/partners/register', {
    body: { name: 'Legacy', versionsUrl: emsp.versionsUrl, tokenA: emsp.tokenA, tokenEncoding: 'plain', allowPlainHttp: true },
  });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const id = String(registered.body.id);
  assert.equal(String(registered.body.version), '2.1.1');
  assert.equal(String(registered.body.initiatedBy), 'us');
  const credentialsUrl = `${api.base}/ocpi/2.1.1/credentials`;
  const firstToken = emsp.jouleToken as string;
  assert.equal((await emsp.call('GET', credentialsUrl)).status, 200);

  // Rotate: the partner gets a new token for us (PUT), we get a new token for it.
  const ourTokenBefore = emsp.tokenForJoule;
  const rotated = await api.call('POST', `/ocpi/partners/${id}/rotate`);
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  const secondToken = emsp.jouleToken as string;
  assert.notEqual(secondToken, firstToken);
  assert.notEqual(emsp.tokenForJoule, ourTokenBefore);
  // The old token keeps working until the partner uses the new one (its confirming call), then it is dead.
  assert.equal((await emsp.call('GET', credentialsUrl, undefined, { token: firstToken })).status, 200);
  assert.equal((await emsp.call('GET', credentialsUrl, undefined, { token: secondToken })).status, 200);
  assert.equal((await emsp.call('GET', credentialsUrl, undefined, { token: firstToken })).status, 401);
  // Our new outbound token works there (refresh GETs its versions with it).
  assert.equal((await api.call('POST', `/ocpi/partners/${id}/refresh`)).status, 200);

  // A rotation that fails halfway changes nothing.
  emsp.down = true;
  const failed = await api.call('POST', `/ocpi/partners/${id}/rotate`);
  assert.equal(failed.status, 502);
  assert.equal(String(failed.body.error), 'ocpi_partner_failed');
  emsp.down = false;
  assert.equal((await emsp.call('GET', credentialsUrl, undefined, { token: secondToken })).status, 200);
  assert.equal((await api.call('POST', `/ocpi/partners/${id}/refresh`)).status, 200, 'our token at the partner is unchanged');

  // Unregister: the partner is told (DELETE), all tokens are dropped.
  const unregistered = await api.call('POST', `/ocpi/partners/${id}/unregister`);
  assert.equal(unregistered.status, 200);
  assert.equal(String(unregistered.body.remote), 'ok');
  assert.equal(String(unregistered.body.partner?.status), 'UNREGISTERED');
  assert.equal(emsp.jouleToken, undefined);
  assert.equal((await emsp.call('GET', credentialsUrl, undefined, { token: secondToken })).status, 401);
  const again = await api.call('POST', `/ocpi/partners/${id}/rotate`);
  assert.equal(again.status, 409);
  assert.equal(String(again.body.error), 'ocpi_state');

  // Registering with a partner that refuses http:// without the allowance, or is unreachable: 502, nothing kept.
  const insecure = await api.call('POST', '/ocpi/partners/register', { body: { name: 'x', versionsUrl: emsp.versionsUrl, tokenA: emsp.tokenA } });
  assert.equal(insecure.status, 502);
  assert.match(String(insecure.body.message), /https only/);
  const dead = await api.call('POST', '/ocpi/partners/register', { body: { name: 'y', versionsUrl: 'http://127.0.0.1:1/versions', tokenA: 'abc', allowPlainHttp: true } });
  assert.equal(dead.status, 502);
  assert.deepEqual(items((await api.call('GET', '/ocpi/partners')).body.items).map((p) => String(p.name)), ['Legacy']);
});
