/**
 * The operator's side, on the real application: /api/v1/ocpi/partners (create with Token A, register with,
 * rotate with rollback, refresh, unregister), /api/v1/ocpi/outbox, the OpenAPI document and `joule ocpi`.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ocpiCommand, runOcpi } from '../../src/cli/ocpi.ts';
import { extraCommands } from '../../src/cli/commands.ts';
import { items, startApi, type TestApi } from '../e2e/api-support.ts';
import { forEachDatabase, type TestDatabaseEnv } from '../support/db.ts';
import { startEmsp, type Emsp } from './support/emsp.ts';

const FAST = { 'ocpi.outbox.retryBaseMs': 50, 'ocpi.outbox.retryMaxMs': 200, 'ocpi.outbox.pollMs': 100, 'ocpi.timeoutMs': 2000 };

/** The whole application on this test's storage (an already migrated copy: starting is quick). */
async function start(env: TestDatabaseEnv, t: { after(fn: () => Promise<void>): void }, ...emspOptions: Parameters<typeof startEmsp>[0][]): Promise<{ api: TestApi; emsps: Emsp[] }> {
  const storage = env.options.url ? { 'storage.databaseUrl': env.options.url } : { 'storage.dataDir': env.options.dataDir };
  const api = await startApi({ ...FAST, ...storage }, { databaseSchema: env.options.schema });
  const emsps = await Promise.all(emspOptions.map((o) => startEmsp(o)));
  t.after(async () => {
    for (const emsp of emsps) await emsp.close();
    await api.close();
  });
  return { api, emsps };
}

forEachDatabase('create a partner with a Token A, the partner registers, the list shows version, roles, endpoints and last sync', async (env, t) => {
  const { api, emsps } = await start(env, t, {});
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

forEachDatabase('register with a 2.1.1 partner (plain tokens), rotate our token, a failed rotation rolls back, unregister', async (env, t) => {
  const { api, emsps } = await start(env, t, { versions: ['2.1.1'] });
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

forEachDatabase('GET /ocpi/outbox shows pending and delivered pushes; joule ocpi partner add/list and outbox through the API', async (env, t) => {
  const { api, emsps } = await start(env, t, {});
  const emsp = emsps[0] as Emsp;
  assert.ok(extraCommands.includes(ocpiCommand), 'registered as a CLI command');
  const lines: string[] = [];
  const print = (line: string) => void lines.push(line);
  const flags = ['--url', api.base, '--key', api.key];

  await runOcpi(['partner', 'add', 'CLI', 'partner', '--allow-http', '--encoding', 'base64', ...flags], print);
  const tokenA = /Token A: +(\S+)/.exec(lines.join('\n'))?.[1];
  const versionsUrl = /versions URL: +(\S+)/.exec(lines.join('\n'))?.[1];
  assert.ok(tokenA && versionsUrl, lines.join('\n'));
  assert.equal((await emsp.registerWith(versionsUrl, tokenA)).body.status_code, 1000);
  lines.length = 0;
  await runOcpi(['partner', 'list', ...flags], print);
  assert.match(lines.join('\n'), /CLI partner\tREGISTERED\tOCPI 2\.2\.1/);
  assert.match(lines.join('\n'), /EMSP DE\/EMS/);
  assert.ok(!lines.join('\n').includes(tokenA));

  const joule = api.joule.ocpi ?? assert.fail('OCPI is enabled by default');
  emsp.down = true;
  await joule.outbox.enqueue({ module: 'tariffs', method: 'PUT', path: '/NL/JOU/T1', body: { id: 'T1' } });
  let pending = items((await api.call('GET', '/ocpi/outbox?status=pending')).body.items);
  assert.equal(pending.length, 1);
  assert.equal(String(pending[0]?.path), '/NL/JOU/T1');
  emsp.down = false;
  for (let i = 0; i < 200 && pending.length > 0; i++) {
    await sleep(25);
    pending = items((await api.call('GET', '/ocpi/outbox?status=pending')).body.items);
  }
  const delivered = items((await api.call('GET', '/ocpi/outbox?status=delivered')).body.items);
  assert.equal(delivered.length, 1);
  assert.equal(emsp.requestsTo('tariffs').length, 1);
  lines.length = 0;
  await runOcpi(['outbox', ...flags], print);
  assert.match(lines.join('\n'), /delivered\t.*\tPUT tariffs\/NL\/JOU\/T1\tattempts [1-9]/);
  assert.equal((await api.call('GET', '/ocpi/outbox?status=bogus')).status, 400);

  // Without a key the CLI says what it needs.
  const saved = process.env.JOULE_API_KEY;
  delete process.env.JOULE_API_KEY;
  await assert.rejects(runOcpi(['partner', 'list', '--url', api.base], print), /API key/);
  if (saved !== undefined) process.env.JOULE_API_KEY = saved;
});
