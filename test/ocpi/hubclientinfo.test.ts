/**
 * OCPI HubClientInfo (CPO = Receiver, 2.2.1): a Hub partner PUTs and GETs the ClientInfo of parties behind it;
 * a partner that is no Hub, a body that disagrees with the URL, and unknown parties are refused.
 */
import assert from 'node:assert/strict';
import { createOcpiPartnerRepository } from '../../src/storage/index.ts';
import { forEachDatabase } from '../support/db.ts';
import { setup } from './locations-fixtures.ts';

const INFO = { party_id: 'ABC', country_code: 'NL', role: 'EMSP', status: 'CONNECTED', last_updated: '2026-02-01T10:00:00Z' };

forEachDatabase('HubClientInfo 2.2.1: PUT 201 then 200, GET back; 404 for partners that are no Hub and unknown parties; 2001 on mismatch', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const url = s.url('hubclientinfo');

  const notHub = await s.emsp.call('PUT', `${url}/NL/ABC`, INFO);
  assert.deepEqual([notHub.status, notHub.body.status_code], [404, 2000]);

  const [partner] = await s.app.ocpi!.partnerService.list();
  await createOcpiPartnerRepository(s.app.database.db).update(partner!.id, { roles: [{ role: 'HUB', countryCode: 'DE', partyId: 'HUB', businessDetails: { name: 'Hub' } }] });
  const created = await s.emsp.call('PUT', `${url}/NL/ABC`, INFO);
  assert.deepEqual([created.status, created.body.status_code], [201, 1000]);
  const updated = await s.emsp.call('PUT', `${url}/nl/abc`, { ...INFO, status: 'OFFLINE', last_updated: '2026-02-02T10:00:00Z' });
  assert.deepEqual([updated.status, updated.body.status_code], [200, 1000]);
  const got = await s.emsp.call('GET', `${url}/NL/ABC`);
  assert.deepEqual(got.body.data, { ...INFO, status: 'OFFLINE', last_updated: '2026-02-02T10:00:00Z' });
  assert.equal(got.headers.get('ocpi-to-party-id'), null, 'a configuration module: no routing headers');

  assert.equal((await s.emsp.call('PUT', `${url}/NL/XYZ`, INFO)).body.status_code, 2001);
  assert.equal((await s.emsp.call('PUT', `${url}/NL/ABC`, { ...INFO, status: 'ASLEEP' })).body.status_code, 2001);
  assert.equal((await s.emsp.call('GET', `${url}/NL/XYZ`)).status, 404);
  assert.deepEqual((await s.app.roaming.clientInfos.listClientInfos(partner!.id)).map((i) => [i.countryCode, i.partyId, i.status]), [['NL', 'ABC', 'OFFLINE']]);
});
