import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrame, serializeCallError, UNREADABLE_ID } from './frame.ts';
import { parseWireErrorCode, wireErrorCode } from './errors.ts';
import type { OcppVersion } from './types.ts';

function fault(text: string, version: OcppVersion = 'ocpp2.0.1') {
  const result = parseFrame(text, version);
  assert.equal(result.ok, false, `expected a fault for ${text}`);
  return (result as Extract<typeof result, { ok: false }>).fault;
}

describe('parseFrame', () => {
  it('reads the three classic message types', () => {
    assert.deepEqual(parseFrame('[2,"a","Heartbeat",{}]', 'ocpp1.6'), { ok: true, frame: { type: 2, id: 'a', action: 'Heartbeat', payload: {} } });
    assert.deepEqual(parseFrame('[3,"a",{"x":1}]', 'ocpp1.6'), { ok: true, frame: { type: 3, id: 'a', payload: { x: 1 } } });
    assert.deepEqual(parseFrame('[4,"a","NotSupported","no",{}]', 'ocpp1.6'), {
      ok: true,
      frame: { type: 4, id: 'a', code: 'NotSupported', description: 'no', details: {} },
    });
  });

  it('answers unreadable frames with id "-1" and RpcFrameworkError', () => {
    for (const text of ['not json', '{}', '[]', '[2]', '"x"', 'null', '[2, 17, "Heartbeat", {}]', '[2, "", "Heartbeat", {}]']) {
      const f = fault(text);
      assert.equal(f.id, UNREADABLE_ID, text);
      assert.equal(f.code, 'RpcFrameworkError', text);
      assert.equal(f.reply, 'callerror', text);
    }
  });

  it('rejects ids longer than 36 characters', () => {
    const f = fault(`[2,"${'x'.repeat(37)}","Heartbeat",{}]`);
    assert.equal(f.id, UNREADABLE_ID);
    assert.equal(f.code, 'RpcFrameworkError');
    assert.equal(parseFrame(`[2,"${'x'.repeat(36)}","Heartbeat",{}]`, 'ocpp2.0.1').ok, true);
  });

  it('requires the payload to be a JSON object', () => {
    for (const payload of ['null', '[]', '"s"', '1']) {
      const f = fault(`[2,"id1","Heartbeat",${payload}]`);
      assert.equal(f.code, 'FormatViolation');
      assert.equal(f.id, 'id1');
    }
    assert.equal(fault('[2,"id1","Heartbeat",{},5]').code, 'FormatViolation');
    assert.equal(fault('[2,"id1",7,{}]').code, 'FormatViolation');
  });

  it('unknown message types: MessageTypeNotSupported on 2.0.1, ignored on 2.1', () => {
    const f201 = fault('[9,"m1",{}]', 'ocpp2.0.1');
    assert.deepEqual([f201.reply, f201.code, f201.id], ['callerror', 'MessageTypeNotSupported', 'm1']);
    const f21 = fault('[9,"m1",{}]', 'ocpp2.1');
    assert.equal(f21.reply, 'ignore');
    // 5 and 6 exist only on 2.1
    assert.equal(fault('[6,"m1","NotifyPeriodicEventStream",{}]', 'ocpp2.0.1').code, 'MessageTypeNotSupported');
    assert.equal(parseFrame('[6,"m1","NotifyPeriodicEventStream",{}]', 'ocpp2.1').ok, true);
    assert.equal(parseFrame('[5,"m1","FormatViolation","bad",{}]', 'ocpp2.1').ok, true);
  });

  it('an invalid CALLRESULT is answered with CALLRESULTERROR on 2.1 only', () => {
    assert.equal(fault('[3,"m1",null]', 'ocpp2.1').reply, 'callresulterror');
    assert.equal(fault('[3,"m1",null]', 'ocpp2.0.1').reply, 'ignore');
  });

  it('tolerates CALLERRORs without details', () => {
    const result = parseFrame('[4,"m1","GenericError","x"]', 'ocpp1.6');
    assert.ok(result.ok && result.frame.type === 4 && result.frame.details && Object.keys(result.frame.details).length === 0);
  });
});

describe('error codes per version', () => {
  it('spells 1.6 codes as its errata demands and 2.x codes correctly', () => {
    assert.equal(wireErrorCode('FormatViolation', 'ocpp1.6'), 'FormationViolation');
    assert.equal(wireErrorCode('OccurrenceConstraintViolation', 'ocpp1.6'), 'OccurenceConstraintViolation');
    assert.equal(wireErrorCode('FormatViolation', 'ocpp2.0.1'), 'FormatViolation');
    assert.equal(wireErrorCode('OccurrenceConstraintViolation', 'ocpp2.1'), 'OccurrenceConstraintViolation');
    assert.equal(wireErrorCode('RpcFrameworkError', 'ocpp2.0.1'), 'RpcFrameworkError');
    assert.equal(wireErrorCode('MessageTypeNotSupported', 'ocpp2.0.1'), 'MessageTypeNotSupported');
    // 1.6 has neither code: a frame that is not an RPC message does not conform the PDU structure.
    assert.equal(wireErrorCode('RpcFrameworkError', 'ocpp1.6'), 'FormationViolation');
    assert.equal(wireErrorCode('MessageTypeNotSupported', 'ocpp1.6'), 'FormationViolation');
  });

  it('accepts either spelling on receipt', () => {
    assert.equal(parseWireErrorCode('FormationViolation'), 'FormatViolation');
    assert.equal(parseWireErrorCode('FormatViolation'), 'FormatViolation');
    assert.equal(parseWireErrorCode('OccurenceConstraintViolation'), 'OccurrenceConstraintViolation');
    assert.equal(parseWireErrorCode('OccurrenceConstraintViolation'), 'OccurrenceConstraintViolation');
    assert.equal(parseWireErrorCode('SomethingNew'), 'GenericError');
  });

  it('caps ErrorDescription at 255 characters and sends {} details', () => {
    const [type, id, code, description, details] = JSON.parse(serializeCallError('x', 'GenericError', 'd'.repeat(400), 'ocpp2.0.1')) as [number, string, string, string, object];
    assert.deepEqual([type, id, code, details], [4, 'x', 'GenericError', {}]);
    assert.equal(description.length, 255);
  });
});
