/**
 * Message ids (Part 4 §4.1.4), CustomData (Part 4 §9), strictness (lenient inbound with a violation event,
 * always-strict outbound), the quirk layer for real chargers, and the bad-message budget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidRequestError } from '../../src/protocol/errors.ts';
import type { JsonObject, OcppVersion } from '../../src/protocol/types.ts';
import type { ConformanceServer } from './support.ts';
import { NOW, UUID_V4, VERSIONS, assertCallError, settle, startServer, until, wire } from './support.ts';

function boot(version: OcppVersion): JsonObject {
  return version === 'ocpp1.6'
    ? { chargePointVendor: 'Joule', chargePointModel: 'Conformance' }
    : { reason: 'PowerUp', chargingStation: { vendorName: 'Joule', model: 'Conformance' } };
}

/** A BootNotification missing its first required field. */
function bootMissingField(version: OcppVersion): JsonObject {
  return version === 'ocpp1.6' ? { chargePointModel: 'Conformance' } : { chargingStation: { vendorName: 'Joule', model: 'Conformance' } };
}

describe('message ids of our CALLs (Part 4 §4.1.4)', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('are UUIDv4 and unique across 10 000 calls on one connection', async () => {
    const st = await server.connect('IDS-10K', 'ocpp2.0.1');
    try {
      const total = 10_000;
      const ids = new Set<string>();
      const answering = (async () => {
        for (let i = 0; i < total; i += 1) {
          const frame = await st.next(5000);
          const id = frame[1] as string;
          assert.match(id, UUID_V4);
          ids.add(id);
          st.send([3, id, { status: 'Accepted' }]);
        }
      })();
      for (let wave = 0; wave < total / 100; wave += 1) {
        // 100 at once: one outstanding plus 99 queued, within the default queue bound.
        await Promise.all(Array.from({ length: 100 }, () => server.gateway.call('IDS-10K', 'ClearCache', {})));
      }
      await answering;
      assert.equal(ids.size, total);
    } finally {
      await st.close();
    }
  });

  it('are UUIDv4 on every version, for CALL and SEND, and differ across connections of one identity', async () => {
    const seen = new Set<string>();
    for (const version of VERSIONS) {
      for (let round = 0; round < 2; round += 1) {
        const st = await server.connect(`IDS-${version}`, version);
        try {
          const pending = server.gateway.call(`IDS-${version}`, 'ClearCache', {});
          const call = await st.next();
          assert.match(String(call[1]), UUID_V4);
          assert.ok(!seen.has(String(call[1])));
          seen.add(String(call[1]));
          st.send([3, call[1], { status: 'Accepted' }]);
          assert.deepEqual(await pending, { status: 'Accepted' });
          if (version === 'ocpp2.1') {
            server.gateway.endpoint(`IDS-${version}`)?.send('NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: NOW, data: [{ t: 0, v: '1' }] });
            const send = await st.next();
            assert.equal(send[0], 6);
            assert.match(String(send[1]), UUID_V4);
            assert.ok(!seen.has(String(send[1])));
            seen.add(String(send[1]));
          }
        } finally {
          await st.close();
        }
      }
    }
  });
});

describe('CustomData (Part 4 §9) reaches the handler untouched', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const customData = {
    vendorId: 'com.example.joule',
    nested: { list: [1, 2.5, { deep: null }], flag: false },
    'key with spaces': 'ünïcödé ✓',
    empty: {},
  };

  for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
    it(`${version}: in a Heartbeat, in a BootNotification (top level and nested), and in a CALLRESULT to our call`, async () => {
      const st = await server.connect(`CD-${version}`, version);
      try {
        const before = server.handlers.handled.length;
        assert.deepEqual(await st.request([2, 'cd-1', 'Heartbeat', { customData }]), [3, 'cd-1', { currentTime: NOW }]);
        const bootPayload = {
          reason: 'PowerUp',
          customData,
          chargingStation: { vendorName: 'Joule', model: 'M', customData: { vendorId: 'com.example.inner', x: [[]] }, modem: { iccid: '1', customData } },
        };
        assert.deepEqual(await st.request([2, 'cd-2', 'BootNotification', bootPayload]), [3, 'cd-2', { status: 'Accepted', currentTime: NOW, interval: 300 }]);
        assert.deepEqual(
          server.handlers.handled.slice(before).map((h) => h.payload),
          [{ customData }, bootPayload],
        );
        // CustomData still needs its vendorId.
        assertCallError(await st.request([2, 'cd-3', 'Heartbeat', { customData: { nested: 1 } }]), 'cd-3', 'OccurrenceConstraintViolation');
        // And in the other direction: a CALLRESULT with customData is returned to the caller as is.
        const pending = server.gateway.call(`CD-${version}`, 'ClearCache', {});
        const call = await st.next();
        st.send([3, call[1], { status: 'Accepted', customData }]);
        assert.deepEqual(await pending, { status: 'Accepted', customData });
      } finally {
        await st.close();
      }
    });
  }

  it('ocpp1.6 has no CustomData: it is an unknown property (FormationViolation)', async () => {
    const st = await server.connect('CD-ocpp1.6', 'ocpp1.6');
    try {
      assertCallError(await st.request([2, 'cd-16', 'Heartbeat', { customData }]), 'cd-16', 'FormationViolation');
    } finally {
      await st.close();
    }
  });
});

describe('strictness: lenient inbound with a violation event, strict inbound, always-strict outbound', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer({ strictnessByPrefix: { 'LENIENT-': 'lenient' } });
  });
  after(() => server.close());

  for (const version of VERSIONS) {
    it(`${version}: a schema-invalid CALL reaches the handler of a lenient station, and onViolation fires`, async () => {
      const identity = `LENIENT-${version}`;
      const st = await server.connect(identity, version);
      try {
        const handled = server.handlers.handled.length;
        const violations = server.violations.length;
        const payload = bootMissingField(version);
        assert.deepEqual(await st.request([2, 'len-1', 'BootNotification', payload]), [3, 'len-1', { status: 'Accepted', currentTime: NOW, interval: 300 }]);
        assert.deepEqual(server.handlers.handled.slice(handled), [{ version, action: 'BootNotification', messageId: 'len-1', payload }]);
        const events = server.violations.slice(violations);
        assert.equal(events.length, 1);
        assert.deepEqual(
          { identity: events[0]?.identity, version: events[0]?.version, action: events[0]?.action, kind: events[0]?.kind, code: events[0]?.failure.code },
          { identity, version, action: 'BootNotification', kind: 'request', code: 'OccurrenceConstraintViolation' },
        );
        // Leniency is about the schema only: a frame that is not OCPP-J is still refused.
        assertCallError(await st.request([2, 'len-2', 'BootNotification', []]), 'len-2', wire(version, 'FormatViolation'));
        // An invalid CALLRESULT to our call is accepted too (and on 2.1 no CALLRESULTERROR is sent).
        const pending = server.gateway.call(identity, 'ClearCache', {});
        const call = await st.next();
        st.send([3, call[1], { status: 'Perhaps' }]);
        assert.deepEqual(await pending, { status: 'Perhaps' });
        assert.equal(server.violations.at(-1)?.kind, 'response');
        await st.expectNone(150);
        // Outgoing stays strict: nothing invalid is put on the wire.
        const invalid = await settle(server.gateway.call(identity, 'DataTransfer', {}));
        assert.ok(!invalid.ok && invalid.error instanceof InvalidRequestError, String(!invalid.ok && invalid.error));
        assert.equal(invalid.error.code, 'OccurrenceConstraintViolation');
        await st.expectNone(200, 'an invalid request must not be sent');
      } finally {
        await st.close();
      }
    });

    it(`${version}: the same CALL from a strict station → ${wire(version, 'OccurrenceConstraintViolation')}, handler not run`, async () => {
      const st = await server.connect(`STRICT-${version}`, version);
      try {
        const handled = server.handlers.handled.length;
        assertCallError(await st.request([2, 'str-1', 'BootNotification', bootMissingField(version)]), 'str-1', wire(version, 'OccurrenceConstraintViolation'));
        assert.equal(server.handlers.handled.length, handled);
        assert.deepEqual(await st.request([2, 'str-2', 'BootNotification', boot(version)]), [3, 'str-2', { status: 'Accepted', currentTime: NOW, interval: 300 }]);
      } finally {
        await st.close();
      }
    });

    it(`${version}: gateway.call with an invalid request → InvalidRequestError, nothing on the wire`, async () => {
      const identity = `OUT-${version}`;
      const st = await server.connect(identity, version);
      try {
        const cases: Array<[string, JsonObject, string]> = [
          ['DataTransfer', {}, 'OccurrenceConstraintViolation'],
          ['DataTransfer', { vendorId: 7 }, 'TypeConstraintViolation'],
          ['DataTransfer', { vendorId: 'v'.repeat(256) }, 'PropertyConstraintViolation'],
          ['DataTransfer', { vendorId: 'v', surplus: true }, 'FormatViolation'],
          ['NoSuchAction', {}, 'NotImplemented'],
          [version === 'ocpp1.6' ? 'GetVariables' : 'GetConfiguration', {}, 'NotImplemented'],
        ];
        for (const [action, payload, code] of cases) {
          const result = await settle(server.gateway.call(identity, action, payload));
          assert.ok(!result.ok && result.error instanceof InvalidRequestError, `${action} ${JSON.stringify(payload)}: ${String(!result.ok && result.error)}`);
          assert.equal(result.error.code, code, `${action} ${JSON.stringify(payload)}`);
        }
        await st.expectNone(250, 'an invalid request must not reach the wire');
        await st.heartbeat();
      } finally {
        await st.close();
      }
    });
  }
});

describe('quirks for real chargers', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('1.6 SetChargingProfile with limit 8.1 (multipleOf 0.1 in binary floating point) is sent as is', async () => {
    const st = await server.connect('QUIRK-16', 'ocpp1.6');
    try {
      const periods: JsonObject[] = [
        { startPeriod: 0, limit: 8.1 },
        { startPeriod: 600, limit: 16.3, numberPhases: 3 },
      ];
      const payload = {
        connectorId: 1,
        csChargingProfiles: {
          chargingProfileId: 7,
          stackLevel: 0,
          chargingProfilePurpose: 'TxDefaultProfile',
          chargingProfileKind: 'Absolute',
          chargingSchedule: {
            chargingRateUnit: 'A',
            minChargingRate: 6.1,
            chargingSchedulePeriod: periods,
          },
        },
      };
      const pending = server.gateway.call('QUIRK-16', 'SetChargingProfile', payload);
      const call = await st.next();
      assert.deepEqual([call[0], call[2], call[3]], [2, 'SetChargingProfile', payload]);
      st.send([3, call[1], { status: 'Accepted' }]);
      assert.deepEqual(await pending, { status: 'Accepted' });
      // The quirk relaxes floating-point precision only: 8.15 is still not a multiple of 0.1.
      const off = await settle(server.gateway.call('QUIRK-16', 'SetChargingProfile', {
        ...payload,
        csChargingProfiles: { ...payload.csChargingProfiles, chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8.15 }] } },
      }));
      assert.ok(!off.ok && off.error instanceof InvalidRequestError && off.error.code === 'PropertyConstraintViolation', String(!off.ok && off.error));
    } finally {
      await st.close();
    }
  });

  it('1.6 BootNotification with a 30-character serial number passes on a strict station; 2.0.1 still enforces 25', async () => {
    const serial = 'S'.repeat(30);
    const v16 = await server.connect('QUIRK-SERIAL-16', 'ocpp1.6');
    const v201 = await server.connect('QUIRK-SERIAL-201', 'ocpp2.0.1');
    try {
      const accepted = [3, 'q-1', { status: 'Accepted', currentTime: NOW, interval: 300 }];
      assert.deepEqual(await v16.request([2, 'q-1', 'BootNotification', { ...boot('ocpp1.6'), chargePointSerialNumber: serial, chargeBoxSerialNumber: serial }]), accepted);
      assertCallError(await v16.request([2, 'q-2', 'BootNotification', { ...boot('ocpp1.6'), chargePointSerialNumber: 'S'.repeat(65) }]), 'q-2', 'PropertyConstraintViolation');
      const station = { vendorName: 'Joule', model: 'M' };
      assertCallError(await v201.request([2, 'q-3', 'BootNotification', { reason: 'PowerUp', chargingStation: { ...station, serialNumber: serial } }]), 'q-3', 'PropertyConstraintViolation');
      assert.deepEqual(await v201.request([2, 'q-1', 'BootNotification', { reason: 'PowerUp', chargingStation: { ...station, serialNumber: 'S'.repeat(25) } }]), accepted);
    } finally {
      await v16.close();
      await v201.close();
    }
  });
});

describe('bad-message budget (maxBadMessages)', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startServer({ maxBadMessages: 3 });
  });
  after(() => server.close());

  for (const version of VERSIONS) {
    it(`${version}: below the budget the connection stays usable; the last bad frame is answered, then close 1008`, async () => {
      const identity = `BUDGET-${version}`;
      const st = await server.connect(identity, version);
      assertCallError(await st.request('garbage'), '-1', wire(version, 'RpcFrameworkError'));
      assertCallError(await st.request([2, 'b-2', 'Heartbeat', null]), 'b-2', wire(version, 'FormatViolation'));
      for (let i = 0; i < 5; i += 1) await st.heartbeat();
      assert.ok(st.isOpen);
      assertCallError(await st.request('{"not":"an array"}'), '-1', wire(version, 'RpcFrameworkError'));
      const { code } = await st.closedPromise;
      assert.equal(code, 1008);
      await until(() => !server.gateway.connectedIdentities().includes(identity), 'the station is still listed as connected');
    });

    it(`${version}: frames that arrive after the budget closed the connection are not handled`, async () => {
      const identity = `BUDGET-LATE-${version}`;
      const st = await server.connect(identity, version);
      const handled = server.handlers.handled.length;
      // One burst: the third bad frame closes the connection, the BootNotification behind it is already on its way.
      st.sendText('garbage');
      st.sendText('garbage');
      st.sendText('garbage');
      st.send([2, 'after-close', 'BootNotification', boot(version)]);
      for (let i = 0; i < 3; i += 1) assertCallError(await st.next(), '-1', wire(version, 'RpcFrameworkError'));
      assert.equal((await st.closedPromise).code, 1008);
      assert.deepEqual(
        server.handlers.handled.slice(handled).map((h) => h.messageId),
        [],
        'a CALL was handled although its answer can never be sent (the station will repeat it after reconnecting)',
      );
    });
  }

  it('maxBadMessages 0 means unlimited', async () => {
    const own = await startServer({ maxBadMessages: 0 });
    try {
      const st = await own.connect('UNLIMITED', 'ocpp2.0.1');
      for (let i = 0; i < 100; i += 1) st.sendText('garbage');
      for (let i = 0; i < 100; i += 1) assertCallError(await st.next(), '-1', 'RpcFrameworkError');
      await st.heartbeat();
      await st.close();
    } finally {
      await own.close();
    }
  });
});
