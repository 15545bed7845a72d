/** The operator's side, on the real application: /api/v1/ocpi/outbox and `joule ocpi` through the API. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ocpiCommand, runOcpi } from '../../src/cli/ocpi.ts';
import { extraCommands } from '../../src/cli/commands.ts';
import { items, startApi, type TestApi } from '../e2e/api-support.ts';
import { forEachDatabase, type TestDatabaseEnv } from '../support/db.ts';
import { startEmsp, type Emsp } from './support/emsp.ts';

const FAST = { 'ocpi.outbox.retryBaseMs': 50, 'ocpi.outbox.retryMaxMs': 200, 'ocpi.outbox.pollMs': 100, 'ocpi.timeoutMs': 10000 };

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
