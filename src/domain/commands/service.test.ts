/** CommandService over real sockets and storage: synchronous runs, jobs, their status, events and webhooks (§5). */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { CommandTestbed, FakeStation } from '../../../test/support/commands.ts';
import { callError, startCommandTestbed, until } from '../../../test/support/commands.ts';
import { silentLogger } from '../../shared/logger.ts';
import type { DomainEvent } from '../events.ts';
import { DomainEvents } from '../events.ts';
import type { CommandJob, JsonObject } from '../model.ts';
import { CommandService } from './service.ts';
import { CommandError } from './types.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A webhook receiver: records every POST and answers with the next scripted status (200 when none is left). */
class WebhookReceiver {
  readonly requests: { headers: http.IncomingHttpHeaders; body: JsonObject }[] = [];
  readonly statuses: number[] = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString()) as JsonObject });
      response.statusCode = this.statuses.shift() ?? 200;
      response.end();
    });
  });

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook?secret=s3`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('CommandService', () => {
  let bed: CommandTestbed;
  let events: DomainEvents;
  let service: CommandService;
  let hook: WebhookReceiver;
  let v16: FakeStation;
  let v201: FakeStation;
  const published: DomainEvent[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    bed = await startCommandTestbed();
    hook = new WebhookReceiver();
    await hook.start();
    events = new DomainEvents();
    events.subscribe((event) => published.push(event));
    service = new CommandService({ gateway: bed.commands, jobs: bed.repos.commandJobs, events, logger: silentLogger(), defaultTimeoutMs: 2000, webhook: { attempts: 3, backoffMs: 20, timeoutMs: 500 } });
    v16 = await bed.station('SVC16', 'ocpp1.6');
    v201 = await bed.station('SVC201', 'ocpp2.0.1');
  });
  after(async () => {
    await service.idle();
    await hook.close();
    await bed.close();
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(() => {
    published.length = 0;
    hook.requests.length = 0;
    hook.statuses.length = 0;
  });
  afterEach(async () => {
    await service.idle();
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  test('run: waits for the answer, with the default timeout', async () => {
    v16.answer('Reset', { status: 'Accepted' });
    const outcome = await service.run(v16.id, { name: 'reset', type: 'OnIdle' });
    assert.deepEqual(outcome, { calls: [{ action: 'Reset', request: { type: 'Soft' }, response: { status: 'Accepted' } }], status: 'Accepted' });
    assert.deepEqual(v16.take(), [{ action: 'Reset', payload: { type: 'Soft' } }]);
    assert.deepEqual(published, [], 'synchronous runs publish no job event');
  });

  test('run: failures are CommandErrors', async () => {
    await assert.rejects(service.run('UNKNOWN', { name: 'clearCache' }), { kind: 'not-found' });
  });

  test('submit: pending → sent → completed, command.completed published, webhook POSTed the job', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    v201.answer('RequestStartTransaction', async () => {
      await gate;
      return { status: 'Accepted' };
    });
    const job = await service.submit(v201.id, { name: 'startTransaction', idToken: { idToken: 'TAG' }, evseId: 1, remoteStartId: 11 }, { webhookUrl: hook.url });
    assert.equal(job.status, 'pending');
    assert.deepEqual([job.stationId, job.action, job.webhookUrl], [v201.id, 'startTransaction', hook.url]);
    assert.deepEqual(job.request, { name: 'startTransaction', idToken: { idToken: 'TAG' }, evseId: 1, remoteStartId: 11 });
    await until(() => v201.received.length === 1);
    assert.equal((await service.getJob(job.id))?.status, 'sent');
    release();
    await service.idle();

    const done = await service.getJob(job.id);
    const response = { calls: [{ action: 'RequestStartTransaction', request: { idToken: { idToken: 'TAG', type: 'ISO14443' }, remoteStartId: 11, evseId: 1 }, response: { status: 'Accepted' } }], status: 'Accepted', result: { remoteStartId: 11 } };
    assert.deepEqual([done?.status, done?.response, done?.error], ['completed', response, null]);

    assert.equal(published.length, 1);
    const event = published[0];
    assert.ok(event?.type === 'command.completed');
    assert.deepEqual([event.jobId, event.stationId, event.action, event.status, event.response, event.error], [job.id, v201.id, 'startTransaction', 'completed', response, null]);

    assert.equal(hook.requests.length, 1);
    const [delivery] = hook.requests;
    assert.equal(delivery?.headers['content-type'], 'application/json');
    assert.equal(delivery?.headers['x-joule-job-id'], job.id);
    assert.deepEqual(delivery?.body, {
      id: job.id,
      stationId: v201.id,
      action: 'startTransaction',
      status: 'completed',
      request: job.request,
      response,
      error: null,
      createdAt: (done as CommandJob).createdAt.toISOString(),
      updatedAt: (done as CommandJob).updatedAt.toISOString(),
    });
    v201.take();
  });

  test('submit: CALLERROR → failed with {kind, code, description, details}; the webhook gets the error', async () => {
    v16.answer('ChangeAvailability', () => {
      throw callError('NotSupported', 'no availability here', { hint: 'x' });
    });
    const job = await service.submit(v16.id, { name: 'changeAvailability', operational: false, evseId: 1 }, { webhookUrl: hook.url });
    await service.idle();
    const done = await service.getJob(job.id);
    const error = { kind: 'rejected', code: 'NotSupported', description: 'no availability here', details: { hint: 'x' } };
    assert.deepEqual([done?.status, done?.response, done?.error], ['failed', null, error]);
    assert.deepEqual(hook.requests[0]?.body.error, error);
    assert.equal(hook.requests[0]?.body.status, 'failed');
    assert.ok(published[0]?.type === 'command.completed' && published[0].status === 'failed');
    v16.take();
  });

  test('submit: no answer in time → timeout', async () => {
    v16.answer('ClearCache', async () => {
      await sleep(300);
      return { status: 'Accepted' };
    });
    const job = await service.submit(v16.id, { name: 'clearCache' }, { timeoutMs: 100 });
    await service.idle();
    const done = await service.getJob(job.id);
    assert.equal(done?.status, 'timeout');
    assert.deepEqual((done?.error as JsonObject).kind, 'timeout');
    assert.equal((done?.error as JsonObject).code, null);
    await sleep(300);
    v16.take();
  });

  test('submit: a station that is not connected → failed offline (the job exists, the webhook is called)', async () => {
    await bed.register('SVCOFF');
    const job = await service.submit('SVCOFF', { name: 'clearCache' }, { webhookUrl: hook.url });
    await service.idle();
    const done = await service.getJob(job.id);
    assert.equal(done?.status, 'failed');
    assert.equal((done?.error as JsonObject).kind, 'offline');
    assert.equal(hook.requests.length, 1);
  });

  test('submit: an unknown station or a non-http webhook is refused at once', async () => {
    await assert.rejects(service.submit('NOPE', { name: 'clearCache' }), (e: unknown) => e instanceof CommandError && e.kind === 'not-found');
    await assert.rejects(service.submit(v16.id, { name: 'clearCache' }, { webhookUrl: 'file:///etc/passwd' }), { kind: 'invalid' });
    await assert.rejects(service.submit(v16.id, { name: 'clearCache' }, { webhookUrl: 'not a url' }), { kind: 'invalid' });
  });

  test('webhook: 5xx answers are retried with back-off until 2xx', async () => {
    v16.answer('ClearCache', { status: 'Accepted' });
    hook.statuses.push(500, 503);
    const job = await service.submit(v16.id, { name: 'clearCache' }, { webhookUrl: hook.url });
    await service.idle();
    assert.equal(hook.requests.length, 3);
    assert.ok(hook.requests.every((r) => r.body.id === job.id && r.body.status === 'completed'));
    v16.take();
  });

  test('webhook: a 4xx is not retried; a receiver that stays down is given up after the attempts', async () => {
    v16.answer('ClearCache', { status: 'Accepted' });
    hook.statuses.push(404);
    await service.submit(v16.id, { name: 'clearCache' }, { webhookUrl: hook.url });
    await service.idle();
    assert.equal(hook.requests.length, 1);

    hook.statuses.push(500, 500, 500, 500);
    await service.submit(v16.id, { name: 'clearCache' }, { webhookUrl: hook.url });
    await service.idle();
    assert.equal(hook.requests.length, 1 + 3, 'three attempts in all');

    // Nothing listens there: connection refused on every attempt, the job is completed all the same.
    const dead = http.createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const job = await service.submit(v16.id, { name: 'clearCache' }, { webhookUrl: deadUrl });
    await service.idle();
    assert.equal((await service.getJob(job.id))?.status, 'completed');
    v16.take();
  });

  test('listJobs: newest first, by station and status; getJob of an unknown id', async () => {
    const jobs = await service.listJobs({ stationId: v16.id });
    assert.ok(jobs.length >= 5);
    assert.ok(jobs.every((j) => j.stationId === v16.id));
    for (let i = 1; i < jobs.length; i++) assert.ok((jobs[i - 1] as CommandJob).createdAt >= (jobs[i] as CommandJob).createdAt);
    const failed = await service.listJobs({ status: ['failed', 'timeout'] });
    assert.ok(failed.length >= 3 && failed.every((j) => j.status === 'failed' || j.status === 'timeout'));
    assert.equal((await service.listJobs({ stationId: v16.id, limit: 2 })).length, 2);
    assert.equal(await service.getJob('00000000-0000-4000-8000-000000000000'), undefined);
    assert.equal(await service.getJob('not-a-uuid'), undefined);
  });
});
