/**
 * REST API commands and live events through real stations (raw OCPP-J 2.0.1 over ws with Basic auth) on the
 * real app: synchronous round trip, offline, timeout, CALLERROR, validation, asynchronous jobs with a webhook,
 * and the SSE stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, items, RawStation, SseReader, startApi, webhookServer, type TestApi } from './api-support.ts';

const PASSWORD = 'station-password-0001';

/** Number of DomainEvents subscribers (to prove the SSE stream unsubscribes). */
function listenerCount(api: TestApi): number {
  return (api.joule.events as unknown as { listeners: Set<unknown> }).listeners.size;
}

describe('REST API commands and events', () => {
  let api: TestApi;
  let station: RawStation;

  before(async () => {
    api = await startApi();
    for (const id of ['CMD-1', 'CMD-OFF']) {
      const created = await api.call('POST', '/stations', { body: { id, securityProfile: 1, password: PASSWORD, registrationStatus: 'Accepted' } });
      assert.equal(created.status, 201);
    }
  });
  after(async () => {
    await station?.close();
    await api.close();
  });

  test('SSE: a station.connected event when a real station connects; the subscription ends with the client', async () => {
    const baseline = listenerCount(api);
    const stream = await SseReader.open(`${api.base}/api/v1/events?types=station.connected,station.disconnected`, api.key);
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /^text\/event-stream/);
    await stream.waitForComments(1);
    assert.equal(listenerCount(api), baseline + 1);

    station = await RawStation.connect(api.joule.port, 'CMD-1', { password: PASSWORD });
    const event = await stream.waitFor((e) => e.event === 'station.connected');
    assert.deepEqual(
      { stationId: (event.data as { stationId: string }).stationId, type: (event.data as { type: string }).type },
      { stationId: 'CMD-1', type: 'station.connected' },
    );

    stream.close();
    await eventually(() => (listenerCount(api) === baseline ? true : undefined), 5000, 'the stream to unsubscribe');
    const detail = await api.call('GET', '/stations/CMD-1');
    assert.equal(detail.body.connected, true);
  });

  test('SSE: 401 without a key, 400 for an unknown type', async () => {
    const anonymous = await fetch(`${api.base}/api/v1/events`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const bad = await api.call('GET', '/events?types=station.exploded');
    assert.equal(bad.status, 400);
    assert.equal(items(bad.body.fields)[0]?.field, 'types');
  });

  test('synchronous Reset: 200 with the station answer', async () => {
    station.setAnswer((action) => (action === 'Reset' ? { result: { status: 'Accepted' } } : { error: { code: 'NotImplemented', description: action } }));
    const response = await api.call('POST', '/stations/CMD-1/commands/reset', { body: { type: 'Immediate' } });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.status, 'Accepted');
    assert.equal(response.body.stationId, 'CMD-1');
    assert.equal(response.body.command, 'reset');
    const [call] = items(response.body.calls);
    assert.equal(call?.action, 'Reset');
    assert.deepEqual(call?.response, { status: 'Accepted' });
    assert.deepEqual(station.calls.at(-1), { action: 'Reset', payload: { type: 'Immediate' } });
  });

  test('raw command round trip', async () => {
    station.setAnswer(() => ({ result: { status: 'Rejected' } }));
    const response = await api.call('POST', '/stations/CMD-1/commands/raw', { body: { action: 'Reset', payload: { type: 'OnIdle' } } });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.status, 'Rejected');
    assert.deepEqual(station.calls.at(-1), { action: 'Reset', payload: { type: 'OnIdle' } });
  });

  test('CALLERROR → 502 with the code and description', async () => {
    station.setAnswer(() => ({ error: { code: 'InternalError', description: 'relay stuck' } }));
    const response = await api.call('POST', '/stations/CMD-1/commands/reset', { body: { type: 'OnIdle' } });
    assert.equal(response.status, 502, JSON.stringify(response.body));
    assert.equal(response.body.error, 'command_rejected');
    assert.equal(response.body.rpc?.code, 'InternalError');
    assert.equal(response.body.rpc?.description, 'relay stuck');
  });

  test('no answer in time → 504', async () => {
    station.setAnswer(() => 'silence');
    const started = Date.now();
    const response = await api.call('POST', '/stations/CMD-1/commands/reset?timeoutMs=300', { body: { type: 'Immediate' } });
    assert.equal(response.status, 504, JSON.stringify(response.body));
    assert.equal(response.body.error, 'command_timeout');
    assert.ok(Date.now() - started < 5000);
  });

  test('offline station → 409, unknown station → 404', async () => {
    const offline = await api.call('POST', '/stations/CMD-OFF/commands/reset', { body: { type: 'Immediate' } });
    assert.equal(offline.status, 409, JSON.stringify(offline.body));
    assert.equal(offline.body.error, 'station_offline');
    const unknown = await api.call('POST', '/stations/NOPE/commands/reset', { body: { type: 'Immediate' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'not_found');
  });

  test('command validation: 400 with fields; unknown command 404; webhookUrl needs async', async () => {
    const bad = await api.call('POST', '/stations/CMD-1/commands/reset', { body: { type: 'Bogus', evseId: -1, extra: 1 } });
    assert.equal(bad.status, 400);
    assert.deepEqual(items(bad.body.fields).map((f) => String(f.field)).sort(), ['evseId', 'extra', 'type']);
    const noBody = await api.call('POST', '/stations/CMD-1/commands/change-availability');
    assert.equal(noBody.status, 400);
    assert.deepEqual(items(noBody.body.fields).map((f) => String(f.field)), ['operational']);
    const badTimeout = await api.call('POST', '/stations/CMD-1/commands/reset?timeoutMs=5', { body: { type: 'Immediate' } });
    assert.equal(badTimeout.status, 400);
    assert.equal(items(badTimeout.body.fields)[0]?.in, 'query');
    const unknown = await api.call('POST', '/stations/CMD-1/commands/self-destruct', { body: {} });
    assert.equal(unknown.status, 404);
    const syncHook = await api.call('POST', '/stations/CMD-1/commands/reset', { body: { type: 'Immediate', webhookUrl: 'http://127.0.0.1:1/x' } });
    assert.equal(syncHook.status, 400);
    const badHook = await api.call('POST', '/stations/CMD-1/commands/reset?async=true', { body: { type: 'Immediate', webhookUrl: 'file:///etc/passwd' } });
    assert.equal(badHook.status, 400);
  });

  test('asynchronous: 202 + Location, GET the job, webhook POSTed, command.completed streamed', async () => {
    const hook = await webhookServer();
    const stream = await SseReader.open(`${api.base}/api/v1/events?types=command.completed&station=CMD-1`, api.key);
    try {
      station.setAnswer((action) => (action === 'Reset' ? { result: { status: 'Scheduled' } } : { error: { code: 'NotImplemented', description: action } }));
      const accepted = await api.call('POST', '/stations/CMD-1/commands/reset?async=true', { body: { type: 'OnIdle', webhookUrl: hook.url } });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const jobId = String(accepted.body.jobId);
      assert.match(jobId, /^[0-9a-f-]{36}$/);
      assert.ok(['pending', 'sent', 'completed'].includes(String(accepted.body.status)));
      assert.equal(accepted.headers.get('location'), `/api/v1/jobs/${jobId}`);

      const job = await eventually(async () => {
        const response = await api.call('GET', `/jobs/${jobId}`);
        assert.equal(response.status, 200);
        return String(response.body.status) === 'completed' ? response.body : undefined;
      }, 10_000, 'the job to complete');
      assert.equal(job.stationId, 'CMD-1');
      assert.equal(job.webhookUrl, hook.url.split('?')[0], 'the webhook query (a secret) is not shown');

      const delivery = await eventually(() => hook.deliveries[0], 10_000, 'the webhook');
      assert.equal(delivery.method, 'POST');
      assert.ok(JSON.stringify(delivery.body).includes(jobId), 'the webhook carries the job');

      const event = await stream.waitFor((e) => e.event === 'command.completed', 10_000);
      assert.equal((event.data as { jobId: string }).jobId, jobId);

      const listed = await api.call('GET', '/jobs?station=CMD-1&status=completed');
      assert.equal(listed.status, 200);
      assert.ok(items(listed.body.items).some((j) => String(j.id) === jobId));
      assert.equal((await api.call('GET', '/jobs/00000000-0000-4000-8000-000000000000')).status, 404);
      assert.equal((await api.call('GET', '/jobs/not-a-uuid')).status, 400);
    } finally {
      stream.close();
      await hook.close();
    }
  });

  test('asynchronous with the webhook in the query and a station offline: 202, the job fails', async () => {
    const hook = await webhookServer();
    try {
      const accepted = await api.call('POST', `/stations/CMD-OFF/commands/clear-cache?async=true&webhookUrl=${encodeURIComponent(hook.url)}`);
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const jobId = String(accepted.body.jobId);
      const job = await eventually(async () => {
        const body = (await api.call('GET', `/jobs/${jobId}`)).body;
        return ['pending', 'sent'].includes(String(body.status)) ? undefined : body;
      }, 10_000, 'the job to end');
      assert.equal(job.status, 'failed');
      await eventually(() => hook.deliveries[0], 10_000, 'the webhook');
    } finally {
      await hook.close();
    }
  });

  // Last: closes the app (the after hook's close() is then a no-op).
  test('closing the app ends open event streams instead of waiting for their clients', async () => {
    const stream = await SseReader.open(`${api.base}/api/v1/events`, api.key);
    await stream.waitForComments(1);
    await station.close();
    const closed = api.close();
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('close hung on an open stream')), 10_000))]);
    stream.close();
  });
});
