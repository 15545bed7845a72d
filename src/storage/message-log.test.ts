import assert from 'node:assert/strict';
import { forEachDatabase } from '../../test/support/db.ts';
import type { NewMessageLogEntry } from '../domain/model.ts';
import { createRepositories } from './index.ts';

const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 10, minute));

function frame(n: number, stationId = 'CS-L', minute = n): NewMessageLogEntry {
  return {
    stationId,
    direction: n % 2 === 0 ? 'in' : 'out',
    messageType: n % 2 === 0 ? 2 : 3,
    messageId: `m-${n}`,
    action: n % 2 === 0 ? 'Heartbeat' : 'StatusNotification',
    payload: n % 2 === 0 ? {} : [{ nested: [n] }],
    createdAt: at(minute),
  };
}

forEachDatabase('message log', async (env, t) => {
  await t.test('append writes a batch at once', async () => {
    const { messageLog } = createRepositories(await env.open());
    await messageLog.append([frame(0), frame(1), frame(2)]);
    const entries = await messageLog.list({ stationId: 'CS-L' });
    assert.deepEqual(entries.map((e) => e.messageId), ['m-2', 'm-1', 'm-0'], 'newest first');
    assert.deepEqual(entries[1], { id: entries[1]!.id, stationId: 'CS-L', direction: 'out', messageType: 3, messageId: 'm-1', action: 'StatusNotification', payload: [{ nested: [1] }], createdAt: at(1), response: null });
    assert.deepEqual((await messageLog.list({ action: 'Heartbeat' })).map((e) => e.messageId), ['m-2', 'm-0']);
    assert.deepEqual((await messageLog.list({ from: at(1), to: at(2) })).map((e) => e.messageId), ['m-1']);
    assert.deepEqual((await messageLog.list({ limit: 1, offset: 1 })).map((e) => e.messageId), ['m-1']);
    assert.deepEqual((await messageLog.list({ beforeId: entries[1]!.id })).map((e) => e.messageId), ['m-0']);
  });

  await t.test('an exchange: a CALL of the station with our answer in one entry, beside entries without one', async () => {
    const { messageLog } = createRepositories(await env.open());
    const result = { currentTime: '2025-03-01T10:05:00Z' };
    const error = { errorCode: 'NotSupported', errorDescription: 'no', errorDetails: {} };
    await messageLog.append([
      { ...frame(0, 'CS-X', 5), response: { messageType: 3, payload: result, createdAt: new Date(at(5).getTime() + 40) } },
      { ...frame(2, 'CS-X', 6), action: 'DataTransfer', response: { messageType: 4, payload: error, createdAt: at(7) } },
      { ...frame(4, 'CS-X', 8), response: null },
      frame(1, 'CS-X', 9),
    ]);
    const [unanswered, unpaired, failed, answered] = await messageLog.list({ stationId: 'CS-X' });
    assert.deepEqual(answered, {
      id: answered!.id,
      stationId: 'CS-X',
      direction: 'in',
      messageType: 2,
      messageId: 'm-0',
      action: 'Heartbeat',
      payload: {},
      createdAt: at(5),
      response: { messageType: 3, payload: result, createdAt: new Date(at(5).getTime() + 40) },
    });
    assert.deepEqual(failed?.response, { messageType: 4, payload: error, createdAt: at(7) });
    assert.equal(unpaired?.response, null, 'response null');
    assert.equal(unanswered?.response, null, 'response left out');
    assert.deepEqual((await messageLog.list({ stationId: 'CS-X', action: 'DataTransfer' })).map((e) => e.messageId), ['m-2'], 'the action filter finds the exchange');

    const queued = createRepositories(await env.open()).messageLog;
    queued.enqueue({ ...frame(6, 'CS-Y'), response: { messageType: 3, payload: {} } });
    await queued.flush();
    const [exchange] = await queued.list({ stationId: 'CS-Y' });
    assert.ok(exchange?.response && Math.abs(exchange.response.createdAt.getTime() - Date.now()) < 60_000, 'the createdAt of the response defaults to enqueue time');
    assert.deepEqual(exchange.createdAt, at(6));
  });

  await t.test('enqueue buffers; flush on size, on interval and on close', async () => {
    const database = await env.open();
    const { messageLog } = createRepositories(database, { messageLog: { maxBatch: 10, flushIntervalMs: 30 } });
    for (let n = 0; n < 3; n++) messageLog.enqueue(frame(n, 'CS-Q'));
    assert.equal((await messageLog.list({ stationId: 'CS-Q' })).length, 0, 'not written yet');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await messageLog.list({ stationId: 'CS-Q' })).length, 3, 'written by the interval timer');

    for (let n = 0; n < 25; n++) messageLog.enqueue(frame(n, 'CS-S'));
    await messageLog.flush();
    assert.equal((await messageLog.list({ stationId: 'CS-S' })).length, 25);

    messageLog.enqueue({ ...frame(1, 'CS-Z'), createdAt: undefined });
    await database.close();
    const reopened = createRepositories(await env.open());
    const [last] = await reopened.messageLog.list({ stationId: 'CS-Z' });
    assert.equal(last?.messageId, 'm-1', 'close flushed the buffer');
    assert.ok(last && Math.abs(last.createdAt.getTime() - Date.now()) < 60_000, 'createdAt defaults to enqueue time');
    assert.equal(messageLog.dropped, 0);
  });

  await t.test('prune deletes entries older than the retention', async () => {
    const { messageLog } = createRepositories(await env.open());
    await messageLog.append([frame(0, 'CS-P', 0), frame(1, 'CS-P', 30), frame(2, 'CS-P', 59)]);
    const before = (await messageLog.list({ limit: 1000 })).length;
    const removed = await messageLog.prune(at(30));
    assert.ok(removed >= 1);
    const left = await messageLog.list({ limit: 1000 });
    assert.equal(left.length, before - removed);
    assert.ok(left.every((e) => e.createdAt >= at(30)));
    assert.deepEqual((await messageLog.list({ stationId: 'CS-P' })).map((e) => e.messageId), ['m-2', 'm-1']);
  });
});
