/** No credentials token reaches a log line, through registration, update, failures, pushes and retries. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/shared/logger.ts';
import { forEachDatabase } from '../support/db.ts';
import { startEmsp } from './support/emsp.ts';
import { startOcpiServer } from './support/server.ts';

forEachDatabase('tokens never appear in the logs (trace level)', async (env, t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', destination });
  const joule = await startOcpiServer(env, { logger });
  const emsp = await startEmsp();
  t.after(async () => {
    await emsp.close();
    await joule.close();
  });
  const tokens: string[] = [];
  const { tokenA, partner } = await joule.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  tokens.push(tokenA);
  assert.equal((await emsp.registerWith(joule.versionsUrl, tokenA)).body.status_code, 1000);
  tokens.push(emsp.jouleToken as string, emsp.tokenForJoule as string);
  assert.equal((await emsp.updateCredentials()).body.status_code, 1000);
  tokens.push(emsp.jouleToken as string, emsp.tokenForJoule as string);
  await emsp.call('GET', `${joule.base}/2.2.1/credentials`, undefined, { token: 'wrong-token-value' });
  await emsp.call('POST', `${joule.base}/2.2.1/credentials`, { token: 'posted-token-value', url: 'http://127.0.0.1:1/versions', roles: [] });
  tokens.push('wrong-token-value', 'posted-token-value');
  // A push that fails (partner down), is retried and then delivered; a rotation that fails.
  emsp.down = true;
  await joule.services.outbox.enqueue({ module: 'locations', method: 'PUT', path: '/NL/JOU/L1', body: { id: 'L1' } });
  await assert.rejects(joule.services.partnerService.rotate(partner.id));
  await sleep(300);
  emsp.down = false;
  for (let i = 0; i < 400 && emsp.requestsTo('locations').length === 0; i++) await sleep(25);
  assert.equal(emsp.requestsTo('locations').length, 1);

  const log = lines.join('');
  assert.match(log, /OCPI partner registered with us/, 'the log was captured');
  assert.match(log, /OCPI push failed: will retry/);
  for (const token of tokens) {
    assert.ok(!log.includes(token), `token found in the log: ${token.slice(0, 4)}…`);
    assert.ok(!log.includes(Buffer.from(token).toString('base64')), 'base64 token found in the log');
  }
});
