import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import * as OCPP16 from 'typed-ocpp/dist/ocpp16/schemas.js';
import type { OcppVersion } from '../types.ts';
import { OCPP_VERSIONS } from '../types.ts';
import type { PayloadKind } from '../validator.ts';
import { versionSchemas } from './catalog.ts';
import { MAX_SERIAL_LENGTH_16, MAX_UNIT_LENGTH_16, QUIRKS, applySchemaQuirks, type Quirk } from './quirks.ts';
import { createSchemaValidator } from './validator.ts';

const ours = createSchemaValidator();

/** The official schemas as they are: plain ajv, no quirks. */
const official = new Ajv({ strict: false });
formats.default(official);
for (const version of OCPP_VERSIONS) {
  const { messages, definitions } = versionSchemas(version);
  official.addSchema({ $id: `urn:official:${version}`, definitions: { ...definitions, ...messages } });
}
function officialAccepts(version: OcppVersion, action: string, kind: PayloadKind, payload: unknown): boolean {
  const fn = official.getSchema(`urn:official:${version}#/definitions/${action}${kind === 'request' ? 'Request' : 'Response'}`);
  assert.ok(fn, `${version} ${action} ${kind}`);
  return fn(payload) as boolean;
}

interface QuirkCase {
  quirk: string;
  version: OcppVersion;
  action: string;
  kind: PayloadKind;
  payload: object;
}

const schedule = (limit: number, minChargingRate?: number): object => ({
  chargingRateUnit: 'A',
  chargingSchedulePeriod: [{ startPeriod: 0, limit }],
  ...(minChargingRate === undefined ? {} : { minChargingRate }),
});
const profile = (limit: number, minChargingRate?: number): object => ({
  chargingProfileId: 1,
  stackLevel: 0,
  chargingProfilePurpose: 'TxProfile',
  chargingProfileKind: 'Relative',
  chargingSchedule: schedule(limit, minChargingRate),
});
const setProfile16 = (limit: number, min?: number): object => ({ connectorId: 1, csChargingProfiles: profile(limit, min) });
const remoteStart16 = (limit: number, min?: number): object => ({ idTag: 'TAG', chargingProfile: profile(limit, min) });
const composite16 = (limit: number, min?: number): object => ({ status: 'Accepted', connectorId: 1, chargingSchedule: schedule(limit, min) });
const boot16 = (serial: string): object => ({
  chargePointVendor: 'Schneider',
  chargePointModel: 'EVlink',
  chargePointSerialNumber: serial,
  chargeBoxSerialNumber: serial,
});
const sampled = (unit: string): object => ({ timestamp: '2024-05-01T10:00:00Z', sampledValue: [{ value: '50.01', measurand: 'Frequency', unit }] });
const meterValues16 = (unit: string): object => ({ connectorId: 1, transactionId: 7, meterValue: [sampled(unit)] });
const stop16 = (unit: string): object => ({ transactionId: 7, meterStop: 1200, timestamp: '2024-05-01T10:00:00Z', transactionData: [sampled(unit)] });

/** Each payload is refused by the official schema and accepted with our quirks. */
const CASES: QuirkCase[] = [
  { quirk: 'decimal-multipleOf', version: 'ocpp1.6', action: 'SetChargingProfile', kind: 'request', payload: setProfile16(8.1, 6.1) },
  { quirk: 'decimal-multipleOf', version: 'ocpp1.6', action: 'RemoteStartTransaction', kind: 'request', payload: remoteStart16(8.1, 6.1) },
  { quirk: 'decimal-multipleOf', version: 'ocpp1.6', action: 'GetCompositeSchedule', kind: 'response', payload: composite16(8.1, 6.1) },
  { quirk: 'decimal-multipleOf', version: 'ocpp1.6', action: 'SetChargingProfile', kind: 'request', payload: setProfile16(8.1) },
  { quirk: 'long-serial-16', version: 'ocpp1.6', action: 'BootNotification', kind: 'request', payload: boot16('EVB1A22P4KI3N1234567890123456789') },
  { quirk: 'free-unit-16', version: 'ocpp1.6', action: 'MeterValues', kind: 'request', payload: meterValues16('Hz') },
  { quirk: 'free-unit-16', version: 'ocpp1.6', action: 'StopTransaction', kind: 'request', payload: stop16('Hz') },
];

describe('quirks', () => {
  for (const c of CASES) {
    it(`${c.quirk}: ${c.version} ${c.action} ${c.kind} — official refuses, ours accepts`, () => {
      assert.equal(officialAccepts(c.version, c.action, c.kind, c.payload), false);
      assert.equal(ours.validate(c.version, c.action, c.kind, c.payload), null);
    });
  }

  it('every quirk has a case, and every quirk says why', () => {
    for (const quirk of QUIRKS) {
      assert.ok(CASES.some((c) => c.quirk === quirk.name), quirk.name);
      assert.ok(quirk.why.length > 20, quirk.name);
    }
  });

  it('decimal-multipleOf: multipleOf appears only in the three 1.6 schedule messages', () => {
    // If the package adds multipleOf elsewhere, add a case above for it.
    const found: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (typeof node !== 'object' || node === null) return;
      if ('multipleOf' in node) found.push(where);
      for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
    };
    for (const version of OCPP_VERSIONS) {
      const { messages, definitions } = versionSchemas(version);
      walk(messages, version);
      walk(definitions, `${version}#`);
    }
    assert.deepEqual(found.map((f) => f.replace(/\/.*\//, ' … ')).sort(), [
      'ocpp1.6 … limit',
      'ocpp1.6 … limit',
      'ocpp1.6 … limit',
      'ocpp1.6 … minChargingRate',
      'ocpp1.6 … minChargingRate',
      'ocpp1.6 … minChargingRate',
    ]);
    assert.deepEqual([...new Set(found.map((f) => f.split('/')[1]))].sort(), [
      'GetCompositeScheduleResponse',
      'RemoteStartTransactionRequest',
      'SetChargingProfileRequest',
    ]);
  });

  it('decimal-multipleOf: every tenth from 0.1 to 1000 passes, and finer values still fail', () => {
    for (let tenths = 1; tenths <= 10_000; tenths++) {
      const limit = Number((tenths / 10).toFixed(1));
      assert.equal(ours.validate('ocpp1.6', 'SetChargingProfile', 'request', setProfile16(limit)), null, String(limit));
    }
    assert.equal(ours.validate('ocpp1.6', 'SetChargingProfile', 'request', setProfile16(22_000.1)), null);
    for (const limit of [8.15, 8.01, 0.05]) {
      const failure = ours.validate('ocpp1.6', 'SetChargingProfile', 'request', setProfile16(limit));
      assert.equal(failure?.code, 'PropertyConstraintViolation', String(limit));
      assert.deepEqual(failure?.fields, ['/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit']);
    }
  });

  it(`long-serial-16: stops at ${MAX_SERIAL_LENGTH_16} characters, other fields keep their limits`, () => {
    assert.equal(ours.validate('ocpp1.6', 'BootNotification', 'request', boot16('S'.repeat(MAX_SERIAL_LENGTH_16))), null);
    const tooLong = ours.validate('ocpp1.6', 'BootNotification', 'request', boot16('S'.repeat(MAX_SERIAL_LENGTH_16 + 1)));
    assert.equal(tooLong?.code, 'PropertyConstraintViolation');
    const longVendor = ours.validate('ocpp1.6', 'BootNotification', 'request', { chargePointVendor: 'V'.repeat(21), chargePointModel: 'M' });
    assert.deepEqual(longVendor?.fields, ['/chargePointVendor']);
  });

  it(`free-unit-16: any unit up to ${MAX_UNIT_LENGTH_16} characters; both Celsius spellings pass everywhere`, () => {
    for (const unit of ['Celsius', 'Celcius', 'Hz', 'kvar', 'mA']) {
      assert.equal(ours.validate('ocpp1.6', 'MeterValues', 'request', meterValues16(unit)), null, unit);
      assert.equal(ours.validate('ocpp1.6', 'StopTransaction', 'request', stop16(unit)), null, unit);
    }
    // typed-ocpp's 1.6 enums already list both spellings (the 1.6 files had "Celcius"); no quirk needed.
    assert.equal(officialAccepts('ocpp1.6', 'StopTransaction', 'request', stop16('Celsius')), true);
    assert.equal(officialAccepts('ocpp1.6', 'MeterValues', 'request', meterValues16('Celcius')), true);
    const failure = ours.validate('ocpp1.6', 'MeterValues', 'request', meterValues16('U'.repeat(MAX_UNIT_LENGTH_16 + 1)));
    assert.equal(failure?.code, 'PropertyConstraintViolation');
    assert.equal(ours.validate('ocpp1.6', 'MeterValues', 'request', meterValues16(42 as unknown as string))?.code, 'TypeConstraintViolation');
  });

  it('leaves the official schema objects untouched', () => {
    const boot = OCPP16.BootNotificationRequest as { properties: { chargePointSerialNumber: { maxLength: number } } };
    assert.equal(boot.properties.chargePointSerialNumber.maxLength, 25);
    const mv = JSON.stringify(OCPP16.MeterValuesRequest);
    assert.ok(mv.includes('"Fahrenheit"'));
  });

  it('fails loudly when a patched node is missing (a changed package)', () => {
    const broken: Quirk = {
      name: 'broken',
      why: 'test',
      patches: [{ version: 'ocpp1.6', schema: 'BootNotificationRequest', path: ['properties', 'nope'], apply: () => {} }],
    };
    assert.throws(
      () => applySchemaQuirks('ocpp1.6', structuredClone({ ...versionSchemas('ocpp1.6').messages }), [broken]),
      /quirk broken: ocpp1.6 BootNotificationRequest\/properties\/nope not found/,
    );
  });
});
