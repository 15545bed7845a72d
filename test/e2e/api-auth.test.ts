/** REST API: API key authentication, key management, the OpenAPI document and Swagger UI, on the real app. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ensureInitialApiKey } from '../../src/api/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { eventually, items, startApi, type TestApi } from './api-support.ts';

describe('REST API authentication', () => {
  let api: TestApi;
  const logLines: string[] = [];

  before(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    });
    api = await startApi({}, { logger: createLogger({ level: 'trace', destination }) });
  });
  after(() => api.close());

  test('the initial key has the documented shape and works', async () => {
    assert.match(api.key, /^jk_[A-Za-z0-9_-]{43}$/);
    const response = await api.call('GET', '/stations');
    assert.equal(response.status, 200);
  });

  test('health needs no key', async () => {
    const response = await api.call('GET', '/health', { key: null });
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'ok');
  });

  test('401 JSON without a key, with a wrong, malformed or non-bearer key', async () => {
    const wrong = `jk_${'A'.repeat(43)}`;
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${wrong}` }, { authorization: 'Bearer nope' }, { authorization: `Basic ${Buffer.from(`x:${api.key}`).toString('base64')}` }];
    for (const headers of attempts) {
      const response = await api.call('GET', '/stations', { key: null, headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.body.error, 'unauthorized');
      assert.equal(typeof response.body.message, 'string');
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  test('unknown routes under /api/v1 need a key too, then answer 404 JSON', async () => {
    assert.equal((await api.call('GET', '/nowhere', { key: null })).status, 401);
    const response = await api.call('GET', '/nowhere');
    assert.equal(response.status, 404);
    assert.equal(response.body.error, 'not_found');
  });

  test('keys: create (shown once), list (never the key or hash), use, delete, then refused', async () => {
    const created = await api.call('POST', '/api-keys', { body: { name: 'ci robot' } });
    assert.equal(created.status, 201);
    const key = String(created.body.key);
    const id = String(created.body.id);
    assert.match(key, /^jk_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.body.name, 'ci robot');
    assert.equal(created.headers.get('location'), `/api/v1/api-keys/${id}`);

    assert.equal((await api.call('GET', '/stations', { key })).status, 200);

    const listed = await api.call('GET', '/api-keys');
    assert.equal(listed.status, 200);
    const names = items(listed.body.items).map((k) => String(k.name));
    assert.deepEqual(names.sort(), ['ci robot', 'initial']);
    const text = JSON.stringify(listed.body);
    assert.ok(!text.includes(key) && !text.includes(api.key), 'no plain key in the list');
    assert.ok(!/"hash"/.test(text), 'no hash in the list');
    for (const k of items(listed.body.items)) assert.deepEqual(Object.keys(k).sort(), ['createdAt', 'id', 'lastUsedAt', 'name']);

    // Use is recorded (written behind the request).
    await eventually(async () => {
      const all = items((await api.call('GET', '/api-keys')).body.items);
      return all.find((k) => String(k.id) === id && k.lastUsedAt !== null);
    }, 5000, 'lastUsedAt');

    assert.equal((await api.call('DELETE', `/api-keys/${id}`)).status, 204);
    assert.equal((await api.call('GET', '/stations', { key })).status, 401);
    assert.equal((await api.call('DELETE', `/api-keys/${id}`)).status, 404);
  });

  test('key creation and deletion validate their input', async () => {
    const noName = await api.call('POST', '/api-keys', { body: {} });
    assert.equal(noName.status, 400);
    assert.equal(noName.body.error, 'validation_failed');
    assert.deepEqual(items(noName.body.fields).map((f) => String(f.field)), ['name']);
    const badId = await api.call('DELETE', '/api-keys/not-a-uuid');
    assert.equal(badId.status, 400);
    assert.equal(items(badId.body.fields)[0]?.field, 'id');
  });

  test('ensureInitialApiKey creates nothing when keys exist', async () => {
    const { joule } = api;
    const before = (await joule.repos.apiKeys.list()).length;
    assert.equal(await ensureInitialApiKey({ repos: joule.repos, events: joule.events, commands: joule.commands, logger: joule.logger }), undefined);
    assert.equal((await joule.repos.apiKeys.list()).length, before);
  });

  test('no API key ever reaches the log', async () => {
    const created = await api.call('POST', '/api-keys', { body: { name: 'log check' } });
    await api.call('GET', '/stations', { key: String(created.body.key) });
    await api.call('GET', '/stations', { key: `jk_${'B'.repeat(43)}` });
    const log = logLines.join('');
    assert.ok(log.includes('API key created'), 'key creation is logged (without the key)');
    assert.ok(!log.includes(api.key), 'initial key not logged');
    assert.ok(!log.includes(String(created.body.key)), 'created key not logged');
    assert.ok(!log.includes('B'.repeat(43)), 'presented key not logged');
  });

  test('OpenAPI document: valid JSON with the API paths, public, nothing else', async () => {
    const response = await fetch(`${api.base}/api/v1/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { securitySchemes: Record<string, unknown> } };
    assert.match(doc.openapi, /^3\./);
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/api/v1/stations',
      '/api/v1/stations/{id}',
      '/api/v1/stations/{id}/connectors',
      '/api/v1/stations/{id}/variables',
      '/api/v1/tokens',
      '/api/v1/tokens/{id}',
      '/api/v1/transactions',
      '/api/v1/transactions/{id}',
      '/api/v1/messages',
      '/api/v1/stations/{id}/commands/reset',
      '/api/v1/stations/{id}/commands/change-availability',
      '/api/v1/stations/{id}/commands/raw',
      '/api/v1/jobs',
      '/api/v1/jobs/{id}',
      '/api/v1/events',
      '/api/v1/api-keys',
      '/api/v1/health',
    ]) {
      assert.ok(paths.includes(path), `${path} documented`);
    }
    assert.ok(paths.every((p) => p.startsWith('/api/v1/')), `only API paths: ${paths.join(', ')}`);
    assert.ok('apiKey' in doc.components.securitySchemes);
    assert.ok(doc.paths['/api/v1/stations']?.post, 'POST /stations documented');
  });

  test('Swagger UI at /docs', async () => {
    const response = await fetch(`${api.base}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /swagger/i);
  });
});
