/** The `ocpi` configuration section: defaults, environment variables and refused values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ourParties } from '../../src/ocpi/setup.ts';
import { ConfigError, loadConfig } from '../../src/shared/config.ts';

test('ocpi defaults: one party NL/JOU, page cap 100, https only, outbox back-off', () => {
  const config = loadConfig({ env: {}, overrides: {} }).ocpi;
  assert.deepEqual(config.parties, [{ countryCode: 'NL', partyId: 'JOU', name: 'Joule', website: null }]);
  assert.equal(config.pageLimit, 100);
  assert.equal(config.allowPlainHttp, false);
  assert.equal(config.publicUrl, null);
  assert.deepEqual(config.outbox, { retryBaseMs: 5000, retryMaxMs: 600000, pollMs: 5000 });
  assert.deepEqual(ourParties({ ...config, parties: [{ countryCode: 'be', partyId: 'x1y', name: 'B', website: 'https://b.example' }] }), [
    { countryCode: 'BE', partyId: 'X1Y', name: 'B', website: 'https://b.example' },
  ]);
});

test('ocpi settings from the environment, and bad values named', () => {
  const config = loadConfig({ env: { JOULE_OCPI_PUBLIC_URL: 'https://csms.example/ocpi', JOULE_OCPI_ALLOW_PLAIN_HTTP: 'true' }, overrides: {} }).ocpi;
  assert.equal(config.publicUrl, 'https://csms.example/ocpi');
  assert.equal(config.allowPlainHttp, true);
  assert.throws(() => loadConfig({ env: {}, overrides: { 'ocpi.publicUrl': 'https://csms.example/ocpi/' } }), (e: Error) => e instanceof ConfigError && /ocpi\.publicUrl/.test(e.message));
  assert.throws(() => loadConfig({ env: {}, overrides: { 'ocpi.pageLimit': 0 } }), /ocpi\.pageLimit/);
  assert.throws(() => loadConfig({ env: {}, overrides: { 'ocpi.parties': [{ countryCode: 'NLD', partyId: 'JOU', name: 'x' }] } }), /ocpi\.parties\.0\.countryCode/);
  assert.throws(() => loadConfig({ env: {}, overrides: { 'ocpi.parties': [] } }), /ocpi\.parties/);
});
