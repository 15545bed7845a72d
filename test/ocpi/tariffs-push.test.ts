/**
 * OCPI Tariffs Sender, pushes to a real eMSP: PUT on create/replace, DELETE on delete, and the EVSE PUT that
 * follows a tariff leaving connectors, in order.
 */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { eventually } from '../e2e/scenario-support.ts';
import { DETAILS, setup, TARIFF, TYPE2 } from './locations-fixtures.ts';

type Json = Record<string, unknown>;

forEachDatabase('Tariffs push: PUT on create and replace, DELETE on delete; connectors that listed it are re-sent', async (env, t) => {
  const s = await setup(env, '2.2.1');
  t.after(() => s.close());
  const { tariffs, locations } = s.app.catalog;
  const pushes = (): { method: string; path: string; body: unknown }[] => s.emsp.requestsTo('tariffs');

  await tariffs.put(TARIFF);
  const first = await eventually(() => pushes().find((r) => r.method === 'PUT'), 'the tariff PUT');
  assert.equal(first.path, '/2.2.1/tariffs/NL/JOU/T1');
  assert.equal((first.body as Json).currency, 'EUR');
  await tariffs.put({ ...TARIFF, currency: 'USD' });
  await eventually(() => pushes().find((r) => r.method === 'PUT' && (r.body as Json).currency === 'USD'), 'the replacing PUT');

  await s.app.repos.stations.create({ id: 'CS-1' });
  await locations.create({ id: 'LOC1', countryCode: 'NL', partyId: 'JOU', ...DETAILS });
  await locations.putEvse('LOC1', { stationId: 'CS-1', evseId: 1, connectors: [{ ...TYPE2, connectorId: 1, tariffIds: ['T1'] }] });
  await eventually(() => s.emsp.requestsTo('locations').find((r) => r.path.endsWith('/CS-1-1')), 'the EVSE PUT');
  const evsePuts = (): number => s.emsp.requestsTo('locations').filter((r) => r.path.endsWith('/CS-1-1')).length;
  const before = evsePuts();

  await tariffs.delete('T1');
  const deleted = await eventually(() => pushes().find((r) => r.method === 'DELETE'), 'the tariff DELETE');
  assert.equal(deleted.path, '/2.2.1/tariffs/NL/JOU/T1');
  await eventually(() => (evsePuts() > before ? true : undefined), 'the EVSE PUT without the tariff');
  const last = s.emsp.requestsTo('locations').filter((r) => r.path.endsWith('/CS-1-1')).at(-1);
  const connectors = (last?.body as Json).connectors as Json[];
  assert.ok(!('tariff_ids' in (connectors[0] as Json)));
  // Order per partner: the EVSE update that drops the tariff is enqueued before the DELETE of the tariff.
  const outbox = await s.app.ocpi?.outbox.list({});
  const order = (outbox ?? []).map((e) => `${e.method} ${e.module}${e.path}`).reverse();
  assert.ok(order.lastIndexOf('PUT locations/NL/JOU/LOC1/CS-1-1') < order.lastIndexOf('DELETE tariffs/NL/JOU/T1'), order.join(', '));
  assert.equal(order.filter((o) => o === 'PUT locations/NL/JOU/LOC1/CS-1-1').length, 2);
});
