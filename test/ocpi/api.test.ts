/**
 * The operator's side, on the real application: /api/v1/ocpi/partners with a Token A, the list and the OpenAPI
 * document (registering with a partner and rotation: api-register.test.ts; the outbox and the CLI: cli.test.ts).
 */
import assert from 'node:assert/strict';
import { items } from '../e2e/api-support.ts';
import { forEachDatabase } from '../support/db.ts';
import type { Emsp } from './support/emsp.ts';
import { startOperator } from './support/operator.ts';

forEachDatabase('create a partner with a Token A, the partner registers, the list shows version, roles, endpoints and last sync', async (env, t) => {
  const { api, emsps } = await startOperator(env, t, {});
  const emsp = emsps[0] as Emsp;
  const created = await api.call('POST', '/ocpi/partners', { body: { name: 'Acme eMSP', allowPlainHttp: true, requiredEndpoints: ['tokens:SENDER'] } });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('cache-control'), 'no-store');
  const tokenA = String(created.body.tokenA);
  assert.equal(String(created.body.versionsUrl), `${api.base}/ocpi/versions`);
  assert.equal(String(created.body.partner?.status), 'PENDING');

  assert.equal((await emsp.registerWith(String(created.body.versionsUrl), tokenA)).body.status_code, 1000);
  const list = await api.call('GET', '/ocpi/partners');
  const [partner] = items(list.body.items);
  assert.equal(String(partner?.status), 'REGISTERED');
  assert.equal(String(partner?.version), '2.2.1');
  assert.deepEqual(partner?.roles, [{ role: 'EMSP', countryCode: 'DE', partyId: 'EMS', businessDetails: { name: 'Test eMSP', website: 'https://emsp.example' } }]);
  assert.ok(items(partner?.endpoints).some((e) => String(e.identifier) === 'tokens' && String(e.role) === 'SENDER'));
  assert.match(String(partner?.lastSyncAt), /^\d{4}-/);
  // No token ever leaves the API after creation.
  const text = JSON.stringify(list.body);
  for (const secret of [tokenA, emsp.tokenForJoule, emsp.jouleToken]) assert.ok(!text.includes(String(secret)));
  const one = await api.call('GET', `/ocpi/partners/${String(partner?.id)}`);
  assert.equal(String(one.body.name), 'Acme eMSP');

  // The OpenAPI document describes the routes; bad input and unknown ids are the API's errors.
  const doc = await api.call('GET', '/openapi.json');
  assert.ok(doc.body.paths?.['/api/v1/ocpi/partners']);
  assert.ok(doc.body.paths?.['/api/v1/ocpi/outbox']);
  const invalid = await api.call('POST', '/ocpi/partners', { body: { name: 'x', tokenEncoding: 'rot13' } });
  assert.equal(invalid.status, 400);
  assert.equal(String(invalid.body.error), 'validation_failed');
  assert.equal((await api.call('GET', '/ocpi/partners/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await api.call('GET', '/ocpi/partners', { key: null })).status, 401);
});
