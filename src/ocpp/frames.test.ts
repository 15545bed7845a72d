/**
 * wirePayload: the message log stores a payload's wire text only when it can be cut from the frame exactly; every
 * doubtful frame falls back to serializing the parsed payload.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameEvent } from '../protocol/endpoint.ts';
import { parseFrame } from '../protocol/frame.ts';
import { wirePayload } from './frames.ts';

/** The FrameEvent the endpoint reports for a received text, from the real frame parser. */
function received(text: string): FrameEvent {
  const parsed = parseFrame(text, 'ocpp2.1');
  assert.ok(parsed.ok, `parses: ${text}`);
  const { frame } = parsed;
  const action = frame.type === 2 || frame.type === 6 ? frame.action : undefined;
  const payload = frame.type === 2 || frame.type === 6 || frame.type === 3 ? frame.payload : undefined;
  return { identity: 'CS1', direction: 'in', messageType: frame.type, messageId: frame.id, action, payload, text };
}

test('a compact CALL, SEND or CALLRESULT gives its payload text as sent, byte for byte', () => {
  const payload = '{"b":1,"a":[1.50,"x\\u0041"],"c":{"d":null}}';
  for (const text of [`[2,"m1","DataTransfer",${payload}]`, `[6,"m1","NotifyPeriodicEventStream",${payload}]`, `[3,"m1",${payload}]`]) {
    const event = received(text);
    const wire = wirePayload(event);
    assert.equal(wire, payload, text);
    assert.deepEqual(JSON.parse(wire), event.payload);
  }
});

test('a frame written differently from JSON.stringify falls back to the parsed payload', () => {
  for (const text of ['[2, "m1", "Heartbeat", {}]', '[2,"m1","Heartbeat",{}] ', ' [2,"m1","Heartbeat",{}]', '[2,"\\u006d1","Heartbeat",{}]']) {
    assert.equal(wirePayload(received(text)), undefined, JSON.stringify(text));
  }
  // Whitespace around the payload inside the array is cut with it: still valid JSON, the same value.
  for (const text of ['[2,"m1","DataTransfer",{"vendorId":"V"}\n]', '[3,"m1", {"currentTime":"x"}]']) {
    const event = received(text);
    assert.deepEqual(JSON.parse(wirePayload(event) ?? 'null'), event.payload, JSON.stringify(text));
  }
});

test('errors, frames without text and actions the observer names differently give nothing', () => {
  const base = received('[2,"m1","Heartbeat",{}]');
  assert.equal(wirePayload({ ...base, text: '' }), undefined);
  assert.equal(wirePayload({ ...base, action: 'Heartbeat-Signed' }), undefined);
  assert.equal(wirePayload({ ...base, action: undefined }), undefined);
  const error = received('[4,"m1","InternalError","x",{}]');
  assert.equal(wirePayload(error), undefined);
});
