/**
 * Valid and invalid payloads per version (ocpp-go style table), so a silent change of typed-ocpp's schemas
 * shows up here. Invalid payloads name the code and the field pointer they must produce.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RpcErrorCode } from '../errors.ts';
import type { OcppVersion } from '../types.ts';
import type { PayloadKind } from '../validator.ts';
import { createSchemaValidator } from './validator.ts';

const validator = createSchemaValidator();

interface Fixture {
  action: string;
  kind: PayloadKind;
  payload: unknown;
  /** Absent: the payload is valid. */
  error?: { code: RpcErrorCode; field: string };
}

const T = '2025-03-01T12:00:00Z';
const ok = (action: string, kind: PayloadKind, payload: unknown): Fixture => ({ action, kind, payload });
const bad = (action: string, kind: PayloadKind, payload: unknown, code: RpcErrorCode, field: string): Fixture => ({
  action,
  kind,
  payload,
  error: { code, field },
});

// ---- 1.6 ----
const boot16 = { chargePointVendor: 'ABB', chargePointModel: 'Terra AC', firmwareVersion: '1.8.1', iccid: '8931', meterType: 'EM' };
const sv16 = { value: '1234.5', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh', location: 'Outlet' };
const profile16 = {
  chargingProfileId: 12,
  transactionId: 7,
  stackLevel: 0,
  chargingProfilePurpose: 'TxProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: { startSchedule: T, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }] },
};
const V16: Fixture[] = [
  ok('BootNotification', 'request', boot16),
  ok('BootNotification', 'response', { status: 'Accepted', currentTime: T, interval: 300 }),
  bad('BootNotification', 'request', { chargePointVendor: 'ABB' }, 'OccurrenceConstraintViolation', '/chargePointModel'),
  bad('BootNotification', 'request', { ...boot16, chargePointModel: 'M'.repeat(21) }, 'PropertyConstraintViolation', '/chargePointModel'),
  bad('BootNotification', 'response', { status: 'Accepted', currentTime: 'now', interval: 300 }, 'PropertyConstraintViolation', '/currentTime'),
  bad('BootNotification', 'response', { status: 'Accepted', currentTime: T, interval: '300' }, 'TypeConstraintViolation', '/interval'),
  ok('Heartbeat', 'request', {}),
  ok('Heartbeat', 'response', { currentTime: T }),
  bad('Heartbeat', 'request', { now: T }, 'FormatViolation', '/now'),
  bad('Heartbeat', 'response', {}, 'OccurrenceConstraintViolation', '/currentTime'),
  ok('StatusNotification', 'request', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: T }),
  bad('StatusNotification', 'request', { connectorId: 1, errorCode: 'NoError', status: 'Occupied' }, 'PropertyConstraintViolation', '/status'),
  bad('StatusNotification', 'request', { connectorId: 1.5, errorCode: 'NoError', status: 'Available' }, 'TypeConstraintViolation', '/connectorId'),
  ok('MeterValues', 'request', { connectorId: 1, transactionId: 7, meterValue: [{ timestamp: T, sampledValue: [sv16, { value: '16.1', measurand: 'Current.Import', phase: 'L1', unit: 'A' }] }] }),
  bad('MeterValues', 'request', { connectorId: 1, meterValue: [{ timestamp: T, sampledValue: [{ ...sv16, value: 1234.5 }] }] }, 'TypeConstraintViolation', '/meterValue/0/sampledValue/0/value'),
  bad('MeterValues', 'request', { connectorId: 1, meterValue: [{ timestamp: T, sampledValue: [{ ...sv16, measurand: 'Energy' }] }] }, 'PropertyConstraintViolation', '/meterValue/0/sampledValue/0/measurand'),
  ok('StartTransaction', 'request', { connectorId: 1, idTag: 'ABC123', meterStart: 0, timestamp: T }),
  ok('StartTransaction', 'response', { transactionId: 7, idTagInfo: { status: 'Accepted', expiryDate: T } }),
  bad('StartTransaction', 'request', { connectorId: 1, idTag: 'ABC123', timestamp: T }, 'OccurrenceConstraintViolation', '/meterStart'),
  bad('StartTransaction', 'response', { transactionId: 7, idTagInfo: { status: 'Valid' } }, 'PropertyConstraintViolation', '/idTagInfo/status'),
  ok('StopTransaction', 'request', { transactionId: 7, meterStop: 1500, timestamp: T, reason: 'EVDisconnected', transactionData: [{ timestamp: T, sampledValue: [sv16] }] }),
  bad('StopTransaction', 'request', { transactionId: 7, meterStop: 1500, timestamp: T, reason: 'Unplugged' }, 'PropertyConstraintViolation', '/reason'),
  ok('SetChargingProfile', 'request', { connectorId: 1, csChargingProfiles: profile16 }),
  ok('SetChargingProfile', 'response', { status: 'Accepted' }),
  bad('SetChargingProfile', 'request', { connectorId: 1, csChargingProfiles: { ...profile16, chargingProfileKind: 'Dynamic' } }, 'PropertyConstraintViolation', '/csChargingProfiles/chargingProfileKind'),
  bad('SetChargingProfile', 'request', { connectorId: 1 }, 'OccurrenceConstraintViolation', '/csChargingProfiles'),
  ok('GetDiagnostics', 'request', { location: 'ftp://logs.example.com/up' }),
  bad('GetDiagnostics', 'request', { location: 'not a uri' }, 'PropertyConstraintViolation', '/location'),
  ok('SignCertificate', 'request', { csr: '-----BEGIN CERTIFICATE REQUEST-----' }),
];

// ---- 2.0.1 and 2.1 share most shapes ----
const station = { model: 'Joule-1', vendorName: 'Joule', serialNumber: 'SN-1', firmwareVersion: '1.0.0' };
const sv2 = { value: 1234.5, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh', multiplier: 0 } };
const txEvent = {
  eventType: 'Started',
  timestamp: T,
  triggerReason: 'Authorized',
  seqNo: 0,
  transactionInfo: { transactionId: 'b3f8c5e0-0001', chargingState: 'EVConnected' },
  evse: { id: 1, connectorId: 1 },
  idToken: { idToken: '04A2B3C4', type: 'ISO14443' },
  meterValue: [{ timestamp: T, sampledValue: [sv2] }],
};
const profile2 = {
  id: 3,
  stackLevel: 1,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: [{ id: 1, startSchedule: T, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000.5, numberPhases: 3 }] }],
};
const v2Common: Fixture[] = [
  ok('BootNotification', 'request', { reason: 'PowerUp', chargingStation: station }),
  ok('BootNotification', 'response', { status: 'Pending', currentTime: T, interval: 60, statusInfo: { reasonCode: 'Maintenance' } }),
  bad('BootNotification', 'request', { reason: 'Boot', chargingStation: station }, 'PropertyConstraintViolation', '/reason'),
  bad('BootNotification', 'request', { reason: 'PowerUp', chargingStation: { ...station, serialNumber: 'S'.repeat(26) } }, 'PropertyConstraintViolation', '/chargingStation/serialNumber'),
  bad('BootNotification', 'request', { reason: 'PowerUp', chargingStation: { model: 'M' } }, 'OccurrenceConstraintViolation', '/chargingStation/vendorName'),
  ok('Heartbeat', 'request', {}),
  ok('Heartbeat', 'response', { currentTime: T }),
  bad('Heartbeat', 'response', { currentTime: 1740830400 }, 'TypeConstraintViolation', '/currentTime'),
  ok('StatusNotification', 'request', { timestamp: T, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 }),
  ok('StatusNotification', 'response', {}),
  bad('StatusNotification', 'request', { timestamp: T, connectorStatus: 'Preparing', evseId: 1, connectorId: 1 }, 'PropertyConstraintViolation', '/connectorStatus'),
  bad('StatusNotification', 'request', { timestamp: T, connectorStatus: 'Available', evseId: 1 }, 'OccurrenceConstraintViolation', '/connectorId'),
  ok('MeterValues', 'request', { evseId: 1, meterValue: [{ timestamp: T, sampledValue: [sv2, { value: 230.1, measurand: 'Voltage', phase: 'L1-N' }] }] }),
  bad('MeterValues', 'request', { evseId: 1, meterValue: [] }, 'OccurrenceConstraintViolation', '/meterValue'),
  bad('MeterValues', 'request', { evseId: 1, meterValue: [{ timestamp: T, sampledValue: [{ ...sv2, value: '1234.5' }] }] }, 'TypeConstraintViolation', '/meterValue/0/sampledValue/0/value'),
  ok('TransactionEvent', 'request', txEvent),
  ok('TransactionEvent', 'response', { totalCost: 1.25, idTokenInfo: { status: 'Accepted' } }),
  bad('TransactionEvent', 'request', { ...txEvent, transactionInfo: { transactionId: 'x'.repeat(37) } }, 'PropertyConstraintViolation', '/transactionInfo/transactionId'),
  bad('TransactionEvent', 'request', { ...txEvent, eventType: undefined }, 'OccurrenceConstraintViolation', '/eventType'),
  ok('SetChargingProfile', 'request', { evseId: 0, chargingProfile: profile2 }),
  ok('SetChargingProfile', 'response', { status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } }),
  bad('SetChargingProfile', 'request', { evseId: 0, chargingProfile: { ...profile2, chargingSchedule: [] } }, 'OccurrenceConstraintViolation', '/chargingProfile/chargingSchedule'),
  bad('SetChargingProfile', 'request', { evseId: 0, chargingProfile: { ...profile2, stackLevel: 'high' } }, 'TypeConstraintViolation', '/chargingProfile/stackLevel'),
];

const V201: Fixture[] = [
  ...v2Common,
  // The 2.0.1 schema puts no minimum on seqNo (2.1 does): citrineos #154, primitives the OCA files leave unchecked.
  ok('TransactionEvent', 'request', { ...txEvent, seqNo: -1 }),
  // 2.0.1 idToken.type is an enum; 2.1 made it a string[20].
  bad('TransactionEvent', 'request', { ...txEvent, idToken: { idToken: 'X', type: 'NFC' } }, 'PropertyConstraintViolation', '/idToken/type'),
  bad('SetChargingProfile', 'request', { evseId: 0, chargingProfile: { ...profile2, chargingProfileKind: 'Dynamic' } }, 'PropertyConstraintViolation', '/chargingProfile/chargingProfileKind'),
  bad('SetChargingProfile', 'request', { evseId: 0, chargingProfile: { ...profile2, chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0 }] }] } }, 'OccurrenceConstraintViolation', '/chargingProfile/chargingSchedule/0/chargingSchedulePeriod/0/limit'),
];

const V21: Fixture[] = [
  ...v2Common,
  ok('TransactionEvent', 'request', { ...txEvent, idToken: { idToken: 'X', type: 'NFC' }, preconditioningStatus: 'Ready' }),
  ok('SetChargingProfile', 'request', { evseId: 0, chargingProfile: { ...profile2, chargingProfileKind: 'Dynamic', dynUpdateInterval: 60 } }),
  ok('SetChargingProfile', 'request', { evseId: 0, chargingProfile: { ...profile2, chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, setpoint: -3000 }] }] } }),
  ok('NotifyPeriodicEventStream', 'request', { id: 1, pending: 0, basetime: T, data: [{ t: 1.5, v: '50.01' }] }),
  bad('NotifyPeriodicEventStream', 'request', { id: 1, pending: 0, basetime: T, data: [] }, 'OccurrenceConstraintViolation', '/data'),
  bad('TransactionEvent', 'request', { ...txEvent, seqNo: -1 }, 'PropertyConstraintViolation', '/seqNo'),
  bad('TransactionEvent', 'request', { ...txEvent, preconditioningStatus: 'Warm' }, 'PropertyConstraintViolation', '/preconditioningStatus'),
];

const TABLES: Record<OcppVersion, Fixture[]> = { 'ocpp1.6': V16, 'ocpp2.0.1': V201, 'ocpp2.1': V21 };

for (const [version, fixtures] of Object.entries(TABLES) as [OcppVersion, Fixture[]][]) {
  describe(`${version} fixtures`, () => {
    for (const f of fixtures) {
      const name = f.error ? `${f.action} ${f.kind} refused: ${f.error.code} at ${f.error.field}` : `${f.action} ${f.kind} accepted`;
      it(name, () => {
        // JSON round trip: fixtures are what arrives on the wire (drops `undefined` members).
        const payload: unknown = JSON.parse(JSON.stringify(f.payload));
        const failure = validator.validate(version, f.action, f.kind, payload);
        if (f.error === undefined) {
          assert.equal(failure, null, failure?.message);
        } else {
          assert.ok(failure, 'expected a failure');
          assert.equal(failure.code, f.error.code, failure.message);
          assert.deepEqual(failure.fields, [f.error.field]);
        }
      });
    }
  });
}
