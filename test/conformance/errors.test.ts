/**
 * Part 4 §4.2.3/§4.3 (2.0.1 and 2.1) and OCPP-J 1.6 §4.2.3 with its errata: every CALLERROR the server sends, per
 * version, checked on the wire: always 5 elements, the version's spelling of the code, the right id ("-1" when it
 * cannot be read), ErrorDescription ≤ 255 characters and errorDetails {}. And the other way round: both spellings
 * are understood when a station sends them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RpcError } from '../../src/protocol/errors.ts';
import type { OcppVersion } from '../../src/protocol/types.ts';
import type { ConformanceServer, RawStation } from './support.ts';
import { NOW, SECRET, VERSIONS, assertCallError, settle, startServer, wire } from './support.ts';

/** A BootNotification that passes the schema of `version`. */
function boot(version: OcppVersion): Record<string, unknown> {
  return version === 'ocpp1.6'
    ? { chargePointVendor: 'Joule', chargePointModel: 'Conformance' }
    : { reason: 'PowerUp', chargingStation: { vendorName: 'Joule', model: 'Conformance' } };
}

/** One payload per schema error code, per version. */
function schemaCases(version: OcppVersion): Array<{ name: string; payload: unknown; code: string }> {
  const v16 = version === 'ocpp1.6';
  return [
    { name: 'required field missing', payload: v16 ? { chargePointModel: 'M' } : { chargingStation: { vendorName: 'V', model: 'M' } }, code: wire(version, 'OccurrenceConstraintViolation') },
    { name: 'empty payload', payload: {}, code: wire(version, 'OccurrenceConstraintViolation') },
    {
      name: 'field of the wrong type',
      payload: v16 ? { chargePointVendor: 5, chargePointModel: 'M' } : { reason: 'PowerUp', chargingStation: { vendorName: 5, model: 'M' } },
      code: 'TypeConstraintViolation',
    },
    {
      name: 'string too long',
      payload: v16 ? { chargePointVendor: 'V'.repeat(21), chargePointModel: 'M' } : { reason: 'PowerUp', chargingStation: { vendorName: 'V'.repeat(51), model: 'M' } },
      code: 'PropertyConstraintViolation',
    },
    v16
      ? { name: 'optional field of the wrong type', payload: { chargePointVendor: 'V', chargePointModel: 'M', chargePointSerialNumber: 7 }, code: 'TypeConstraintViolation' }
      : { name: 'value outside the enum', payload: { reason: 'Bogus', chargingStation: { vendorName: 'V', model: 'M' } }, code: 'PropertyConstraintViolation' },
    { name: 'property the PDU does not have', payload: { ...boot(version), colour: 'green' }, code: wire(version, 'FormatViolation') },
  ];
}

describe('CALLERROR on the wire, per version', () => {
  let server: ConformanceServer;
  before(async () => {
    // Every bad frame here would count against the budget; that is tested in budget.test.ts.
    server = await startServer({ maxBadMessages: 0 });
  });
  after(() => server.close());

  for (const version of VERSIONS) {
    describe(version, () => {
      let st: RawStation;
      before(async () => {
        st = await server.connect(`ERR-${version}`, version);
      });
      after(() => st.close());

      it('answers a valid CALL with the exact CALLRESULT (baseline)', async () => {
        assert.deepEqual(await st.request('[2,"ok-1","Heartbeat",{}]'), [3, 'ok-1', { currentTime: NOW }]);
        assert.deepEqual(await st.request([2, 'ok-2', 'BootNotification', boot(version)]), [3, 'ok-2', { status: 'Accepted', currentTime: NOW, interval: 300 }]);
      });

      it(`payload that is not a JSON object → ${wire(version, 'FormatViolation')} with the CALL's id`, async () => {
        for (const [i, payload] of ['[]', 'null', '"text"', '7', 'true', '[{}]'].entries()) {
          assertCallError(await st.request(`[2,"pl-${i}","Heartbeat",${payload}]`), `pl-${i}`, wire(version, 'FormatViolation'));
        }
      });

      for (const c of schemaCases(version)) {
        it(`schema: ${c.name} → ${c.code}`, async () => {
          assertCallError(await st.request([2, 'sc-1', 'BootNotification', c.payload]), 'sc-1', c.code);
        });
      }

      it('unknown action → NotImplemented (actions are case-sensitive; other versions\' actions are unknown)', async () => {
        const unknown = ['FooBar', 'heartbeat', 'HeartbeatRequest', version === 'ocpp1.6' ? 'NotifyReport' : 'DiagnosticsStatusNotification'];
        if (version === 'ocpp2.0.1') unknown.push('NotifyPeriodicEventStream', 'AFRRSignal');
        for (const [i, action] of unknown.entries()) {
          const description = assertCallError(await st.request([2, `ni-${i}`, action, {}]), `ni-${i}`, 'NotImplemented');
          assert.ok(description.includes(action), description);
        }
      });

      it('known action without a handler → NotSupported, whatever the payload', async () => {
        assertCallError(await st.request([2, 'ns-1', 'Authorize', version === 'ocpp1.6' ? { idTag: 'ABC' } : { idToken: { idToken: 'ABC', type: 'ISO14443' } }]), 'ns-1', 'NotSupported');
        assertCallError(await st.request([2, 'ns-2', 'StatusNotification', { bogus: true }]), 'ns-2', 'NotSupported');
      });

      it(`unreadable frames → id "-1" and ${wire(version, 'RpcFrameworkError')}`, async () => {
        const unreadable = [
          'not json',
          '[2,"trunc","Heartbeat",{',
          '{"0":2,"1":"obj","2":"Heartbeat","3":{}}',
          '"a string"',
          'null',
          '42',
          '[]',
          '[2]',
          '[2,17,"Heartbeat",{}]',
          '[2,"","Heartbeat",{}]',
          `[2,"${'x'.repeat(37)}","Heartbeat",{}]`,
          '[2,null,"Heartbeat",{}]',
          '[2,["id"],"Heartbeat",{}]',
          '\uFEFF[2,"bom","Heartbeat",{}]',
        ];
        for (const text of unreadable) {
          assertCallError(await st.request(text), '-1', wire(version, 'RpcFrameworkError'));
        }
        // 36 characters is the longest valid id.
        const id36 = 'y'.repeat(36);
        assert.deepEqual(await st.request([2, id36, 'Heartbeat', {}]), [3, id36, { currentTime: NOW }]);
      });

      it('a MessageTypeId that is not an integer → RpcFrameworkError with the readable id', async () => {
        for (const [i, type] of ['"2"', '2.5', 'null', '[2]'].entries()) {
          assertCallError(await st.request(`[${type},"ty-${i}","Heartbeat",{}]`), `ty-${i}`, wire(version, 'RpcFrameworkError'));
        }
      });

      it('a CALL with a wrong number of elements or a non-string action → FormatViolation with its id', async () => {
        assertCallError(await st.request('[2,"el-1","Heartbeat"]'), 'el-1', wire(version, 'FormatViolation'));
        assertCallError(await st.request('[2,"el-2","Heartbeat",{},{}]'), 'el-2', wire(version, 'FormatViolation'));
        assertCallError(await st.request('[2,"el-3"]'), 'el-3', wire(version, 'FormatViolation'));
        assertCallError(await st.request('[2,"el-4",7,{}]'), 'el-4', wire(version, 'FormatViolation'));
        assertCallError(await st.request('[2,"el-5","",{}]'), 'el-5', wire(version, 'FormatViolation'));
      });

      it('a frame whose type is readable but which has no id is answered only if it is a CALL', async () => {
        // [3], [4] are replies (never answered); on 2.1 [5], [6] are a reply and a SEND (never answered).
        const silent = version === 'ocpp2.1' ? ['[3]', '[4]', '[5]', '[6]', '[7]', '[3,null]'] : ['[3]', '[4]', '[3,null]'];
        for (const text of silent) {
          st.sendText(text);
          await st.expectNone(150, `${version} answered ${text}`);
        }
        await st.heartbeat();
        if (version !== 'ocpp2.1') {
          // An unknown type without an id: 2.0.1 MessageTypeNotSupported (1.6: FormationViolation) with "-1".
          assertCallError(await st.request('[7]'), '-1', wire(version, 'MessageTypeNotSupported'));
        }
      });

      if (version === 'ocpp2.1') {
        it('unknown message type → silently ignored (2.1 §4.1.3, §4.4), connection still usable', async () => {
          for (const text of ['[7,"mt-1","Heartbeat",{}]', '[1,"mt-2",{}]', '[0,"mt-3"]', '[99,"mt-4","x","y",{}]', '[-2,"mt-5","Heartbeat",{}]', `[7,"${'z'.repeat(40)}"]`]) {
            st.sendText(text);
          }
          await st.expectNone(300, 'unknown message types must not be answered on 2.1');
          await st.heartbeat();
        });
      } else {
        it(`unknown message type → ${wire(version, 'MessageTypeNotSupported')} with the id (2.0.1 §4.4)`, async () => {
          // Types 5 and 6 are unknown before 2.1.
          for (const [i, text] of ['[7,"mt-0","Heartbeat",{}]', '[1,"mt-1",{}]', '[5,"mt-2","FormatViolation","x",{}]', '[6,"mt-3","NotifyPeriodicEventStream",{}]', '[0,"mt-4"]'].entries()) {
            assertCallError(await st.request(text), `mt-${i}`, wire(version, 'MessageTypeNotSupported'));
          }
          assertCallError(await st.request(`[9,"${'z'.repeat(37)}",{}]`), '-1', wire(version, 'MessageTypeNotSupported'));
          await st.heartbeat();
        });
      }

      it('a CALL whose id is already being handled → RpcFrameworkError with that id; the first is still answered', async () => {
        const handled = server.handlers.handled.length;
        st.send([2, 'dup-1', 'DataTransfer', { vendorId: 'slow' }]);
        assertCallError(await st.request([2, 'dup-1', 'DataTransfer', { vendorId: 'second' }]), 'dup-1', wire(version, 'RpcFrameworkError'));
        server.handlers.release();
        assert.deepEqual(await st.next(), [3, 'dup-1', { status: 'Accepted' }]);
        // The duplicate never reached a handler; once answered, the id may be used again.
        assert.deepEqual(server.handlers.handled.slice(handled).map((h) => h.payload.vendorId), ['slow']);
        assert.deepEqual(await st.request([2, 'dup-1', 'DataTransfer', { vendorId: 'again' }]), [3, 'dup-1', { status: 'Accepted' }]);
      });

      it('handler throws → InternalError whose description does not leak the exception', async () => {
        for (const vendorId of ['throw', 'reject']) {
          const description = assertCallError(await st.request([2, `ie-${vendorId}`, 'DataTransfer', { vendorId }]), `ie-${vendorId}`, 'InternalError');
          assert.ok(!description.includes('hunter2') && !description.includes('5432') && !description.includes(SECRET), description);
        }
      });

      it('handler returns a schema-invalid response → InternalError, the invalid payload is not sent', async () => {
        const description = assertCallError(await st.request([2, 'ie-bad', 'DataTransfer', { vendorId: 'bad-response' }]), 'ie-bad', 'InternalError');
        assert.ok(!description.includes('Maybe'), description);
      });

      it('handler throws RpcError(SecurityError) → SecurityError with its description', async () => {
        const description = assertCallError(await st.request([2, 'se-1', 'DataTransfer', { vendorId: 'security' }]), 'se-1', 'SecurityError');
        assert.equal(description, 'Not allowed for this station');
      });

      it('codes raised by handlers are spelled for the version too', async () => {
        const cases: Array<[string, string]> = [
          ['FormatViolation', wire(version, 'FormatViolation')],
          ['OccurrenceConstraintViolation', wire(version, 'OccurrenceConstraintViolation')],
          ['GenericError', 'GenericError'],
          ['ProtocolError', 'ProtocolError'],
          ['PropertyConstraintViolation', 'PropertyConstraintViolation'],
          ['TypeConstraintViolation', 'TypeConstraintViolation'],
          ['NotSupported', 'NotSupported'],
          ['RpcFrameworkError', wire(version, 'RpcFrameworkError')],
        ];
        for (const [code, onWire] of cases) {
          assertCallError(await st.request([2, `hc-${code}`, 'DataTransfer', { vendorId: `rpc:${code}` }]), `hc-${code}`, onWire);
        }
      });

      it('ErrorDescription is cut to 255 characters', async () => {
        assert.equal(assertCallError(await st.request([2, 'long-1', 'DataTransfer', { vendorId: 'long' }]), 'long-1', 'GenericError').length, 255);
        assert.equal(assertCallError(await st.request([2, 'long-2', 'A'.repeat(1000), {}]), 'long-2', 'NotImplemented').length, 255);
      });

      it('ErrorDescription is never cut inside a surrogate pair (it echoes the action)', async () => {
        // "Requested Action " is 17 code units, so the pairs start at odd offsets and one straddles the cut at 254.
        for (const [i, action] of ['😀'.repeat(200), `B${'😀'.repeat(200)}`].entries()) {
          assertCallError(await st.request([2, `sur-${i}`, action, {}]), `sur-${i}`, 'NotImplemented');
        }
      });

      it('CALLRESULT and CALLERROR that match nothing are dropped, never answered', async () => {
        st.send([3, 'nobody-asked', { status: 'Accepted' }]);
        st.send([4, 'nobody-asked', 'GenericError', '', {}]);
        st.send([4, '-1', 'FormationViolation', 'echo of an error', {}]);
        await st.expectNone(200, 'unsolicited replies must not be answered');
        await st.heartbeat();
      });

      it('__proto__ and constructor in a payload are just unknown properties', async () => {
        assertCallError(await st.request('[2,"proto-1","Heartbeat",{"__proto__":{"x":1}}]'), 'proto-1', wire(version, 'FormatViolation'));
        assertCallError(await st.request('[2,"proto-2","Heartbeat",{"constructor":{"prototype":{}}}]'), 'proto-2', wire(version, 'FormatViolation'));
        await st.heartbeat();
      });
    });
  }
});

describe('receiving CALLERROR: both spellings are accepted from a station', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const spellings: Array<[string, string]> = [
    ['FormationViolation', 'FormatViolation'],
    ['FormatViolation', 'FormatViolation'],
    ['OccurenceConstraintViolation', 'OccurrenceConstraintViolation'],
    ['OccurrenceConstraintViolation', 'OccurrenceConstraintViolation'],
    ['RpcFrameworkError', 'RpcFrameworkError'],
    ['MessageTypeNotSupported', 'MessageTypeNotSupported'],
    ['SecurityError', 'SecurityError'],
    ['NotSupported', 'NotSupported'],
  ];

  for (const version of VERSIONS) {
    it(`${version}: a station answering our CALL with either spelling → RpcError with the canonical code`, async () => {
      const st = await server.connect(`RECV-${version}`, version);
      try {
        for (const [onWire, code] of spellings) {
          const pending = settle(server.gateway.call(`RECV-${version}`, 'DataTransfer', { vendorId: 'joule' }));
          const call = await st.next();
          assert.equal(call[0], 2);
          assert.equal(call[2], 'DataTransfer');
          st.send([4, call[1], onWire, `station says ${onWire}`, { hint: onWire }]);
          const result = await pending;
          assert.ok(!result.ok && result.error instanceof RpcError, `${onWire}: ${JSON.stringify(result)}`);
          assert.equal(result.error.code, code);
          assert.equal(result.error.message, `station says ${onWire}`);
          assert.deepEqual(result.error.details, { hint: onWire });
        }
        // Tolerated: a CALLERROR without details, and an unknown code (→ GenericError).
        const pending = settle(server.gateway.call(`RECV-${version}`, 'DataTransfer', { vendorId: 'joule' }));
        const call = await st.next();
        st.send([4, call[1], 'SomethingNew', 'x']);
        const result = await pending;
        assert.ok(!result.ok && result.error instanceof RpcError);
        assert.equal(result.error.code, 'GenericError');
        assert.deepEqual(result.error.details, {});
        await st.expectNone(100, 'a CALLERROR is never answered');
      } finally {
        await st.close();
      }
    });
  }
});
