/**
 * The live event stream in detail: registerApi on its own Fastify server (real storage, real HTTP) with a fast
 * keep-alive, fed with synthetic domain events: type and station filters, presentation, keep-alive comments,
 * unsubscription when clients leave. (The real app with real stations is covered in api-commands.test.ts.)
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fastify, type FastifyInstance } from 'fastify';
import { ensureInitialApiKey, registerApi, type ApiCommandService, type ApiDeps } from '../../src/api/index.ts';
import { DomainEvents } from '../../src/domain/events.ts';
import type { Transaction } from '../../src/domain/model.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { createRepositories, openDatabase, type Database } from '../../src/storage/index.ts';
import { eventually, SseReader } from './api-support.ts';

const unusedCommands: ApiCommandService = {
  run: () => Promise.reject(new Error('not used')),
  submit: () => Promise.reject(new Error('not used')),
  getJob: async () => undefined,
  listJobs: async () => [],
};

const transaction: Transaction = {
  id: 7,
  stationId: 'EV-1',
  transactionId: 'tx-7',
  evseId: 1,
  connectorId: 1,
  idToken: 'TAG',
  idTokenType: 'ISO14443',
  startedAt: new Date('2025-01-01T10:00:00Z'),
  stoppedAt: new Date('2025-01-01T11:00:00Z'),
  meterStartWh: 100,
  meterStartAt: new Date('2025-01-01T10:00:00Z'),
  meterStopWh: 7600.5,
  meterStopAt: new Date('2025-01-01T11:00:00Z'),
  energyWh: 7500.5,
  stopReason: 'Local',
  state: 'completed',
  chargingState: null,
  remoteStartId: null,
  lastSeqNo: 3,
  createdAt: new Date('2025-01-01T10:00:00Z'),
  updatedAt: new Date('2025-01-01T11:00:00Z'),
};

describe('REST API event stream', () => {
  let database: Database;
  let app: FastifyInstance;
  let events: DomainEvents;
  let key: string;
  let base: string;
  const listeners = (): number => (events as unknown as { listeners: Set<unknown> }).listeners.size;

  before(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    events = new DomainEvents();
    const deps: ApiDeps = { repos: createRepositories(database), events, commands: unusedCommands, logger: silentLogger(), sseKeepAliveMs: 50 };
    app = fastify();
    await registerApi(app, deps);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
    key = (await ensureInitialApiKey(deps)) ?? assert.fail('initial key');
  });
  after(async () => {
    await app.close();
    await database.close();
  });

  test('every event type, presented; type and station filters; keep-alives; unsubscribed on disconnect', async () => {
    const all = await SseReader.open(`${base}/events`, key);
    const transactions = await SseReader.open(`${base}/events?types=transaction.started,transaction.ended`, key);
    const oneStation = await SseReader.open(`${base}/events?station=EV-2`, key);
    assert.equal(listeners(), 3);
    await all.waitForComments(1);
    await transactions.waitForComments(1);
    await oneStation.waitForComments(1);

    const at = new Date('2025-01-01T11:00:00Z');
    events.publish({ type: 'station.connected', stationId: 'EV-1', ocppVersion: 'ocpp1.6', at });
    events.publish({ type: 'connector.status', stationId: 'EV-2', evseId: 1, connectorId: 1, status: 'Occupied', ocppStatus: 'Charging', at });
    events.publish({ type: 'transaction.ended', transaction, at });
    events.publish({ type: 'command.completed', jobId: 'j1', stationId: 'EV-1', action: 'reset', status: 'completed', response: { status: 'Accepted' }, error: null, at });

    await all.waitFor((e) => e.event === 'command.completed');
    assert.deepEqual(
      all.events.map((e) => e.event),
      ['station.connected', 'connector.status', 'transaction.ended', 'command.completed'],
    );
    assert.deepEqual(all.events[0]?.data, { type: 'station.connected', at: at.toISOString(), stationId: 'EV-1', ocppVersion: 'ocpp1.6' });
    const ended = all.events[2]?.data as { stationId: string; transaction: Record<string, unknown> };
    assert.equal(ended.stationId, 'EV-1');
    assert.equal(ended.transaction.energyWh, 7500.5);
    assert.equal(ended.transaction.energyKWh, 7.5005);
    assert.equal(ended.transaction.stoppedAt, '2025-01-01T11:00:00.000Z');

    await transactions.waitFor((e) => e.event === 'transaction.ended');
    assert.deepEqual(transactions.events.map((e) => e.event), ['transaction.ended']);
    await oneStation.waitFor((e) => e.event === 'connector.status');
    assert.deepEqual(oneStation.events.map((e) => e.event), ['connector.status']);

    // Keep-alive comments keep coming (every 50 ms here).
    await all.waitForComments(4);
    assert.ok(all.comments.includes('keep-alive'));

    all.close();
    transactions.close();
    oneStation.close();
    await eventually(() => (listeners() === 0 ? true : undefined), 5000, 'every stream to unsubscribe');
  });
});
