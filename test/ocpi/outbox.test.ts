/** The push outbox: fan-out, order, back-off while a partner is down, nothing lost and nothing twice. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutboxEntry } from '../../src/domain/ocpi/model.ts';
import { forEachDatabase, type TestDatabaseEnv } from '../support/db.ts';
import { startEmsp, type Emsp } from './support/emsp.ts';
import { startOcpiServer, type OcpiServer } from './support/server.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function setup(env: TestDatabaseEnv, t: { after(fn: () => Promise<void>): void }, emsps: Parameters<typeof startEmsp>[0][]) {
  const joule: OcpiServer = await startOcpiServer(env);
  const partners: { emsp: Emsp; id: string }[] = [];
  for (const options of emsps) {
    const emsp = await startEmsp(options);
    const { tokenA, partner } = await joule.services.partnerService.createWithTokenA({ name: `eMSP ${partners.length}`, allowPlainHttp: true });
    assert.equal((await emsp.registerWith(joule.versionsUrl, tokenA)).body.status_code, 1000);
    partners.push({ emsp, id: partner.id });
  }
  t.after(async () => {
    for (const p of partners) await p.emsp.close();
    await joule.close();
  });
  return { joule, partners };
}

const settled = (entries: OutboxEntry[]) => entries.every((e) => e.status !== 'pending');

forEachDatabase('a partner that is down gets every push once it is back, in order, each once', async (env, t) => {
  const { joule, partners } = await setup(env, t, [{}]);
  const [{ emsp, id }] = partners as [{ emsp: Emsp; id: string }];
  emsp.down = true;
  const paths: string[] = [];
  for (let i = 0; i < 6; i++) {
    const path = `/NL/JOU/LOC${i}`;
    paths.push(path);
    const method = i % 2 === 0 ? 'PUT' : 'PATCH';
    const stored = await joule.services.outbox.enqueue({ module: 'locations', method, path, body: { id: `LOC${i}`, n: i } });
    assert.equal(stored.length, 1);
  }
  // Several attempts fail while it is down; nothing is delivered, nothing is dropped.
  await waitFor('retries', async () => ((await joule.services.outbox.list({ partnerId: id }))[5]?.attempts ?? 0) >= 3 || undefined);
  const waiting = await joule.services.outbox.list({ partnerId: id });
  assert.equal(waiting.length, 6);
  assert.ok(waiting.every((e) => e.status === 'pending' && e.lastError !== null || e.attempts === 0));
  // Only the head of the queue was tried: later entries wait behind it.
  assert.deepEqual(waiting.map((e) => e.attempts > 0), [false, false, false, false, false, true]);
  assert.deepEqual(emsp.requestsTo('locations'), []);

  emsp.down = false;
  await waitFor('delivery', async () => (settled(await joule.services.outbox.list({ partnerId: id })) ? true : undefined));
  const got = emsp.requestsTo('locations');
  assert.deepEqual(got.map((r) => r.path), paths.map((p) => `/2.2.1/locations${p}`));
  assert.deepEqual(got.map((r) => r.method), ['PUT', 'PATCH', 'PUT', 'PATCH', 'PUT', 'PATCH']);
  assert.deepEqual(got.map((r) => (r.body as { n: number }).n), [0, 1, 2, 3, 4, 5]);
  const delivered = await joule.services.outbox.list({ partnerId: id, status: 'delivered' });
  assert.equal(delivered.length, 6);
  assert.ok(delivered.every((e) => e.deliveredAt !== null));
  // Headers of a functional push: token in the partner's encoding, ids, routing.
  const first = got[0];
  assert.equal(first?.headers.authorization, `Token ${Buffer.from(emsp.tokenForJoule as string).toString('base64')}`);
  assert.match(String(first?.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.ok(first?.headers['x-correlation-id']);
  assert.equal(first?.headers['ocpi-from-country-code'], 'NL');
  assert.equal(first?.headers['ocpi-from-party-id'], 'JOU');
  assert.equal(first?.headers['ocpi-to-country-code'], 'DE');
  assert.equal(first?.headers['ocpi-to-party-id'], 'EMS');
  assert.equal(first?.headers['content-type'], 'application/json');

  // A POST (a CDR) keeps the Location the receiver answered with.
  const [cdr] = await joule.services.outbox.enqueue({ module: 'cdrs', method: 'POST', path: '', body: { id: 'CDR1' } });
  await waitFor('cdr delivery', async () => ((await joule.services.outbox.list({ partnerId: id }))[0]?.status === 'delivered' ? true : undefined));
  const posted = (await joule.services.outbox.list({ partnerId: id }))[0];
  assert.equal(posted?.id, cdr?.id);
  assert.equal(emsp.requestsTo('cdrs')[0]?.path, '/2.2.1/cdrs');
  assert.match(posted?.responseLocation ?? '', new RegExp(`^${emsp.base}/2\\.2\\.1/cdrs/[0-9a-f-]{36}$`));

  // Nothing more arrives later (each once).
  await sleep(300);
  assert.equal(emsp.requestsTo('locations').length, 6);
});

forEachDatabase('fan-out to every partner with a receiver endpoint; 5xx retried, 2xxx given up, one partner does not hold another', async (env, t) => {
  const { joule, partners } = await setup(env, t, [{}, { endpoints: [{ identifier: 'tokens', role: 'SENDER' }] }, { versions: ['2.1.1'] }]);
  const [a, noLocations, legacy] = partners as [{ emsp: Emsp; id: string }, { emsp: Emsp; id: string }, { emsp: Emsp; id: string }];
  a.emsp.failWithStatus = 503;
  const stored = await joule.services.outbox.enqueue({ module: 'locations', method: 'PUT', path: '/NL/JOU/L1', body: { id: 'L1' } });
  assert.deepEqual(stored.map((e) => e.partnerId).sort(), [a.id, legacy.id].sort(), 'only partners with a locations receiver');
  // The 2.1.1 partner gets it (plain token, no 2.2.1 headers) while the other one fails.
  await waitFor('legacy delivery', () => (legacy.emsp.requestsTo('locations').length === 1 ? true : undefined));
  const legacyRequest = legacy.emsp.requestsTo('locations')[0];
  assert.equal(legacyRequest?.path, '/2.1.1/locations/NL/JOU/L1');
  assert.equal(legacyRequest?.headers.authorization, `Token ${legacy.emsp.tokenForJoule}`);
  assert.equal(legacyRequest?.headers['x-request-id'], undefined);
  await waitFor('retries', async () => ((await joule.services.outbox.list({ partnerId: a.id }))[0]?.attempts ?? 0) >= 2 || undefined);
  const failing = (await joule.services.outbox.list({ partnerId: a.id }))[0];
  assert.equal(failing?.status, 'pending');
  assert.match(failing?.lastError ?? '', /HTTP 503/);
  a.emsp.failWithStatus = undefined;
  await waitFor('recovery', async () => ((await joule.services.outbox.list({ partnerId: a.id }))[0]?.status === 'delivered' ? true : undefined));
  assert.equal(noLocations.emsp.requestsTo('locations').length, 0);

  // An OCPI client error is final: the queue moves on to the next entry.
  a.emsp.answerStatusCode = 2001;
  const [refused] = await joule.services.outbox.enqueue({ partnerId: a.id, module: 'locations', method: 'PATCH', path: '/NL/JOU/L1', body: {} });
  await waitFor('failed', async () => ((await joule.services.outbox.list({ status: 'failed' })).length === 1 ? true : undefined));
  const failed = (await joule.services.outbox.list({ status: 'failed' }))[0];
  assert.equal(failed?.id, refused?.id);
  assert.equal(failed?.attempts, 1);
  assert.match(failed?.lastError ?? '', /OCPI 2001/);
  a.emsp.answerStatusCode = 1000;
  await joule.services.outbox.enqueue({ partnerId: a.id, module: 'locations', method: 'PUT', path: '/NL/JOU/L2', body: {} });
  await waitFor('next delivered', () => (a.emsp.requestsTo('locations').some((r) => r.path.endsWith('/L2')) ? true : undefined));

  // Enqueue to a partner that is not registered is refused; unknown modules reach nobody.
  await assert.rejects(joule.services.outbox.enqueue({ partnerId: '00000000-0000-4000-8000-000000000000', module: 'locations', method: 'PUT', path: '/x' }), /not found/);
  assert.deepEqual(await joule.services.outbox.enqueue({ module: 'hubclientinfo', method: 'PUT', path: '/x' }), []);
});

forEachDatabase('the outbox survives a restart: pending entries are delivered by the next worker', async (env, t) => {
  const emsp = await startEmsp();
  t.after(() => emsp.close());
  const first = await startOcpiServer(env);
  const { tokenA } = await first.services.partnerService.createWithTokenA({ name: 'eMSP', allowPlainHttp: true });
  assert.equal((await emsp.registerWith(first.versionsUrl, tokenA)).body.status_code, 1000);
  emsp.down = true;
  await first.services.outbox.enqueue({ module: 'sessions', method: 'PUT', path: '/NL/JOU/S1', body: { id: 'S1' } });
  await first.services.outbox.enqueue({ module: 'sessions', method: 'PATCH', path: '/NL/JOU/S1', body: { kwh: 1 } });
  await first.close();
  emsp.down = false;
  const second = await startOcpiServer(env);
  t.after(() => second.close());
  await waitFor('delivery after restart', () => (emsp.requestsTo('sessions').length === 2 ? true : undefined));
  assert.deepEqual(emsp.requestsTo('sessions').map((r) => r.method), ['PUT', 'PATCH']);
});
