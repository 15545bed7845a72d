/** OCPI EVSE status from OCPP state (every row of the precedence table) and the default EVSE identifiers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultEvseCode, defaultEvseUid, EVSE_CODE_PATTERN } from './identifiers.ts';
import type { EvseLiveState } from './model.ts';
import { ocpiEvseStatus } from './status.ts';

const online = (statuses: EvseLiveState['connectorStatuses'], availability: EvseLiveState['availability'] = 'Operative'): EvseLiveState => ({
  stationConnected: true,
  availability,
  connectorStatuses: statuses,
});
const plain = { removed: false, statusOverride: null };

test('status precedence: removed, override, offline, inoperative, unknown, then the connectors', () => {
  assert.equal(ocpiEvseStatus({ removed: true, statusOverride: 'PLANNED' }, online(['Available'])), 'REMOVED');
  assert.equal(ocpiEvseStatus({ removed: false, statusOverride: 'BLOCKED' }, online(['Available'])), 'BLOCKED');
  assert.equal(ocpiEvseStatus(plain, { ...online(['Occupied']), stationConnected: false }), 'UNKNOWN');
  assert.equal(ocpiEvseStatus(plain, online(['Available'], 'Inoperative')), 'INOPERATIVE');
  assert.equal(ocpiEvseStatus(plain, online([])), 'UNKNOWN');
  assert.equal(ocpiEvseStatus(plain, online([], null)), 'UNKNOWN');
  assert.equal(ocpiEvseStatus(plain, online(['Available', 'Occupied'])), 'CHARGING', 'one EV at a time per EVSE');
  assert.equal(ocpiEvseStatus(plain, online(['Available', 'Reserved'])), 'RESERVED');
  assert.equal(ocpiEvseStatus(plain, online(['Faulted', 'Available'])), 'AVAILABLE');
  assert.equal(ocpiEvseStatus(plain, online(['Faulted', 'Unavailable'])), 'OUTOFORDER');
  assert.equal(ocpiEvseStatus(plain, online(['Unavailable'])), 'INOPERATIVE');
});

test('default uid and eMI3 evse_id, and when there is none', () => {
  assert.equal(defaultEvseUid('CS-001', 2), 'CS-001-2');
  assert.equal(defaultEvseUid('x'.repeat(34), 1), 'x'.repeat(34) + '-1');
  assert.equal(defaultEvseUid('x'.repeat(35), 1), undefined);
  assert.equal(defaultEvseCode('nl', 'jou', 'cs_001.a', 1), 'NL*JOU*ECS001A*1');
  assert.match(defaultEvseCode('NL', 'JOU', 'CS-001', 12) ?? '', EVSE_CODE_PATTERN);
  assert.equal(defaultEvseCode('NL', 'JOU', '---', 1), undefined, 'nothing left of the station id');
  assert.equal(defaultEvseCode('NL', 'JOU', 'A'.repeat(30), 1), undefined, 'outlet id longer than 31 characters');
  const longest = defaultEvseCode('NL', 'JOU', 'A'.repeat(29), 1);
  assert.equal(longest?.length, 39);
  assert.match(longest ?? '', EVSE_CODE_PATTERN);
});
