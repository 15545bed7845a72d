/** Tokens we send partners: encrypted at rest with ocpi.tokenKey, stored as given without it. */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createOcpiPartnerRepository } from '../../src/storage/index.ts';
import { forEachDatabase } from '../support/db.ts';
import { serverAndEmsp } from './support/framework.ts';

const KEY = 'a secret of at least sixteen characters';

forEachDatabase('the outbound token is sealed with the key, readable only with it, and plain without a key', async (env) => {
  const database = await env.open();
  const sealed = createOcpiPartnerRepository(database.db, { tokenKey: KEY });
  const partner = await sealed.create({ name: 'p', tokenEncoding: 'both', allowPlainHttp: false, requiredEndpoints: [] });
  await sealed.update(partner.id, { outboundToken: 'their-token-C-0123456789' });
  const raw = async () => (await sql<{ outbound_token: string }>`select outbound_token from ocpi_partners where id = ${partner.id}`.execute(database.db)).rows[0]?.outbound_token ?? '';
  assert.match(await raw(), /^enc:v1:/);
  assert.ok(!(await raw()).includes('their-token'));
  assert.equal(await sealed.outboundToken(partner.id), 'their-token-C-0123456789');
  await assert.rejects(createOcpiPartnerRepository(database.db).outboundToken(partner.id), /set ocpi\.tokenKey/);
  await assert.rejects(createOcpiPartnerRepository(database.db, { tokenKey: `${KEY}!` }).outboundToken(partner.id), /differs/);

  const plain = createOcpiPartnerRepository(database.db);
  await plain.update(partner.id, { outboundToken: 'their-token-D' });
  assert.equal(await raw(), 'their-token-D');
  assert.equal(await sealed.outboundToken(partner.id), 'their-token-D', 'values stored before a key was set still read');
});

forEachDatabase('with ocpi.tokenKey set, a registered partner still gets our pushes with its token', async (env, t) => {
  const { joule, emsp } = await serverAndEmsp(t, env, {}, { overrides: { 'ocpi.tokenKey': KEY } });
  const { tokenA } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  assert.equal((await emsp.registerWith(joule.versionsUrl, tokenA)).body.status_code, 1000);
  await joule.services.outbox.enqueue({ module: 'locations', method: 'PUT', path: '/NL/JOU/L1', body: { id: 'L1' } });
  for (let i = 0; i < 400 && emsp.requestsTo('locations').length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(emsp.requestsTo('locations')[0]?.headers.authorization, `Token ${Buffer.from(emsp.tokenForJoule as string).toString('base64')}`);
});
