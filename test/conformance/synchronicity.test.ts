/**
 * Part 4 §4.1.1 Synchronicity, seen from a raw station: the CSMS never has two CALLs outstanding on one
 * connection, queued calls go out FIFO, the queue is bounded, the timeout counts queue time, replies are matched
 * by id only (late and unknown ones are dropped, ocpp-go #294), crossing CALLs work, and a disconnect fails every
 * pending call cleanly (ocpp-rpc #42/#61: no unhandled rejection, no MaxListeners warning).
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { CallTimeoutError, OfflineError, QueueFullError } from '../../src/protocol/errors.ts';
import type { JsonObject } from '../../src/protocol/types.ts';
import type { ConformanceServer, RawStation, WireFrame } from './support.ts';
import { NOW, VERSIONS, delay, settle, startServer, until, watchProcess } from './support.ts';

function dataTransfer(n: number | string): JsonObject {
  return { vendorId: 'joule', messageId: `m${n}` };
}

/** Checks that `frame` is our DataTransfer CALL number `n` and returns its id. */
function expectCall(frame: WireFrame, n: number | string): string {
  assert.equal(frame.length, 4, JSON.stringify(frame));
  assert.deepEqual([frame[0], frame[2], frame[3]], [2, 'DataTransfer', dataTransfer(n)]);
  assert.equal(typeof frame[1], 'string');
  return frame[1] as string;
}

describe('synchronicity (Part 4 §4.1.1)', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer({ capture: true, callTimeoutMs: 10_000 });
  });
  after(() => server.close());

  for (const version of VERSIONS) {
    describe(version, () => {
      let st: RawStation;
      const identity = `SYNC-${version}`;
      before(async () => {
        st = await server.connect(identity, version);
      });
      after(() => st.close());

      it('five calls at once: exactly one CALL on the wire until it is answered, then the next, in FIFO order', async () => {
        const calls = [0, 1, 2, 3, 4].map((n) => server.gateway.call(identity, 'DataTransfer', dataTransfer(n)));
        const results = calls.map((p) => settle(p));
        for (let n = 0; n < 5; n += 1) {
          const id = expectCall(await st.next(), n);
          await st.expectNone(120, `a second CALL while call ${n} is outstanding`);
          assert.equal(server.gateway.endpoint(identity)?.queuedCalls, 4 - n);
          st.send([3, id, { status: 'Accepted', data: `r${n}` }]);
        }
        assert.deepEqual(
          (await Promise.all(results)).map((r) => (r.ok ? r.value : String(r.error))),
          [0, 1, 2, 3, 4].map((n) => ({ status: 'Accepted', data: `r${n}` })),
        );
        await st.expectNone(100);
      });

      it('a CALLERROR also ends the outstanding call and lets the next one go', async () => {
        const first = settle(server.gateway.call(identity, 'DataTransfer', dataTransfer('e1')));
        const second = server.gateway.call(identity, 'DataTransfer', dataTransfer('e2'));
        const id1 = expectCall(await st.next(), 'e1');
        await st.expectNone(100);
        st.send([4, id1, 'NotSupported', '', {}]);
        const id2 = expectCall(await st.next(), 'e2');
        st.send([3, id2, { status: 'Rejected' }]);
        assert.deepEqual(await second, { status: 'Rejected' });
        const r1 = await first;
        assert.ok(!r1.ok);
      });

      it('replies are matched by id only: unknown ids are dropped and not matched to the outstanding call', async () => {
        const pending = server.gateway.call(identity, 'DataTransfer', dataTransfer('u'));
        const id = expectCall(await st.next(), 'u');
        let settled = false;
        void pending.then(
          () => (settled = true),
          () => (settled = true),
        );
        st.send([3, `${id.slice(0, -1)}x`, { status: 'Rejected' }]);
        st.send([4, 'not-an-id-of-ours', 'InternalError', '', {}]);
        st.send([3, '-1', { status: 'Rejected' }]);
        await st.expectNone(150, 'a reply to nothing must not be answered');
        assert.equal(settled, false, 'an unknown id settled the outstanding call');
        st.send([3, id, { status: 'Accepted' }]);
        assert.deepEqual(await pending, { status: 'Accepted' });
        assert.ok((server.log?.find('unexpected CALLRESULT dropped').length ?? 0) >= 2);
      });

      it('crossing CALLs: the station calls while our CALL is outstanding and both get answered', async () => {
        const ours = server.gateway.call(identity, 'DataTransfer', dataTransfer('x'));
        const id = expectCall(await st.next(), 'x');
        assert.deepEqual(await st.request([2, 'cross-1', 'Heartbeat', {}]), [3, 'cross-1', { currentTime: NOW }]);
        st.send([3, id, { status: 'Accepted' }]);
        assert.deepEqual(await ours, { status: 'Accepted' });
      });

      it('our CALL goes out while the station\'s own CALL is still being handled (directions are independent)', async () => {
        st.send([2, 'in-slow', 'DataTransfer', { vendorId: 'slow' }]);
        await until(() => server.handlers.handled.some((h) => h.messageId === 'in-slow'), 'the slow CALL never reached its handler');
        const ours = server.gateway.call(identity, 'DataTransfer', dataTransfer('y'));
        const id = expectCall(await st.next(), 'y');
        st.send([3, id, { status: 'Accepted' }]);
        assert.deepEqual(await ours, { status: 'Accepted' });
        server.handlers.release();
        assert.deepEqual(await st.next(), [3, 'in-slow', { status: 'Accepted' }]);
      });

      it('incoming CALLs are answered in arrival order', async () => {
        st.send([2, 'ord-1', 'DataTransfer', { vendorId: 'slow' }]);
        st.send([2, 'ord-2', 'Heartbeat', {}]);
        st.send([2, 'ord-3', 'DataTransfer', { vendorId: 'joule' }]);
        await st.expectNone(100, 'answers may not overtake the slow first CALL');
        server.handlers.release();
        assert.deepEqual(await st.next(), [3, 'ord-1', { status: 'Accepted' }]);
        assert.deepEqual(await st.next(), [3, 'ord-2', { currentTime: NOW }]);
        assert.deepEqual(await st.next(), [3, 'ord-3', { status: 'Accepted' }]);
      });
    });
  }
});

describe('bounded queue and timeouts', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer({ capture: true, maxQueuedCalls: 2, callTimeoutMs: 400 });
  });
  after(() => server.close());

  it('overflow rejects the newest call with QueueFullError; the others are unaffected', async () => {
    const st = await server.connect('QUEUE', 'ocpp2.0.1');
    try {
      const calls = [1, 2, 3].map((n) => server.gateway.call('QUEUE', 'DataTransfer', dataTransfer(n), { timeoutMs: 5000 }));
      const overflow = await settle(server.gateway.call('QUEUE', 'DataTransfer', dataTransfer(4), { timeoutMs: 5000 }));
      assert.ok(!overflow.ok && overflow.error instanceof QueueFullError, String(!overflow.ok && overflow.error));
      assert.equal(overflow.error.limit, 2);
      assert.equal(overflow.error.identity, 'QUEUE');
      for (const n of [1, 2, 3]) {
        const id = expectCall(await st.next(), n);
        st.send([3, id, { status: 'Accepted' }]);
      }
      for (const call of calls) assert.deepEqual(await call, { status: 'Accepted' });
      await st.expectNone(150, 'the rejected call must never be sent');
    } finally {
      await st.close();
    }
  });

  it('the timeout includes the time spent in the queue', async () => {
    const st = await server.connect('TIMEOUT-Q', 'ocpp2.1');
    try {
      let aAt = 0;
      let bAt = 0;
      const start = performance.now();
      const a = settle(server.gateway.call('TIMEOUT-Q', 'DataTransfer', dataTransfer('a')).finally(() => (aAt = performance.now() - start)));
      const b = settle(server.gateway.call('TIMEOUT-Q', 'DataTransfer', dataTransfer('b')).finally(() => (bAt = performance.now() - start)));
      expectCall(await st.next(), 'a');
      const [ra, rb] = await Promise.all([a, b]);
      assert.ok(!ra.ok && ra.error instanceof CallTimeoutError);
      assert.ok(!rb.ok && rb.error instanceof CallTimeoutError);
      assert.equal(rb.error.timeoutMs, 400);
      assert.ok(aAt >= 390, `a timed out after ${aAt} ms`);
      // Queued behind a for 400 ms, b has no time left: it fails with a, not 400 ms later.
      assert.ok(bAt < 400 + 300, `queued call timed out after ${bAt} ms`);
      // Drain whatever went out meanwhile, so the next test starts clean.
      await delay(50);
    } finally {
      await st.close();
    }
  });

  it('a timed-out call frees the line; its late reply is dropped and not matched to the next call (ocpp-go #294)', async () => {
    for (const version of VERSIONS) {
      const identity = `LATE-${version}`;
      const st = await server.connect(identity, version);
      try {
        const a = settle(server.gateway.call(identity, 'DataTransfer', dataTransfer('a'), { timeoutMs: 150 }));
        const b = server.gateway.call(identity, 'DataTransfer', dataTransfer('b'), { timeoutMs: 5000 });
        let bSettled = false;
        void b.then(
          () => (bSettled = true),
          () => (bSettled = true),
        );
        const idA = expectCall(await st.next(), 'a');
        // No answer to a: after its timeout the queue moves on to b.
        const idB = expectCall(await st.next(1000), 'b');
        const ra = await a;
        assert.ok(!ra.ok && ra.error instanceof CallTimeoutError);
        // Now the late replies to a, both kinds.
        st.send([4, idA, 'InternalError', 'late error for a', {}]);
        st.send([3, idA, { status: 'Rejected', data: 'late result for a' }]);
        await st.expectNone(150, `${version}: a late reply must not be answered`);
        assert.equal(bSettled, false, 'a late reply settled the next call');
        st.send([3, idB, { status: 'Accepted', data: 'b' }]);
        assert.deepEqual(await b, { status: 'Accepted', data: 'b' });
      } finally {
        await st.close();
      }
    }
    assert.ok((server.log?.find('late CALLERROR dropped').length ?? 0) >= 3);
    assert.ok((server.log?.find('late CALLRESULT dropped').length ?? 0) >= 3);
  });
});

describe('disconnect with calls pending', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer({ callTimeoutMs: 10_000 });
  });
  after(() => server.close());

  for (const how of ['terminate', 'close'] as const) {
    for (const version of VERSIONS) {
      it(`${version}, station ${how}s: every pending call rejects with OfflineError; no unhandledRejection, no warning`, async () => {
        const watch = watchProcess();
        const identity = `GONE-${how}-${version}`;
        const st = await server.connect(identity, version);
        // One outstanding and 60 queued: more than the 10 listeners that trigger MaxListenersExceededWarning.
        const calls = Array.from({ length: 61 }, (_, n) => server.gateway.call(identity, 'DataTransfer', dataTransfer(n)));
        const results = calls.map((p) => settle(p));
        expectCall(await st.next(), 0);
        if (how === 'terminate') await st.terminate();
        else await st.close();
        const settled = await Promise.all(results);
        for (const r of settled) assert.ok(!r.ok && r.error instanceof OfflineError, String(!r.ok && r.error));
        assert.ok(!server.gateway.connectedIdentities().includes(identity));
        const after = await settle(server.gateway.call(identity, 'DataTransfer', dataTransfer('after')));
        assert.ok(!after.ok && after.error instanceof OfflineError);
        await watch.check();
      });
    }
  }

  it('a replacing connection fails the old connection\'s pending calls with OfflineError', async () => {
    const watch = watchProcess();
    const old = await server.connect('REPLACED', 'ocpp2.0.1');
    const calls = Array.from({ length: 20 }, (_, n) => settle(server.gateway.call('REPLACED', 'DataTransfer', dataTransfer(n))));
    expectCall(await old.next(), 0);
    const fresh = await server.connect('REPLACED', 'ocpp2.0.1');
    for (const r of await Promise.all(calls)) assert.ok(!r.ok && r.error instanceof OfflineError);
    assert.equal((await old.closedPromise).code, 4001);
    await fresh.heartbeat();
    await fresh.close();
    await watch.check();
  });

  it('gateway shutdown fails pending calls with OfflineError and closes with 1001', async () => {
    const watch = watchProcess();
    const own = await startServer();
    const st = await own.connect('SHUTDOWN', 'ocpp2.1');
    const calls = Array.from({ length: 20 }, (_, n) => settle(own.gateway.call('SHUTDOWN', 'DataTransfer', dataTransfer(n))));
    expectCall(await st.next(), 0);
    await own.close();
    for (const r of await Promise.all(calls)) assert.ok(!r.ok && r.error instanceof OfflineError);
    assert.equal((await st.closedPromise).code, 1001);
    await watch.check();
  });
});
