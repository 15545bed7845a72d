/**
 * Live events as they travel between nodes: every event type comes back as the same DomainEvent (dates included),
 * notices stay under PostgreSQL's NOTIFY limit whatever the number of events, in order, and an event too large for
 * a notice is shrunk (a command's answer left out) or dropped and counted, never sent whole.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DomainEvent } from '../../domain/events.ts';
import type { Transaction } from '../../domain/model.ts';
import { decodeEvent, encodeEvent, eventsChannel, interestText, MAX_NOTICE_BYTES, packEvents, parseEventNotice, withoutCommandPayloads } from './event-wire.ts';

const transaction: Transaction = {
  id: 41,
  stationId: 'CS-1',
  transactionId: 'tx-41',
  evseId: 1,
  connectorId: 1,
  idToken: 'TAG-1',
  idTokenType: 'ISO14443',
  startedAt: new Date('2026-12-04T10:00:00.000Z'),
  stoppedAt: null,
  meterStartWh: 1200,
  meterStartAt: new Date('2026-12-04T10:00:01.000Z'),
  meterStopWh: 1950.5,
  meterStopAt: new Date('2026-12-04T10:05:00.000Z'),
  energyWh: 750.5,
  stopReason: null,
  state: 'active',
  chargingState: 'Charging',
  remoteStartId: null,
  lastSeqNo: 3,
  createdAt: new Date('2026-12-04T10:00:00.100Z'),
  updatedAt: new Date('2026-12-04T10:05:00.200Z'),
};
const at = new Date('2026-12-04T10:05:00.300Z');

const everyType: DomainEvent[] = [
  { type: 'station.connected', stationId: 'CS-1', ocppVersion: 'ocpp2.0.1', at },
  { type: 'station.disconnected', stationId: 'CS-1', code: 1006, reason: 'gone', at },
  { type: 'station.booted', stationId: 'CS-1', registrationStatus: 'Pending', at },
  { type: 'connector.status', stationId: 'CS-1', evseId: 1, connectorId: 2, status: 'Occupied', ocppStatus: 'Occupied', at },
  { type: 'transaction.started', transaction, at },
  { type: 'transaction.updated', transaction, at },
  { type: 'transaction.ended', transaction: { ...transaction, state: 'completed', stoppedAt: at, stopReason: 'Local' }, at },
  { type: 'command.completed', jobId: 'job-1', stationId: 'CS-1', action: 'Reset', status: 'completed', response: { status: 'Accepted' }, error: null, at },
];

describe('live event wire', () => {
  test('every event type decodes to what was encoded, dates as dates', () => {
    for (const event of everyType) {
      const decoded = decodeEvent(JSON.parse(encodeEvent(event)));
      assert.deepEqual(decoded, event, event.type);
    }
  });

  test('unknown types and malformed events are left out', () => {
    assert.equal(decodeEvent({ type: 'station.exploded', stationId: 'CS-1', at: at.toISOString() }), undefined);
    assert.equal(decodeEvent({ type: 'station.connected', stationId: 'CS-1', at: 'not a date' }), undefined);
    assert.equal(decodeEvent({ type: 'transaction.updated', transaction: { id: 'x' }, at: at.toISOString() }), undefined);
    assert.equal(decodeEvent('text'), undefined);
    const notice = parseEventNotice(JSON.stringify({ node: 'a', events: [JSON.parse(encodeEvent(everyType[0]!)), { type: 'nope' }] }));
    assert.deepEqual(notice, { node: 'a', events: [everyType[0]] });
    assert.equal(parseEventNotice('not json'), undefined);
    assert.equal(parseEventNotice('{"events":[]}'), undefined, 'no node');
  });

  test('interest notices', () => {
    assert.deepEqual(parseEventNotice(interestText('node-b')), { node: 'node-b', interest: true });
  });

  test('many events: notices under the limit, all events, in order', () => {
    const events: DomainEvent[] = Array.from({ length: 500 }, (_, i) => ({ type: 'transaction.updated', transaction: { ...transaction, id: i, lastSeqNo: i }, at }));
    const { notices, dropped } = packEvents('node-a', events.map(encodeEvent), () => undefined);
    assert.equal(dropped, 0);
    assert.ok(notices.length > 1, `${notices.length} notices`);
    for (const notice of notices) assert.ok(Buffer.byteLength(notice) <= MAX_NOTICE_BYTES, `${Buffer.byteLength(notice)} bytes`);
    const received = notices.flatMap((notice) => {
      const parsed = parseEventNotice(notice);
      assert.ok(parsed && 'events' in parsed && parsed.node === 'node-a');
      return parsed.events;
    });
    assert.deepEqual(received, events);
  });

  test('a command answer too large for a notice is left out of the event; what cannot shrink is dropped and counted', () => {
    const huge = 'x'.repeat(MAX_NOTICE_BYTES);
    const command: DomainEvent = { type: 'command.completed', jobId: 'job-2', stationId: 'CS-1', action: 'GetConfiguration', status: 'completed', response: { blob: huge }, error: null, at };
    const station: DomainEvent = { type: 'station.disconnected', stationId: 'CS-1', code: 1000, reason: huge, at };
    const small = everyType[0]!;
    const { notices, dropped } = packEvents('node-a', [small, command, station, small].map(encodeEvent), withoutCommandPayloads);
    assert.equal(dropped, 1, 'the disconnection with a huge reason');
    const received = notices.flatMap((notice) => {
      const parsed = parseEventNotice(notice);
      return parsed && 'events' in parsed ? parsed.events : [];
    });
    assert.deepEqual(received, [small, { ...command, response: null, error: null }, small]);
  });

  test('one channel per schema, a valid identifier', () => {
    assert.notEqual(eventsChannel('tenant_a'), eventsChannel('tenant_b'));
    assert.match(eventsChannel('public'), /^[a-z_][a-z0-9_]{0,62}$/);
  });
});
