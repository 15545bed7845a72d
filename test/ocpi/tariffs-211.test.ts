/** OCPI Tariffs Sender, the 2.1.1 shape against a real 2.1.1 eMSP over HTTP. */
import assert from 'node:assert/strict';
import { forEachDatabase } from '../support/db.ts';
import { setup, TARIFF } from './locations-fixtures.ts';

forEachDatabase('Tariffs 2.1.1: no owner, type, prices bounds, VAT, current or reservation parts', async (env, t) => {
  const s = await setup(env, '2.1.1');
  t.after(() => s.close());
  const { tariff } = await s.app.catalog.tariffs.put(TARIFF);
  const list = await s.emsp.call('GET', s.url('tariffs'));
  assert.equal(list.body.status_code, 1000);
  assert.deepEqual(list.body.data, [
    {
      id: 'T1',
      currency: 'EUR',
      tariff_alt_text: [{ language: 'en', text: '0.25/kWh' }],
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: 1 }] }, { price_components: [{ type: 'TIME', price: 2, step_size: 60 }], restrictions: { min_duration: 3600 } }],
      last_updated: tariff.lastUpdated.toISOString(),
    },
  ]);
});
