/** The operator's side, on the real application: /api/v1/ocpi/outbox and `joule ocpi` through the API. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ocpiCommand, runOcpi } from '../../src/cli/ocpi.ts';
import { extraCommands } from '../../src/cli/commands.ts';
import { items } from '../e2e/api-support.ts';
import { forEachDatabase } from '../support/db.ts';
import type { Emsp } from './support/emsp.ts';
import { startOperator } from './support/operator.ts';

forEachDatabase('GET /ocpi/outbox shows pending and delivered pushes; joule ocpi partner add/list and outbox through the API', async (env, t) => {
  const { api, emsps } = await startOperator(env, t, {});
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
