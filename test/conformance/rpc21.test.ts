/**
 * OCPP 2.1 Part 4 §4.1.3, §4.2.3, §4.2.4: SEND [6] (never answered, exempt from synchronicity) and CALLRESULTERROR
 * [5] (sent back for an invalid CALLRESULT, its id being the CALLRESULT's). Neither exists before 2.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidResponseError, RpcError } from '../../src/protocol/errors.ts';
import type { ConformanceServer, RawStation } from './support.ts';
import { NOW, UUID_V4, assertCallError, settle, startServer, until, wire } from './support.ts';

const STREAM = { id: 123, pending: 0, basetime: '2024-08-27T12:30:40Z', data: [{ t: 0, v: '230.4' }, { t: 5, v: '230.2' }] };

describe('OCPP 2.1 SEND and CALLRESULTERROR', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer({ capture: true, maxBadMessages: 0 });
  });
  after(() => server.close());

  describe('receiving SEND on ocpp2.1', () => {
    let st: RawStation;
    before(async () => {
      st = await server.connect('SEND-21', 'ocpp2.1');
    });
    after(() => st.close());

    it('is handled with its payload untouched and never answered', async () => {
      const before = server.handlers.handled.length;
      st.send([6, 'send-1', 'NotifyPeriodicEventStream', STREAM]);
      await st.expectNone(300, 'a SEND must not be answered');
      assert.deepEqual(server.handlers.handled.slice(before), [{ version: 'ocpp2.1', action: 'NotifyPeriodicEventStream', messageId: 'send-1', payload: STREAM }]);
      await st.heartbeat();
    });

    it('is never answered when it is invalid either', async () => {
      const before = server.handlers.handled.length;
      for (const text of [
        '[6,"bad-1","NotifyPeriodicEventStream",{"id":"x"}]', // schema-invalid
        '[6,"bad-2","NoSuchStream",{}]', // unknown action
        '[6,"bad-3","Authorize",{}]', // known, no handler
        '[6,"bad-4","NotifyPeriodicEventStream",null]', // payload not an object
        '[6,"bad-5","NotifyPeriodicEventStream"]', // 3 elements
        '[6,"bad-6",7,{}]', // action not a string
        `[6,"${'s'.repeat(37)}","NotifyPeriodicEventStream",{}]`, // id too long
        '[6,17,"NotifyPeriodicEventStream",{}]', // id not a string
        '[6]',
      ]) {
        st.sendText(text);
      }
      await st.expectNone(300, 'an invalid SEND must not be answered with CALLERROR');
      assert.equal(server.handlers.handled.length, before, 'no handler may see an invalid SEND');
      await st.heartbeat();
    });

    it('may arrive while our CALL to the station is outstanding, and is handled at once', async () => {
      const pending = server.gateway.call('SEND-21', 'DataTransfer', { vendorId: 'joule', messageId: 'cross' });
      const call = await st.next();
      assert.equal(call[0], 2);
      const before = server.handlers.handled.length;
      st.send([6, 'send-2', 'NotifyPeriodicEventStream', STREAM]);
      await st.expectNone(200, 'SEND during an outstanding CALL');
      assert.equal(server.handlers.handled.length, before + 1);
      st.send([3, call[1], { status: 'Accepted' }]);
      assert.deepEqual(await pending, { status: 'Accepted' });
    });

    it('may arrive while the station\'s own CALL is still being handled, and is not queued behind it', async () => {
      const handled = (): string[] => server.handlers.handled.map((h) => h.messageId);
      st.send([2, 'slow-1', 'DataTransfer', { vendorId: 'slow' }]);
      await until(() => handled().includes('slow-1'), 'the slow CALL never reached its handler');
      st.send([6, 'send-3', 'NotifyPeriodicEventStream', STREAM]);
      await until(() => handled().includes('send-3'), 'the SEND waited behind the CALL being handled');
      server.handlers.release();
      assert.deepEqual(await st.next(), [3, 'slow-1', { status: 'Accepted' }]);
      await st.expectNone(100);
    });

    it('a SEND-only action sent as a CALL is not a known CALL action → NotImplemented, handler not run', async () => {
      const before = server.handlers.handled.length;
      assertCallError(await st.request([2, 'as-call', 'NotifyPeriodicEventStream', STREAM]), 'as-call', 'NotImplemented');
      assert.equal(server.handlers.handled.length, before);
    });
  });

  describe('sending SEND from the CSMS', () => {
    it('goes out at once although a CALL is outstanding (the SEND is exempt from §4.1.1)', async () => {
      const st = await server.connect('SEND-OUT-21', 'ocpp2.1');
      try {
        const pending = server.gateway.call('SEND-OUT-21', 'DataTransfer', { vendorId: 'joule' });
        const call = await st.next();
        server.gateway.endpoint('SEND-OUT-21')?.send('NotifyPeriodicEventStream', STREAM);
        const send = await st.next(1000);
        assert.equal(send.length, 4);
        assert.deepEqual([send[0], send[2], send[3]], [6, 'NotifyPeriodicEventStream', STREAM]);
        assert.match(String(send[1]), UUID_V4);
        assert.notEqual(send[1], call[1]);
        st.send([3, call[1], { status: 'Accepted' }]);
        assert.deepEqual(await pending, { status: 'Accepted' });
      } finally {
        await st.close();
      }
    });

    it('does not exist on ocpp2.0.1', async () => {
      const st = await server.connect('SEND-OUT-201', 'ocpp2.0.1');
      try {
        assert.throws(() => server.gateway.endpoint('SEND-OUT-201')?.send('NotifyPeriodicEventStream', STREAM), /SEND is not part of ocpp2\.0\.1/);
        await st.expectNone(100);
      } finally {
        await st.close();
      }
    });
  });

  describe('CALLRESULTERROR for an invalid CALLRESULT (2.1 §4.2.3, Part 2 FR.06)', () => {
    let st: RawStation;
    before(async () => {
      st = await server.connect('CRE-21', 'ocpp2.1');
    });
    after(() => st.close());

    const invalid: Array<{ name: string; reply: (id: unknown) => string; code: string }> = [
      { name: 'value outside the enum', reply: (id) => JSON.stringify([3, id, { status: 'Maybe' }]), code: 'PropertyConstraintViolation' },
      { name: 'required field missing', reply: (id) => JSON.stringify([3, id, {}]), code: 'OccurrenceConstraintViolation' },
      { name: 'field of the wrong type', reply: (id) => JSON.stringify([3, id, { status: 1 }]), code: 'TypeConstraintViolation' },
      { name: 'payload not an object', reply: (id) => JSON.stringify([3, id, null]), code: 'FormatViolation' },
      { name: 'four elements', reply: (id) => JSON.stringify([3, id, { status: 'Accepted' }, {}]), code: 'FormatViolation' },
    ];
    for (const c of invalid) {
      it(`${c.name} → [5, id, ${c.code}, …] and our call() rejects`, async () => {
        const pending = settle(server.gateway.call('CRE-21', 'DataTransfer', { vendorId: 'joule' }));
        const call = await st.next();
        st.sendText(c.reply(call[1]));
        assertCallError(await st.next(), String(call[1]), c.code, { type: 5 });
        const result = await pending;
        assert.ok(!result.ok && result.error instanceof InvalidResponseError, JSON.stringify(result));
        assert.equal(result.error.code, c.code);
        // The connection goes on: the next call is sent and answered.
        const next = server.gateway.call('CRE-21', 'DataTransfer', { vendorId: 'joule' });
        const second = await st.next();
        st.send([3, second[1], { status: 'Accepted' }]);
        assert.deepEqual(await next, { status: 'Accepted' });
      });
    }

    it('a malformed CALLRESULT that matches no call of ours (unknown or late id) is dropped like any such reply', async () => {
      // Issue #2 §4: "A reply with an unknown or late id is logged and dropped". The well-formed ones are; the
      // malformed ones must not fare differently (and "-1" is an id like any other here).
      for (const text of ['[3,"nobody",null]', '[3,"-1",null]', '[3,"-1","x"]', '[3,"nobody",{},1]', '[3,"nobody",{"status":"Maybe"}]']) {
        st.sendText(text);
      }
      await st.expectNone(200, 'a reply to nothing must not be answered');
      const late = settle(server.gateway.call('CRE-21', 'DataTransfer', { vendorId: 'joule' }, { timeoutMs: 100 }));
      const call = await st.next();
      assert.ok(!(await late).ok);
      st.send([3, call[1], null]);
      await st.expectNone(200, 'a late reply must not be answered');
      await st.heartbeat();
    });

    it('a received CALLRESULTERROR is logged, never answered, and does not settle a call with the same id', async () => {
      const pending = settle(server.gateway.call('CRE-21', 'DataTransfer', { vendorId: 'joule' }));
      const call = await st.next();
      const before = server.log?.find('peer rejected our CALLRESULT').length ?? 0;
      // It refers to a CALLRESULT of ours, not to our CALL: the call must stay pending.
      st.send([5, call[1], 'FormatViolation', 'your CALLRESULT was bad', {}]);
      st.send([5, 'unrelated', 'FormationViolation', '', {}]);
      st.send([5, 'no-details', 'GenericError']);
      st.sendText('[5,"bad-code",7,"x",{}]');
      st.sendText('[5]');
      await st.expectNone(200, 'a CALLRESULTERROR is never answered');
      assert.ok((server.log?.find('peer rejected our CALLRESULT').length ?? 0) >= before + 3);
      st.send([3, call[1], { status: 'Rejected' }]);
      assert.deepEqual(await pending, { ok: true, value: { status: 'Rejected' } });
      await st.heartbeat();
    });
  });

  describe('before 2.1 there is no CALLRESULTERROR', () => {
    for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      it(`${version}: an invalid CALLRESULT rejects our call, nothing is sent back`, async () => {
        const st = await server.connect(`CRE-${version}`, version);
        try {
          const pending = settle(server.gateway.call(`CRE-${version}`, 'DataTransfer', { vendorId: 'joule' }));
          const call = await st.next();
          st.send([3, call[1], { status: 'Maybe' }]);
          const result = await pending;
          assert.ok(!result.ok && result.error instanceof InvalidResponseError);
          assert.equal(result.error.code, 'PropertyConstraintViolation');
          await st.expectNone(200, `${version} must not answer a CALLRESULT`);
        } finally {
          await st.close();
        }
      });

      it(`${version}: receiving [5,…] or [6,…] → ${wire(version, 'MessageTypeNotSupported')}`, async () => {
        const st = await server.connect(`MT-${version}`, version);
        try {
          assertCallError(await st.request([6, 'six', 'NotifyPeriodicEventStream', STREAM]), 'six', wire(version, 'MessageTypeNotSupported'));
          assertCallError(await st.request([5, 'five', 'FormatViolation', 'x', {}]), 'five', wire(version, 'MessageTypeNotSupported'));
          assert.deepEqual(await st.request([2, 'hb', 'Heartbeat', {}]), [3, 'hb', { currentTime: NOW }]);
        } finally {
          await st.close();
        }
      });
    }
  });

  it('an RpcError from a CALLERROR is not confused with CALLRESULTERROR on 2.1', async () => {
    const st = await server.connect('CE-21', 'ocpp2.1');
    try {
      const pending = settle(server.gateway.call('CE-21', 'DataTransfer', { vendorId: 'joule' }));
      const call = await st.next();
      st.send([4, call[1], 'NotSupported', 'no DataTransfer here', {}]);
      const result = await pending;
      assert.ok(!result.ok && result.error instanceof RpcError && result.error.code === 'NotSupported');
      await st.expectNone(100);
    } finally {
      await st.close();
    }
  });
});
