/** Reservations, smart charging, firmware and logs over real sockets, with what the domain stores (H, K, L, N). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CommandTestbed, FakeStation } from '../../../test/support/commands.ts';
import { startCommandTestbed } from '../../../test/support/commands.ts';
import { RpcError } from '../../protocol/errors.ts';

const TIMEOUT = { timeoutMs: 3000 };
const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

describe('reservation, smart charging, firmware and log commands', () => {
  let bed: CommandTestbed;
  let v16: FakeStation;
  let v201: FakeStation;

  before(async () => {
    bed = await startCommandTestbed();
    v16 = await bed.station('CHG16', 'ocpp1.6');
    v201 = await bed.station('CHG201', 'ocpp2.0.1');
  });
  after(() => bed.close());

  describe('reserveNow / cancelReservation (H01, H02, 1.6 §5.13, §5.1)', () => {
    test('1.6: a stored reservation gives the reservationId; the answer is its status', async () => {
      v16.answer('ReserveNow', { status: 'Accepted' });
      const expiry = inAnHour();
      const outcome = await bed.commands.execute(v16.id, { name: 'reserveNow', idToken: { idToken: 'TAG1' }, expiry, evseId: 2, groupId: 'PARENT' }, TIMEOUT);
      const reservationId = outcome.result?.reservationId;
      assert.equal(typeof reservationId, 'number');
      assert.deepEqual(v16.take(), [{ action: 'ReserveNow', payload: { connectorId: 2, expiryDate: expiry, idTag: 'TAG1', parentIdTag: 'PARENT', reservationId } }]);
      assert.equal(outcome.status, 'Accepted');
      const stored = await bed.repos.reservations.get(reservationId as number);
      assert.deepEqual([stored?.stationId, stored?.evseId, stored?.idToken, stored?.idTokenType, stored?.status, stored?.expiry.toISOString()], [v16.id, 2, 'TAG1', null, 'Accepted', expiry]);
    });

    test('1.6: no EVSE = connector 0; connectorType does not exist', async () => {
      v16.answer('ReserveNow', { status: 'Occupied' });
      const outcome = await bed.commands.execute(v16.id, { name: 'reserveNow', idToken: { idToken: 'TAG2' }, expiry: inAnHour() }, TIMEOUT);
      assert.equal(v16.take()[0]?.payload.connectorId, 0);
      assert.equal((await bed.repos.reservations.get(outcome.result?.reservationId as number))?.status, 'Occupied');
      await assert.rejects(bed.commands.execute(v16.id, { name: 'reserveNow', idToken: { idToken: 'T' }, expiry: inAnHour(), connectorType: 'cType2' }, TIMEOUT), { kind: 'invalid' });
    });

    test('2.0.1: id, expiryDateTime (UTC), idToken, evseId, connectorType, groupIdToken', async () => {
      v201.answer('ReserveNow', { status: 'Accepted' });
      const expiry = new Date(Date.now() + 7_200_000);
      const local = `${expiry.toISOString().slice(0, 19)}+00:00`;
      const outcome = await bed.commands.execute(v201.id, { name: 'reserveNow', idToken: { idToken: 'TAG3', type: 'eMAID' }, expiry: local, evseId: 1, connectorType: 'cType2', groupId: 'G' }, TIMEOUT);
      const id = outcome.result?.reservationId;
      assert.deepEqual(v201.take(), [
        {
          action: 'ReserveNow',
          payload: { id, expiryDateTime: `${expiry.toISOString().slice(0, 19)}.000Z`, idToken: { idToken: 'TAG3', type: 'eMAID' }, evseId: 1, connectorType: 'cType2', groupIdToken: { idToken: 'G', type: 'Central' } },
        },
      ]);
      const stored = await bed.repos.reservations.get(id as number);
      assert.deepEqual([stored?.idTokenType, stored?.connectorType, stored?.groupId, stored?.status], ['eMAID', 'cType2', 'G', 'Accepted']);
    });

    test('each reservation gets its own id; a given id updates that reservation (H01.FR.02)', async () => {
      v201.answer('ReserveNow', { status: 'Rejected' });
      const a = await bed.commands.execute(v201.id, { name: 'reserveNow', idToken: { idToken: 'A' }, expiry: inAnHour() }, TIMEOUT);
      const b = await bed.commands.execute(v201.id, { name: 'reserveNow', idToken: { idToken: 'B' }, expiry: inAnHour() }, TIMEOUT);
      assert.notEqual(a.result?.reservationId, b.result?.reservationId);
      v201.answer('ReserveNow', { status: 'Accepted' });
      const again = await bed.commands.execute(v201.id, { name: 'reserveNow', idToken: { idToken: 'A' }, expiry: inAnHour(), reservationId: a.result?.reservationId as number }, TIMEOUT);
      assert.equal(again.result?.reservationId, a.result?.reservationId);
      assert.equal(v201.take()[2]?.payload.id, a.result?.reservationId);
      assert.equal((await bed.repos.reservations.get(a.result?.reservationId as number))?.status, 'Accepted');
      await assert.rejects(bed.commands.execute(v16.id, { name: 'reserveNow', idToken: { idToken: 'A' }, expiry: inAnHour(), reservationId: a.result?.reservationId as number }, TIMEOUT), { kind: 'not-found' });
    });

    test('an expiry in the past is invalid; a CALLERROR marks the reservation Rejected', async () => {
      await assert.rejects(bed.commands.execute(v201.id, { name: 'reserveNow', idToken: { idToken: 'A' }, expiry: '2020-01-01T00:00:00Z' }, TIMEOUT), { kind: 'invalid' });
      v201.answer('ReserveNow', () => {
        throw new RpcError('NotSupported', 'no reservations here');
      });
      await assert.rejects(bed.commands.execute(v201.id, { name: 'reserveNow', idToken: { idToken: 'A' }, expiry: inAnHour() }, TIMEOUT), { kind: 'rejected' });
      const id = v201.take()[0]?.payload.id as number;
      assert.equal((await bed.repos.reservations.get(id))?.status, 'Rejected');
    });

    test('cancelReservation: {reservationId} on both versions; Accepted cancels the stored one', async () => {
      v16.answer('ReserveNow', { status: 'Accepted' });
      const made = await bed.commands.execute(v16.id, { name: 'reserveNow', idToken: { idToken: 'C' }, expiry: inAnHour(), evseId: 1 }, TIMEOUT);
      const reservationId = made.result?.reservationId as number;
      v16.take();
      v16.answer('CancelReservation', { status: 'Accepted' });
      const outcome = await bed.commands.execute(v16.id, { name: 'cancelReservation', reservationId }, TIMEOUT);
      assert.deepEqual(v16.take(), [{ action: 'CancelReservation', payload: { reservationId } }]);
      assert.equal(outcome.status, 'Accepted');
      assert.equal((await bed.repos.reservations.get(reservationId))?.status, 'Cancelled');
      v201.answer('CancelReservation', { status: 'Rejected' });
      assert.equal((await bed.commands.execute(v201.id, { name: 'cancelReservation', reservationId: 999 }, TIMEOUT)).status, 'Rejected');
      assert.deepEqual(v201.take(), [{ action: 'CancelReservation', payload: { reservationId: 999 } }]);
    });
  });

  describe('smart charging (K01, K08, K10, 1.6 §5.16, §5.7, §5.5)', () => {
    const schedule16 = { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] };
    const profile16 = (id: number, stackLevel: number) => ({ chargingProfileId: id, stackLevel, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: schedule16 });
    const profile201 = { id: 10, stackLevel: 1, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', validFrom: '2030-01-01T00:00:00.000Z', chargingSchedule: [{ id: 1, startSchedule: '2030-01-01T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] };

    test('1.6: {connectorId, csChargingProfiles}; Accepted stored, replacing the same stackLevel and purpose', async () => {
      v16.answer('SetChargingProfile', { status: 'Accepted' });
      await bed.commands.execute(v16.id, { name: 'setChargingProfile', evseId: 1, profile: profile16(1, 0) }, TIMEOUT);
      const outcome = await bed.commands.execute(v16.id, { name: 'setChargingProfile', evseId: 1, profile: profile16(2, 0) }, TIMEOUT);
      assert.deepEqual(v16.take().map((r) => r.payload), [
        { connectorId: 1, csChargingProfiles: profile16(1, 0) },
        { connectorId: 1, csChargingProfiles: profile16(2, 0) },
      ]);
      assert.equal(outcome.status, 'Accepted');
      const stored = await bed.repos.chargingProfiles.list(v16.id);
      assert.deepEqual(stored.map((p) => [p.profileId, p.evseId, p.stackLevel, p.purpose, p.kind, p.status]), [[2, 1, 0, 'TxDefaultProfile', 'Relative', 'Accepted']]);
      assert.deepEqual(stored[0]?.profile, profile16(2, 0));
    });

    test('Rejected: recorded for a new id, an installed profile with that id is kept', async () => {
      v16.answer('SetChargingProfile', { status: 'Rejected' });
      await bed.commands.execute(v16.id, { name: 'setChargingProfile', evseId: 1, profile: profile16(2, 5) }, TIMEOUT);
      await bed.commands.execute(v16.id, { name: 'setChargingProfile', evseId: 0, profile: profile16(3, 0) }, TIMEOUT);
      v16.take();
      const stored = await bed.repos.chargingProfiles.list(v16.id);
      assert.deepEqual(stored.map((p) => [p.profileId, p.stackLevel, p.status]), [[3, 0, 'Rejected'], [2, 0, 'Accepted']]);
    });

    test('2.0.1: {evseId, chargingProfile}; stored with validity', async () => {
      v201.answer('SetChargingProfile', { status: 'Accepted' });
      const outcome = await bed.commands.execute(v201.id, { name: 'setChargingProfile', evseId: 0, profile: profile201 }, TIMEOUT);
      assert.deepEqual(v201.take(), [{ action: 'SetChargingProfile', payload: { evseId: 0, chargingProfile: profile201 } }]);
      assert.equal(outcome.status, 'Accepted');
      const [stored] = await bed.repos.chargingProfiles.list(v201.id);
      assert.deepEqual([stored?.profileId, stored?.evseId, stored?.kind, stored?.validFrom?.toISOString(), stored?.status], [10, 0, 'Absolute', '2030-01-01T00:00:00.000Z', 'Accepted']);
    });

    test('either shape goes to either version: a 2.0.1 profile reaches a 1.6 station in the 1.6 shape, and back', async () => {
      v16.answer('SetChargingProfile', { status: 'Accepted' });
      const { validFrom: _validFrom, ...absolute } = profile201;
      const max201 = { ...absolute, id: 11, chargingProfilePurpose: 'ChargingStationMaxProfile' };
      await bed.commands.execute(v16.id, { name: 'setChargingProfile', evseId: 0, profile: max201 }, TIMEOUT);
      const sent16 = {
        chargingProfileId: 11,
        chargingProfilePurpose: 'ChargePointMaxProfile',
        chargingProfileKind: 'Absolute',
        stackLevel: 1,
        chargingSchedule: { startSchedule: '2030-01-01T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
      };
      assert.deepEqual(v16.take(), [{ action: 'SetChargingProfile', payload: { connectorId: 0, csChargingProfiles: sent16 } }]);
      const [stored16] = await bed.repos.chargingProfiles.list(v16.id, { profileId: 11 });
      assert.deepEqual([stored16?.purpose, stored16?.status, stored16?.profile], ['ChargePointMaxProfile', 'Accepted', sent16], 'stored as sent');

      v201.answer('SetChargingProfile', { status: 'Accepted' });
      await bed.commands.execute(v201.id, { name: 'setChargingProfile', evseId: 1, profile: { ...profile16(12, 2), transactionId: 42 } }, TIMEOUT);
      assert.deepEqual(v201.take(), [
        {
          action: 'SetChargingProfile',
          payload: {
            evseId: 1,
            chargingProfile: { id: 12, transactionId: '42', chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 2, chargingProfileKind: 'Relative', chargingSchedule: [{ id: 12, ...schedule16 }] },
          },
        },
      ]);
      // The tests below count the stored profiles of these stations.
      await bed.repos.chargingProfiles.delete(v16.id, { profileId: 11 });
      await bed.repos.chargingProfiles.delete(v201.id, { profileId: 12 });
    });

    test('what the station version cannot hold is invalid, nothing sent', async () => {
      const twoSchedules = { ...profile201, chargingSchedule: [profile201.chargingSchedule[0], { ...profile201.chargingSchedule[0], id: 2 }] };
      const phaseToUse = { ...profile201, chargingSchedule: [{ ...profile201.chargingSchedule[0], chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 1, phaseToUse: 2 }] }] };
      const cases: Array<[object, RegExp]> = [
        [twoSchedules, /exactly one chargingSchedule/],
        [phaseToUse, /chargingSchedulePeriod\.phaseToUse has no equivalent in ocpp1\.6/],
        [{ ...profile201, transactionId: 'a-uuid-like-id' }, /not an ocpp1\.6 transaction id/],
        [{ ...profile201, chargingProfilePurpose: 'PriorityCharging' }, /PriorityCharging has no equivalent/],
        [{ ...profile201, customData: { vendorId: 'X' } }, /profile\.customData has no equivalent/],
      ];
      for (const [profile, message] of cases) {
        await assert.rejects(bed.commands.execute(v16.id, { name: 'setChargingProfile', evseId: 1, profile: profile as typeof profile201 }, TIMEOUT), (error: Error & { kind?: string }) => {
          assert.equal(error.kind, 'invalid');
          assert.match(error.message, message);
          return true;
        });
      }
      await assert.rejects(bed.commands.execute(v201.id, { name: 'setChargingProfile', evseId: 1, profile: { ...profile201, chargingProfilePurpose: 'ChargingStationExternalConstraints' } }, TIMEOUT), { kind: 'invalid' });
      assert.deepEqual([v16.take(), v201.take()], [[], []]);
    });

    test('clearChargingProfile: 1.6 {id, connectorId, purpose, stackLevel}; nothing = all; Accepted deletes stored ones', async () => {
      v16.answer('ClearChargingProfile', { status: 'Accepted' });
      await bed.commands.execute(v16.id, { name: 'clearChargingProfile', evseId: 1, purpose: 'TxDefaultProfile', stackLevel: 0 }, TIMEOUT);
      assert.deepEqual(await bed.repos.chargingProfiles.list(v16.id, { profileId: 2 }), []);
      await bed.commands.execute(v16.id, { name: 'clearChargingProfile' }, TIMEOUT);
      assert.deepEqual(v16.take().map((r) => r.payload), [{ connectorId: 1, chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 0 }, {}]);
      assert.deepEqual(await bed.repos.chargingProfiles.list(v16.id), []);
    });

    test('clearChargingProfile: 2.0.1 chargingProfileId and criteria; none at all is invalid (K10.FR.02)', async () => {
      v201.answer('ClearChargingProfile', { status: 'Unknown' });
      let outcome = await bed.commands.execute(v201.id, { name: 'clearChargingProfile', evseId: 0, purpose: 'TxDefaultProfile' }, TIMEOUT);
      assert.equal(outcome.status, 'Unknown');
      assert.equal((await bed.repos.chargingProfiles.list(v201.id)).length, 1, 'Unknown clears nothing here');
      v201.answer('ClearChargingProfile', { status: 'Accepted' });
      outcome = await bed.commands.execute(v201.id, { name: 'clearChargingProfile', profileId: 10 }, TIMEOUT);
      assert.deepEqual(v201.take().map((r) => r.payload), [{ chargingProfileCriteria: { evseId: 0, chargingProfilePurpose: 'TxDefaultProfile' } }, { chargingProfileId: 10 }]);
      assert.deepEqual(await bed.repos.chargingProfiles.list(v201.id), []);
      await assert.rejects(bed.commands.execute(v201.id, { name: 'clearChargingProfile' }, TIMEOUT), { kind: 'invalid' });
    });

    test('getCompositeSchedule: 1.6 connectorId / 2.0.1 evseId', async () => {
      v16.answer('GetCompositeSchedule', { status: 'Rejected' });
      v201.answer('GetCompositeSchedule', { status: 'Accepted', schedule: { evseId: 1, duration: 3600, scheduleStart: '2030-01-01T00:00:00.000Z', chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] } });
      const a = await bed.commands.execute(v16.id, { name: 'getCompositeSchedule', evseId: 1, duration: 3600, chargingRateUnit: 'W' }, TIMEOUT);
      const b = await bed.commands.execute(v201.id, { name: 'getCompositeSchedule', evseId: 1, duration: 3600 }, TIMEOUT);
      assert.deepEqual(v16.take(), [{ action: 'GetCompositeSchedule', payload: { connectorId: 1, duration: 3600, chargingRateUnit: 'W' } }]);
      assert.deepEqual(v201.take(), [{ action: 'GetCompositeSchedule', payload: { evseId: 1, duration: 3600 } }]);
      assert.deepEqual([a.status, b.status], ['Rejected', 'Accepted']);
      assert.equal((b.calls[0]?.response.schedule as { duration: number }).duration, 3600);
    });
  });

  describe('updateFirmware (L01/L02) and getLog (N01)', () => {
    const when = '2030-06-01T02:00:00.000Z';

    test('1.6: UpdateFirmware {location, retrieveDate}; signed → SignedUpdateFirmware (SEC L01)', async () => {
      v16.answer('UpdateFirmware', {});
      v16.answer('SignedUpdateFirmware', { status: 'Accepted' });
      const plain = await bed.commands.execute(v16.id, { name: 'updateFirmware', location: 'https://fw.example/1.bin', retrieveDateTime: when, retries: 3 }, TIMEOUT);
      const signed = await bed.commands.execute(v16.id, { name: 'updateFirmware', location: 'https://fw.example/2.bin', retrieveDateTime: when, requestId: 8, signingCertificate: 'CERT', signature: 'SIG' }, TIMEOUT);
      assert.deepEqual(v16.take(), [
        { action: 'UpdateFirmware', payload: { location: 'https://fw.example/1.bin', retrieveDate: when, retries: 3 } },
        { action: 'SignedUpdateFirmware', payload: { requestId: 8, firmware: { location: 'https://fw.example/2.bin', retrieveDateTime: when, signingCertificate: 'CERT', signature: 'SIG' } } },
      ]);
      assert.deepEqual([plain.status, plain.result, signed.status, signed.result], [undefined, undefined, 'Accepted', { requestId: 8 }]);
    });

    test('2.0.1: UpdateFirmware {requestId, firmware{location, retrieveDateTime, ...}}', async () => {
      v201.answer('UpdateFirmware', { status: 'AcceptedCanceled' });
      const outcome = await bed.commands.execute(v201.id, { name: 'updateFirmware', location: 'https://fw.example/3.bin', retrieveDateTime: when, retryInterval: 60, signingCertificate: 'CERT' }, TIMEOUT);
      const [received] = v201.take();
      const requestId = received?.payload.requestId;
      assert.ok(typeof requestId === 'number' && requestId > 0);
      assert.deepEqual(received?.payload, { requestId, retryInterval: 60, firmware: { location: 'https://fw.example/3.bin', retrieveDateTime: when, signingCertificate: 'CERT' } });
      assert.deepEqual([outcome.status, outcome.result], ['AcceptedCanceled', { requestId }]);
    });

    test('1.6: GetDiagnostics {location, startTime, stopTime}; SecurityLog → GetLog (SEC N01)', async () => {
      v16.answer('GetDiagnostics', { fileName: 'diag.zip' });
      v16.answer('GetLog', { status: 'Accepted', filename: 'sec.log' });
      const diag = await bed.commands.execute(v16.id, { name: 'getLog', location: 'ftp://logs.example/', oldestTimestamp: '2030-01-01T00:00:00Z', latestTimestamp: '2030-01-02T00:00:00Z' }, TIMEOUT);
      const sec = await bed.commands.execute(v16.id, { name: 'getLog', location: 'https://logs.example/up', logType: 'SecurityLog', requestId: 5 }, TIMEOUT);
      assert.deepEqual(v16.take(), [
        { action: 'GetDiagnostics', payload: { location: 'ftp://logs.example/', startTime: '2030-01-01T00:00:00.000Z', stopTime: '2030-01-02T00:00:00.000Z' } },
        { action: 'GetLog', payload: { logType: 'SecurityLog', requestId: 5, log: { remoteLocation: 'https://logs.example/up' } } },
      ]);
      assert.deepEqual([diag.status, diag.result, sec.status, sec.result], [undefined, { fileName: 'diag.zip' }, 'Accepted', { requestId: 5, filename: 'sec.log' }]);
    });

    test('2.0.1: GetLog {logType (DiagnosticsLog by default), requestId, log{remoteLocation}}', async () => {
      v201.answer('GetLog', { status: 'Rejected' });
      const outcome = await bed.commands.execute(v201.id, { name: 'getLog', location: 'https://logs.example/up', latestTimestamp: '2030-01-02T00:00:00Z' }, TIMEOUT);
      const [received] = v201.take();
      const requestId = received?.payload.requestId;
      assert.deepEqual(received?.payload, { logType: 'DiagnosticsLog', requestId, log: { remoteLocation: 'https://logs.example/up', latestTimestamp: '2030-01-02T00:00:00.000Z' } });
      assert.deepEqual([outcome.status, outcome.result], ['Rejected', { requestId }]);
    });

    test('a date-time that does not parse is invalid', async () => {
      await assert.rejects(bed.commands.execute(v201.id, { name: 'updateFirmware', location: 'https://fw.example/x', retrieveDateTime: 'tomorrow' }, TIMEOUT), { kind: 'invalid' });
    });
  });
});
