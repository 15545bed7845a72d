import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OCPP_VERSIONS } from '../types.ts';
import { createSchemaValidator, listActions } from './validator.ts';

const started = performance.now();
const validator = createSchemaValidator();
const creationMs = performance.now() - started;

const boot201 = (extra: object = {}, station: object = {}): object => ({
  reason: 'PowerUp',
  chargingStation: { model: 'Joule-1', vendorName: 'Joule', ...station },
  ...extra,
});

describe('createSchemaValidator', () => {
  it('compiles every schema of every version at creation', (t) => {
    // About 1.2 s on a quiet machine for 387 schemas (78 + 128 + 181); reported, not asserted (bench/ times things).
    t.diagnostic(`validator created in ${creationMs.toFixed(0)} ms`);
    for (const version of OCPP_VERSIONS) {
      for (const action of listActions(version)) assert.ok(validator.hasAction(version, action), `${version} ${action}`);
    }
  });

  it('lists the actions of each version', () => {
    const v16 = listActions('ocpp1.6');
    assert.equal(v16.length, 39, '28 core + 11 Security Whitepaper messages');
    assert.ok(v16.includes('StartTransaction') && v16.includes('SignedUpdateFirmware'));
    assert.equal(listActions('ocpp2.0.1').length, 64);
    assert.equal(listActions('ocpp2.1').length, 91, '90 request/response pairs + NotifyPeriodicEventStream');
    assert.deepEqual(v16, [...v16].sort());
  });

  it('knows which actions exist in which version', () => {
    assert.equal(validator.hasAction('ocpp1.6', 'StartTransaction'), true);
    assert.equal(validator.hasAction('ocpp2.0.1', 'StartTransaction'), false);
    assert.equal(validator.hasAction('ocpp1.6', 'TransactionEvent'), false);
    assert.equal(validator.hasAction('ocpp2.0.1', 'TransactionEvent'), true);
    assert.equal(validator.hasAction('ocpp2.0.1', 'NotifyPeriodicEventStream'), false);
    assert.equal(validator.hasAction('ocpp2.1', 'BootNotificationRequest'), false, 'actions have no suffix');
    assert.equal(validator.hasAction('ocpp2.1', 'bootnotification'), false, 'names are case-sensitive');
    assert.equal(validator.hasAction('ocpp2.1', 'toString'), false);
  });

  it('treats 2.1 NotifyPeriodicEventStream as SEND-only: a request, no response', () => {
    assert.equal(validator.hasAction('ocpp2.1', 'NotifyPeriodicEventStream'), true);
    assert.equal(validator.hasResponse('ocpp2.1', 'NotifyPeriodicEventStream'), false);
    assert.equal(validator.hasResponse('ocpp2.1', 'BootNotification'), true);
    assert.equal(validator.hasResponse('ocpp2.1', 'Nope'), false);
    const stream = { id: 1, pending: 0, basetime: '2025-01-01T00:00:00Z', data: [{ t: 0.5, v: '230.1' }] };
    assert.equal(validator.validate('ocpp2.1', 'NotifyPeriodicEventStream', 'request', stream), null);
    assert.equal(validator.validate('ocpp2.1', 'NotifyPeriodicEventStream', 'response', {})?.code, 'NotImplemented');
  });

  it('answers NotImplemented for an unknown action instead of throwing', () => {
    assert.deepEqual(validator.validate('ocpp1.6', 'Foo', 'request', {}), {
      code: 'NotImplemented',
      message: 'Foo is not an action in ocpp1.6',
      fields: [],
    });
  });

  it('refuses payloads that are not JSON objects', () => {
    for (const payload of [null, [], 'x', 1, undefined]) {
      assert.equal(validator.validate('ocpp2.0.1', 'Heartbeat', 'request', payload)?.code, 'TypeConstraintViolation');
    }
    assert.equal(validator.validate('ocpp2.0.1', 'Heartbeat', 'request', {}), null);
  });

  it('validates against the negotiated version only', () => {
    assert.equal(validator.validate('ocpp2.0.1', 'BootNotification', 'request', boot201()), null);
    // ajv checks `required` before `additionalProperties`, so the missing 1.6 fields are reported first.
    assert.deepEqual(validator.validate('ocpp1.6', 'BootNotification', 'request', boot201())?.fields, ['/chargePointVendor']);
  });

  it('maps failures to codes with field pointers', () => {
    assert.deepEqual(validator.validate('ocpp1.6', 'Authorize', 'request', { idTag: 'T'.repeat(21) }), {
      code: 'PropertyConstraintViolation',
      message: '/idTag must NOT have more than 20 characters',
      fields: ['/idTag'],
    });
    assert.deepEqual(validator.validate('ocpp2.0.1', 'BootNotification', 'request', { reason: 'PowerUp' }), {
      code: 'OccurrenceConstraintViolation',
      message: '/chargingStation is required',
      fields: ['/chargingStation'],
    });
    const modem = validator.validate('ocpp2.1', 'BootNotification', 'request', boot201({}, { modem: { iccid: 5 } }));
    assert.deepEqual(modem?.fields, ['/chargingStation/modem/iccid']);
    assert.equal(modem?.code, 'TypeConstraintViolation');
  });

  it('checks date-time shape (RFC 3339 with offset) on the hot path', () => {
    const hb = (currentTime: string) => validator.validate('ocpp2.0.1', 'Heartbeat', 'response', { currentTime });
    assert.equal(hb('2025-01-01T00:00:00Z'), null);
    assert.equal(hb('2025-01-01T00:00:00.123+01:00'), null);
    for (const bad of ['2025-01-01T00:00:00', '2025-01-01', 'yesterday', '2025-13-01T00:00:00Z']) {
      assert.deepEqual(hb(bad)?.fields, ['/currentTime'], bad);
    }
  });

  describe('CustomData (Part 4 §9: vendorId plus any vendor properties)', () => {
    for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      it(`${version}: accepted at top level and nested`, () => {
        const customData = { vendorId: 'com.example', firmwareFlavour: 'beta', counters: [1, 2], nested: { a: null } };
        const payload = boot201({ customData }, { customData: { vendorId: 'com.example', slot: 3 }, modem: { customData, imsi: '1' } });
        assert.equal(validator.validate(version, 'BootNotification', 'request', payload), null);
        const reply = { currentTime: '2025-01-01T00:00:00Z', interval: 300, status: 'Accepted', customData };
        assert.equal(validator.validate(version, 'BootNotification', 'response', reply), null);
      });

      it(`${version}: vendorId is required and bounded; extra properties elsewhere still refused`, () => {
        const noVendor = validator.validate(version, 'BootNotification', 'request', boot201({ customData: { x: 1 } }));
        assert.deepEqual(noVendor?.fields, ['/customData/vendorId']);
        assert.equal(noVendor?.code, 'OccurrenceConstraintViolation');
        const longVendor = validator.validate(version, 'Heartbeat', 'request', { customData: { vendorId: 'v'.repeat(256) } });
        assert.equal(longVendor?.code, 'PropertyConstraintViolation');
        const stray = validator.validate(version, 'BootNotification', 'request', boot201({ vendorThing: 1 }));
        assert.deepEqual(stray, { code: 'FormatViolation', message: '/vendorThing is not allowed', fields: ['/vendorThing'] });
      });
    }
  });

  it('returns the same null for every valid payload (nothing allocated by us on the valid path)', () => {
    const payload = { currentTime: '2025-01-01T00:00:00Z' };
    for (let i = 0; i < 1000; i++) assert.equal(validator.validate('ocpp2.0.1', 'Heartbeat', 'response', payload), null);
  });
});
