/**
 * OCPI Sessions and CDRs for a 2.1.1 partner: a full charge pushed and listed in the 2.1.1 shapes (start_datetime,
 * auth_id, embedded location, numeric cost).
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { setup } from './locations-fixtures.ts';
import { chargeAtLocation, Z } from './sessions-fixtures.ts';
import type { ReceivedRequest } from './support/emsp.ts';

type Json = Record<string, unknown>;

forEachDatabase('Sessions and CDRs 2.1.1: pushed and listed in 2.1.1 shape (start_datetime, auth_id, embedded location, numeric cost)', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(() => s.close());
  await chargeAtLocation(s, '2.1.1');
  const session = (await eventually(() => s.emsp.requestsTo('sessions').find((r) => r.method === 'PUT' && (r.body as Json).status === 'COMPLETED'), 'COMPLETED session')) as ReceivedRequest;
  const body = session.body as Json;
  assert.equal(session.path, `/2.1.1/sessions/NL/JOU/${body.id as string}`);
  assert.deepEqual([body.start_datetime, body.end_datetime, body.kwh, body.auth_id, body.auth_method, body.total_cost, body.currency], [Z(0), Z(120), 12.289, 'DE-EMS-CS', 'WHITELIST', 3.6867, 'EUR']);
  assert.equal(body.cdr_token, undefined);
  assert.deepEqual(body.charging_periods, [{ start_date_time: Z(0), dimensions: [{ type: 'ENERGY', volume: 12.289 }, { type: 'TIME', volume: 0.0333 }] }], 'no tariff_id in 2.1.1');
  const location = body.location as Json;
  assert.deepEqual([location.id, location.address, location.postal_code, (location.evses as Json[])[0]?.uid], ['LOC1', 'Stationsplein 1', '3511 ED', 'CS-S-1']);
  assert.equal(s.emsp.requestsTo('sessions').some((r) => r.method === 'PATCH'), false, '2.1.1 partners get whole objects');

  const cdr = ((await eventually(() => s.emsp.requestsTo('cdrs').find((r) => r.method === 'POST'), 'CDR push')) as ReceivedRequest).body as Json;
  assert.deepEqual([cdr.start_date_time, cdr.stop_date_time, cdr.total_energy, cdr.total_cost, cdr.auth_id], [Z(0), Z(120), 12.289, 3.6867, 'DE-EMS-CS']);
  assert.equal(cdr.end_date_time, undefined);
  assert.equal(cdr.cdr_location, undefined);
  const listed = await s.emsp.call('GET', s.url('cdrs'));
  assert.deepEqual((listed.body.data as Json[])[0], cdr);
  const sessions = await s.emsp.call('GET', s.url('sessions'));
  assert.equal(((sessions.body.data as Json[])[0] as Json).start_datetime, Z(0));
});
