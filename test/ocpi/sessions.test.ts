/**
 * OCPI Sessions and CDRs (CPO = Sender) for a full charge of a real 2.0.1 station with a token the eMSP pushed, at
 * a published Location whose connector has a tariff: the pushes the eMSP receives (Session PUT / PATCH / PUT, CDR
 * POST) with the energy (12.289 kWh), periods and cost (0.30/kWh + 20 % VAT), the paginated GET lists, a single
 * CDR, charging_preferences, party filtering, and a credit CDR.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { setup } from './locations-fixtures.ts';
import { chargeAtLocation, Z } from './sessions-fixtures.ts';
import type { ReceivedRequest } from './support/emsp.ts';

type Json = Record<string, unknown>;

forEachDatabase('Sessions and CDRs 2.2.1: pushes of a full charge with energy, periods and tariff cost; GET lists and one CDR', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  await chargeAtLocation(s, '2.2.1');

  // Pushed in order: PUT (ACTIVE), PATCH (kWh after a minute), PUT (COMPLETED); then the CDR.
  const pushes = await eventually(() => {
    const found = s.emsp.requestsTo('sessions').filter((r) => r.method !== 'GET');
    return found.length >= 3 && found.some((r) => (r.body as Json).status === 'COMPLETED') ? found : undefined;
  }, 'session pushes');
  const first = pushes[0] as ReceivedRequest;
  const id = (first.body as Json).id as string;
  assert.equal(first.method, 'PUT');
  assert.equal(first.path, `/2.2.1/sessions/NL/JOU/${id}`);
  assert.equal(first.headers['ocpi-from-party-id'], 'JOU');
  assert.equal(first.headers['ocpi-to-party-id'], 'EMS');
  assert.deepEqual(
    Object.fromEntries(['status', 'kwh', 'auth_method', 'location_id', 'evse_uid', 'connector_id', 'currency', 'start_date_time'].map((k) => [k, (first.body as Json)[k]])),
    { status: 'ACTIVE', kwh: 0, auth_method: 'WHITELIST', location_id: 'LOC1', evse_uid: 'CS-S-1', connector_id: '1', currency: 'EUR', start_date_time: Z(0) },
  );
  const patch = pushes.find((r) => r.method === 'PATCH' && (r.body as Json).kwh === 5.75);
  assert.ok(patch, 'a PATCH with the energy after the first minute');
  assert.equal((patch.body as Json).charging_periods, undefined, 'PATCHed periods would be appended: never sent');
  assert.deepEqual((patch.body as Json).total_cost, { excl_vat: 1.725, incl_vat: 2.07 });
  const completed = pushes.filter((r) => (r.body as Json).status === 'COMPLETED').at(-1)?.body as Json;
  assert.equal(completed.kwh, 12.289);
  assert.equal(completed.end_date_time, Z(120));
  assert.deepEqual(completed.charging_periods, [{ start_date_time: Z(0), dimensions: [{ type: 'ENERGY', volume: 12.289 }, { type: 'TIME', volume: 0.0333 }], tariff_id: 'T-E' }]);
  assert.deepEqual(completed.total_cost, { excl_vat: 3.6867, incl_vat: 4.424 });
  assert.deepEqual(completed.cdr_token, { country_code: 'DE', party_id: 'EMS', uid: 'TAG-S', type: 'RFID', contract_id: 'DE-EMS-CS' });

  const cdrPush = (await eventually(() => s.emsp.requestsTo('cdrs').find((r) => r.method === 'POST'), 'CDR push')) as ReceivedRequest;
  const cdr = cdrPush.body as Json;
  assert.equal(cdrPush.path, '/2.2.1/cdrs');
  assert.deepEqual([cdr.session_id, cdr.start_date_time, cdr.end_date_time, cdr.total_energy, cdr.total_time, cdr.currency], [id, Z(0), Z(120), 12.289, 0.0333, 'EUR']);
  assert.deepEqual(cdr.total_cost, { excl_vat: 3.6867, incl_vat: 4.424 });
  assert.deepEqual(cdr.total_energy_cost, { excl_vat: 3.6867, incl_vat: 4.424 });
  assert.deepEqual(cdr.cdr_location, {
    id: 'LOC1',
    name: 'Station square',
    address: 'Stationsplein 1',
    city: 'Utrecht',
    postal_code: '3511 ED',
    country: 'NLD',
    coordinates: { latitude: '52.089444', longitude: '5.110278' },
    evse_uid: 'CS-S-1',
    evse_id: 'NL*JOU*ECSS*1',
    connector_id: '1',
    connector_standard: 'IEC_62196_T2',
    connector_format: 'SOCKET',
    connector_power_type: 'AC_3_PHASE',
  });
  assert.equal(s.emsp.requestsTo('cdrs').filter((r) => r.method === 'POST').length, 1, 'one CDR');

  // Pull side: the lists (paginated) and the CDR by id.
  const sessions = await s.emsp.call('GET', `${s.url('sessions')}?date_from=2020-01-01T00:00:00Z`);
  assert.equal(sessions.headers.get('x-total-count'), '1');
  assert.deepEqual((sessions.body.data as Json[])[0], completed);
  const cdrs = await s.emsp.call('GET', `${s.url('cdrs')}?limit=1`);
  assert.equal(cdrs.headers.get('x-total-count'), '1');
  assert.deepEqual((cdrs.body.data as Json[])[0], cdr);
  assert.deepEqual((await s.emsp.call('GET', `${s.url('cdrs')}/${cdr.id as string}`)).body.data, cdr);
  assert.equal((await s.emsp.call('GET', `${s.url('cdrs')}/NOPE`)).status, 404);
  // Our other CPO party (OCPI-to-*) owns none of them: lists are empty, the single CDR is 404.
  const other = { 'ocpi-to-country-code': 'BE', 'ocpi-to-party-id': 'OTH', 'ocpi-from-country-code': 'DE', 'ocpi-from-party-id': 'EMS' };
  assert.equal((await s.emsp.call('GET', s.url('sessions'), undefined, { headers: other })).headers.get('x-total-count'), '0');
  assert.equal((await s.emsp.call('GET', s.url('cdrs'), undefined, { headers: other })).headers.get('x-total-count'), '0');
  assert.equal((await s.emsp.call('GET', `${s.url('cdrs')}/${cdr.id as string}`, undefined, { headers: other })).status, 404);
  const future = await s.emsp.call('GET', `${s.url('sessions')}?date_from=2099-01-01T00:00:00Z`);
  assert.deepEqual([future.headers.get('x-total-count'), future.body.data], ['0', []]);

  // A correction: credit CDR (negative cost) and a new CDR, both pushed.
  const { credit } = await s.app.roaming.sessions.correctCdr(cdr.id as string);
  const posted = await eventually(() => {
    const all = s.emsp.requestsTo('cdrs').filter((r) => r.method === 'POST');
    return all.length === 3 ? all : undefined;
  }, 'credit and new CDR pushes');
  const creditBody = posted[1]?.body as Json;
  assert.deepEqual([creditBody.id, creditBody.credit, creditBody.credit_reference_id], [credit.id, true, cdr.id]);
  assert.deepEqual(creditBody.total_cost, { excl_vat: -3.6867, incl_vat: -4.424 });
  assert.equal((posted[2]?.body as Json).total_energy, 12.289);
  const page = await s.emsp.call('GET', `${s.url('cdrs')}?limit=1`);
  assert.equal(page.headers.get('x-total-count'), '3');
  assert.match(page.headers.get('link') ?? '', /offset=1/);
});
