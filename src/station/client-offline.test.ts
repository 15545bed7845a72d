/** Station client offline queue: bounded, ordered, timeouts count the queue time, flushed after reconnect. */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { CallTimeoutError, OfflineError, QueueFullError } from '../protocol/errors.ts';
import { ManualClock } from './testing/manual-clock.ts';
import { CsmsPeer } from './testing/peer.ts';
import { clientFor, closeAllClients, nextEvent, schemaValidator, settle } from './testing/fixtures.ts';

function dataTransfer(data: string): { vendorId: string; data: string } {
  return { vendorId: 'org.joule', data };
}

describe('StationClient offline queue', () => {
  let peer: CsmsPeer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(async () => {
    schemaValidator();
    peer = await CsmsPeer.start();
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await peer.stop();
  });
  beforeEach(() => {
    unhandled.length = 0;
    peer.reset();
  });
  afterEach(async () => {
    await closeAllClients();
    await settle();
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  test('calls made while disconnected are sent after reconnect, in order, one at a time', async () => {
    const client = clientFor(peer);
    let accepted = peer.nextConnection();
    await client.connect();
    await accepted;

    peer.refuseWith = 503;
    const closed = nextEvent(client, 'close');
    peer.dropAll();
    await closed;
    assert.equal(client.isConnected, false);
    const calls = ['a', 'b', 'c'].map((data) => client.call('DataTransfer', dataTransfer(data)));
    assert.equal(client.queuedCalls, 3);
    await settle(100);

    accepted = peer.nextConnection();
    peer.refuseWith = undefined;
    const connection = await accepted;
    for (const data of ['a', 'b', 'c']) {
      const [type, id, action, payload] = await connection.nextFrame();
      assert.deepEqual([type, action, payload], [2, 'DataTransfer', dataTransfer(data)]);
      await settle();
      assert.equal(connection.unreadFrames, 0, 'the next call waits for this answer');
      connection.send([3, id, { status: 'Accepted', data: `got ${data}` }]);
    }
    assert.deepEqual(
      (await Promise.all(calls)).map((r) => r.data),
      ['got a', 'got b', 'got c'],
    );
  });

  test('the CALL on the wire when the connection drops fails with OfflineError; calls behind it survive', async () => {
    const client = clientFor(peer);
    let accepted = peer.nextConnection();
    await client.connect();
    let connection = await accepted;
    const inFlight = client.call('DataTransfer', dataTransfer('on-the-wire'));
    const behind = client.call('DataTransfer', dataTransfer('behind'));
    await connection.nextFrame();

    accepted = peer.nextConnection();
    connection.socket.terminate();
    await assert.rejects(inFlight, OfflineError);
    connection = await accepted;
    const [, id, , payload] = await connection.nextFrame();
    assert.deepEqual(payload, dataTransfer('behind'));
    connection.send([3, id, { status: 'Accepted' }]);
    assert.deepEqual(await behind, { status: 'Accepted' });
  });

  test('overflow rejects the newest call with QueueFullError and keeps the others', async () => {
    const client = clientFor(peer, { maxOfflineQueue: 2 });
    const kept = [client.call('DataTransfer', dataTransfer('1')), client.call('DataTransfer', dataTransfer('2'))];
    await assert.rejects(client.call('DataTransfer', dataTransfer('3')), (error: unknown) => {
      assert.ok(error instanceof QueueFullError);
      assert.equal(error.limit, 2);
      return true;
    });
    assert.equal(client.queuedCalls, 2);

    peer.autoAnswer = (_action, payload) => ({ status: 'Accepted', data: String(payload.data) });
    try {
      await client.connect();
      assert.deepEqual(
        (await Promise.all(kept)).map((r) => r.data),
        ['1', '2'],
      );
    } finally {
      peer.autoAnswer = undefined;
    }
  });

  test('a call that only ever waits in the queue times out after its own timeout', async () => {
    const clock = new ManualClock();
    const client = clientFor(peer, { clock, callTimeoutMs: 1_000 });
    const call = client.call('Heartbeat', {});
    let seen: unknown;
    call.then(
      () => (seen = 'resolved'),
      (error: unknown) => (seen = error),
    );
    const outcomeNow = (): unknown => seen;
    clock.advance(999);
    await settle(0);
    assert.equal(outcomeNow(), undefined);
    clock.advance(1);
    await settle(0);
    const outcome = outcomeNow();
    assert.ok(outcome instanceof CallTimeoutError);
    assert.equal(outcome.timeoutMs, 1_000);
    assert.equal(client.queuedCalls, 0);
  });

  test('the timeout counts the time spent queued: an unanswered call fails at its timeout, not later', async () => {
    // 1 000 ms timeout, 600 ms of it spent queued: it must fail at about 1 000 ms, not 600 + 1 000.
    peer.refuseWith = 503;
    const client = clientFor(peer, { callTimeoutMs: 1_000 });
    await assert.rejects(client.connect());
    const started = performance.now();
    const call = client.call('Heartbeat', {});
    const failed = assert.rejects(call, (error: unknown) => error instanceof CallTimeoutError && error.timeoutMs === 1_000);
    await settle(600);
    const accepted = peer.nextConnection();
    peer.refuseWith = undefined;
    const connection = await accepted;
    const [, , action] = await connection.nextFrame();
    assert.equal(action, 'Heartbeat');
    await failed; // never answered
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 990 && elapsed < 1_500, `timed out after ${elapsed} ms, expected about 1 000`);
  });

  test('with reconnect off the queue waits for an explicit connect()', async () => {
    const client = clientFor(peer, { reconnect: false });
    let accepted = peer.nextConnection();
    await client.connect();
    await accepted;
    let reconnects = 0;
    client.on('reconnecting', () => (reconnects += 1));
    const closed = nextEvent(client, 'close');
    peer.dropAll();
    await closed;
    const call = client.call('Heartbeat', {});
    await settle(100);
    assert.equal(reconnects, 0);
    assert.equal(client.queuedCalls, 1);
    accepted = peer.nextConnection();
    await client.connect();
    const connection = await accepted;
    const [, id] = await connection.nextFrame();
    connection.send([3, id, { currentTime: '2025-01-01T00:00:00Z' }]);
    await call;
  });
});
