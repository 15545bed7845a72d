/** Control commands and remote start/stop over real sockets: the exact OCPP request per version and the outcome. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CommandTestbed, FakeStation } from '../../../test/support/commands.ts';
import { startCommandTestbed } from '../../../test/support/commands.ts';
import type { OperatorCommand } from '../../domain/commands/types.ts';

const TIMEOUT = { timeoutMs: 3000 };

describe('control commands', () => {
  let bed: CommandTestbed;
  let v16: FakeStation;
  let v201: FakeStation;

  before(async () => {
    bed = await startCommandTestbed();
    v16 = await bed.station('CTL16', 'ocpp1.6');
    v201 = await bed.station('CTL201', 'ocpp2.0.1');
  });
  after(() => bed.close());

  /** Runs `command` on `station`, answering `action` with `answer`; returns the request sent and the outcome. */
  async function exchange(station: FakeStation, command: OperatorCommand, action: string, answer: object) {
    station.answer(action, answer as never);
    const outcome = await bed.commands.execute(station.id, command, TIMEOUT);
    const received = station.take();
    assert.equal(received.length, 1, `one ${action} received`);
    assert.equal(received[0]?.action, action);
    assert.deepEqual(outcome.calls.map((c) => c.action), [action]);
    assert.deepEqual(outcome.calls[0]?.request, received[0]?.payload, 'the outcome records what was sent');
    return { request: received[0]?.payload, outcome };
  }

  describe('reset (B11/B12, 1.6 §5.14)', () => {
    test('1.6: Immediate → Hard, OnIdle → Soft', async () => {
      let r = await exchange(v16, { name: 'reset', type: 'Immediate' }, 'Reset', { status: 'Accepted' });
      assert.deepEqual(r.request, { type: 'Hard' });
      assert.equal(r.outcome.status, 'Accepted');
      r = await exchange(v16, { name: 'reset', type: 'OnIdle', evseId: 0 }, 'Reset', { status: 'Rejected' });
      assert.deepEqual(r.request, { type: 'Soft' });
      assert.equal(r.outcome.status, 'Rejected');
    });

    test('1.6: a single EVSE cannot be reset', async () => {
      await assert.rejects(bed.commands.execute(v16.id, { name: 'reset', type: 'Immediate', evseId: 1 }, TIMEOUT), { name: 'CommandError', kind: 'invalid' });
      assert.deepEqual(v16.take(), []);
    });

    test('2.0.1: type as is, evseId when given (0 = the station)', async () => {
      let r = await exchange(v201, { name: 'reset', type: 'OnIdle', evseId: 2 }, 'Reset', { status: 'Scheduled' });
      assert.deepEqual(r.request, { type: 'OnIdle', evseId: 2 });
      assert.equal(r.outcome.status, 'Scheduled');
      r = await exchange(v201, { name: 'reset', type: 'Immediate', evseId: 0 }, 'Reset', { status: 'Accepted' });
      assert.deepEqual(r.request, { type: 'Immediate' });
    });
  });

  describe('changeAvailability (G03/G04, 1.6 §5.2)', () => {
    test('1.6: connectorId = evseId, none = 0 (the charge point); the target is stored', async () => {
      let r = await exchange(v16, { name: 'changeAvailability', operational: false, evseId: 2 }, 'ChangeAvailability', { status: 'Scheduled' });
      assert.deepEqual(r.request, { connectorId: 2, type: 'Inoperative' });
      assert.equal(r.outcome.status, 'Scheduled');
      r = await exchange(v16, { name: 'changeAvailability', operational: true }, 'ChangeAvailability', { status: 'Accepted' });
      assert.deepEqual(r.request, { connectorId: 0, type: 'Operative' });
      const evses = await bed.repos.stations.listEvses(v16.id);
      assert.deepEqual(evses.map((e) => [e.evseId, e.availability]), [[0, 'Operative'], [2, 'Inoperative']]);
    });

    test('1.6: connector ids other than 1 do not exist', async () => {
      await assert.rejects(bed.commands.execute(v16.id, { name: 'changeAvailability', operational: true, evseId: 1, connectorId: 2 }, TIMEOUT), { kind: 'invalid' });
    });

    test('2.0.1: operationalStatus and evse {id, connectorId}; no evse for the whole station', async () => {
      let r = await exchange(v201, { name: 'changeAvailability', operational: false, evseId: 1, connectorId: 2 }, 'ChangeAvailability', { status: 'Accepted' });
      assert.deepEqual(r.request, { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 2 } });
      r = await exchange(v201, { name: 'changeAvailability', operational: false, evseId: 0 }, 'ChangeAvailability', { status: 'Rejected' });
      assert.deepEqual(r.request, { operationalStatus: 'Inoperative' });
      assert.equal(r.outcome.status, 'Rejected');
      r = await exchange(v201, { name: 'changeAvailability', operational: false, evseId: 3 }, 'ChangeAvailability', { status: 'Accepted' });
      assert.deepEqual(r.request, { operationalStatus: 'Inoperative', evse: { id: 3 } });
      // Connector-level changes and rejected ones leave the EVSE's stored availability alone.
      assert.deepEqual((await bed.repos.stations.listEvses(v201.id)).map((e) => [e.evseId, e.availability]), [[3, 'Inoperative']]);
    });
  });

  describe('remote start and stop (F01-F03, 1.6 §5.11-5.12)', () => {
    const profile16 = { chargingProfileId: 7, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } };

    test('1.6: RemoteStartTransaction {idTag, connectorId, chargingProfile}', async () => {
      const r = await exchange(v16, { name: 'startTransaction', idToken: { idToken: 'TAG1', type: 'ISO14443' }, evseId: 2, chargingProfile: profile16, remoteStartId: 5 }, 'RemoteStartTransaction', { status: 'Accepted' });
      assert.deepEqual(r.request, { idTag: 'TAG1', connectorId: 2, chargingProfile: profile16 });
      assert.equal(r.outcome.status, 'Accepted');
      assert.equal(r.outcome.result, undefined);
    });

    test('2.0.1: RequestStartTransaction with a generated positive remoteStartId', async () => {
      const r = await exchange(v201, { name: 'startTransaction', idToken: { idToken: 'TAG2' }, evseId: 1 }, 'RequestStartTransaction', { status: 'Accepted' });
      const remoteStartId = r.request?.remoteStartId;
      assert.ok(typeof remoteStartId === 'number' && Number.isInteger(remoteStartId) && remoteStartId > 0 && remoteStartId < 2 ** 31);
      assert.deepEqual(r.request, { idToken: { idToken: 'TAG2', type: 'ISO14443' }, remoteStartId, evseId: 1 });
      assert.deepEqual(r.outcome.result, { remoteStartId });
    });

    test('2.0.1: a given remoteStartId is used; an already started transaction comes back (F01.FR.19)', async () => {
      const r = await exchange(v201, { name: 'startTransaction', idToken: { idToken: 'TAG3', type: 'eMAID' }, remoteStartId: 42 }, 'RequestStartTransaction', { status: 'Accepted', transactionId: 'tx-9' });
      assert.deepEqual(r.request, { idToken: { idToken: 'TAG3', type: 'eMAID' }, remoteStartId: 42 });
      assert.deepEqual(r.outcome.result, { remoteStartId: 42, transactionId: 'tx-9' });
    });

    test('2.0.1: a chargingProfile in the 1.6 shape is sent in the 2.0.1 one', async () => {
      const r = await exchange(v201, { name: 'startTransaction', idToken: { idToken: 'TAG4' }, evseId: 1, remoteStartId: 43, chargingProfile: profile16 }, 'RequestStartTransaction', { status: 'Accepted' });
      assert.deepEqual(r.request?.chargingProfile, {
        id: 7,
        stackLevel: 0,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: [{ id: 7, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
      });
    });

    test('evseId 0 is refused on both versions', async () => {
      for (const station of [v16, v201]) {
        await assert.rejects(bed.commands.execute(station.id, { name: 'startTransaction', idToken: { idToken: 'T' }, evseId: 0 }, TIMEOUT), { kind: 'invalid' });
      }
    });

    test('1.6: RemoteStopTransaction with the integer id; non-integers are invalid', async () => {
      const r = await exchange(v16, { name: 'stopTransaction', transactionId: '123' }, 'RemoteStopTransaction', { status: 'Rejected' });
      assert.deepEqual(r.request, { transactionId: 123 });
      assert.equal(r.outcome.status, 'Rejected');
      for (const transactionId of ['abc', '1.5', '', '99999999999']) {
        await assert.rejects(bed.commands.execute(v16.id, { name: 'stopTransaction', transactionId }, TIMEOUT), { kind: 'invalid' }, transactionId);
      }
      assert.deepEqual(v16.take(), []);
    });

    test('2.0.1: RequestStopTransaction with the text id', async () => {
      const r = await exchange(v201, { name: 'stopTransaction', transactionId: 'a1b2-c3' }, 'RequestStopTransaction', { status: 'Accepted' });
      assert.deepEqual(r.request, { transactionId: 'a1b2-c3' });
      assert.equal(r.outcome.status, 'Accepted');
    });
  });

  describe('unlock, trigger, cache, data transfer', () => {
    test('unlockConnector: 1.6 connectorId = evseId; 2.0.1 evseId + connectorId', async () => {
      let r = await exchange(v16, { name: 'unlockConnector', evseId: 2, connectorId: 1 }, 'UnlockConnector', { status: 'Unlocked' });
      assert.deepEqual(r.request, { connectorId: 2 });
      assert.equal(r.outcome.status, 'Unlocked');
      r = await exchange(v201, { name: 'unlockConnector', evseId: 2, connectorId: 1 }, 'UnlockConnector', { status: 'OngoingAuthorizedTransaction' });
      assert.deepEqual(r.request, { evseId: 2, connectorId: 1 });
      assert.equal(r.outcome.status, 'OngoingAuthorizedTransaction');
    });

    test('triggerMessage: 1.6 TriggerMessage, or ExtendedTriggerMessage for Security Whitepaper messages', async () => {
      let r = await exchange(v16, { name: 'triggerMessage', message: 'StatusNotification', evseId: 1 }, 'TriggerMessage', { status: 'Accepted' });
      assert.deepEqual(r.request, { requestedMessage: 'StatusNotification', connectorId: 1 });
      r = await exchange(v16, { name: 'triggerMessage', message: 'Heartbeat' }, 'TriggerMessage', { status: 'Accepted' });
      assert.deepEqual(r.request, { requestedMessage: 'Heartbeat' });
      r = await exchange(v16, { name: 'triggerMessage', message: 'SignChargingStationCertificate' }, 'ExtendedTriggerMessage', { status: 'Accepted' });
      assert.deepEqual(r.request, { requestedMessage: 'SignChargePointCertificate' });
      r = await exchange(v16, { name: 'triggerMessage', message: 'LogStatusNotification' }, 'ExtendedTriggerMessage', { status: 'Rejected' });
      assert.deepEqual(r.request, { requestedMessage: 'LogStatusNotification' });
      // Not a 1.6 message at all: refused by the schema, nothing sent.
      await assert.rejects(bed.commands.execute(v16.id, { name: 'triggerMessage', message: 'TransactionEvent' }, TIMEOUT), { kind: 'invalid' });
      assert.deepEqual(v16.take(), []);
    });

    test('triggerMessage: 2.0.1 evse {id, connectorId}', async () => {
      const r = await exchange(v201, { name: 'triggerMessage', message: 'StatusNotification', evseId: 1, connectorId: 1 }, 'TriggerMessage', { status: 'Accepted' });
      assert.deepEqual(r.request, { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
    });

    test('clearCache', async () => {
      assert.deepEqual((await exchange(v16, { name: 'clearCache' }, 'ClearCache', { status: 'Rejected' })).request, {});
      const r = await exchange(v201, { name: 'clearCache' }, 'ClearCache', { status: 'Accepted' });
      assert.deepEqual(r.request, {});
      assert.equal(r.outcome.status, 'Accepted');
    });

    test('dataTransfer: the same fields on both versions', async () => {
      const command: OperatorCommand = { name: 'dataTransfer', vendorId: 'com.example', messageId: 'ping', data: '{"a":1}' };
      for (const station of [v16, v201]) {
        const r = await exchange(station, command, 'DataTransfer', { status: 'UnknownMessageId' });
        assert.deepEqual(r.request, { vendorId: 'com.example', messageId: 'ping', data: '{"a":1}' });
        assert.equal(r.outcome.status, 'UnknownMessageId');
      }
    });

    test('raw: any action of the version, as is', async () => {
      const r = await exchange(v201, { name: 'raw', action: 'GetTransactionStatus', payload: { transactionId: 't1' } }, 'GetTransactionStatus', { messagesInQueue: false, ongoingIndicator: true });
      assert.deepEqual(r.request, { transactionId: 't1' });
      assert.equal(r.outcome.status, undefined);
      assert.deepEqual(r.outcome.calls[0]?.response, { messagesInQueue: false, ongoingIndicator: true });
    });
  });
});
