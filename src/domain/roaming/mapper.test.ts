/** The transaction → Session / CDR arithmetic: register readings, charging and parking periods, kWh, credit CDRs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeterSample, Transaction } from '../model.ts';
import { cdrOf, chargeOf, chargingPeriods, creditOf, intervalsOf, kwhOf, ocpiTime, registerReadings, sessionOf } from './mapper.ts';
import { unpublishedSite } from './sessions.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const t = (minutes: number): Date => new Date(T0 + minutes * 60_000);

function transaction(patch: Partial<Transaction> = {}): Transaction {
  return {
    id: 1, stationId: 'CS', transactionId: 'TX', evseId: 1, connectorId: 1, idToken: 'TAG', idTokenType: 'ISO14443',
    startedAt: t(0), stoppedAt: t(90), meterStartWh: 1000, meterStartAt: t(0), meterStopWh: 21005, meterStopAt: t(90), energyWh: 20005,
    stopReason: null, state: 'completed', chargingState: null, remoteStartId: null, lastSeqNo: 3, createdAt: t(0), updatedAt: t(90), ...patch,
  };
}

function sample(minutes: number, value: number, patch: Partial<MeterSample> = {}): MeterSample {
  return { id: minutes, transactionPk: 1, stationId: 'CS', evseId: 1, timestamp: t(minutes), measurand: 'Energy.Active.Import.Register', phase: null, unit: 'Wh', context: null, location: null, value, signed: null, ...patch };
}

test('kWh from Wh has no binary drift; times are RFC 3339 UTC without fractions', () => {
  assert.equal(kwhOf(1005), 1.005);
  assert.equal(kwhOf(12289), 12.289);
  assert.equal(kwhOf(0.4), 0.0004);
  assert.equal(ocpiTime(new Date('2026-03-01T10:00:00.789Z')), '2026-03-01T10:00:00Z');
});

test('register readings: only the total outlet register, in kWh or Wh, bounded by start and stop, one per instant', () => {
  const readings = registerReadings(transaction(), [
    sample(30, 11, { unit: 'kWh' }),
    sample(30, 999, { phase: 'L1' }),
    sample(45, 5000, { location: 'Inlet' }),
    sample(60, 7.2, { measurand: 'Power.Active.Import', unit: 'kW' }),
    sample(60, 21005),
    sample(90, 21005),
  ]);
  assert.deepEqual(readings.map((r) => [r.at.getTime() - T0, r.wh]), [[0, 1000], [30 * 60_000, 11000], [60 * 60_000, 21005], [90 * 60_000, 21005]]);
});

test('charging then parking: two periods (ENERGY + TIME, then PARKING_TIME); a CDR totals them', () => {
  const tx = transaction();
  const charge = chargeOf(tx, [sample(30, 11000), sample(60, 21005)], t(100));
  assert.deepEqual(charge.intervals.map((i) => [i.charging, i.energyWh]), [[true, 20005], [false, 0]]);
  const periods = chargingPeriods(charge.intervals);
  assert.deepEqual(periods, [
    { start_date_time: '2026-03-01T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 20.005 }, { type: 'TIME', volume: 1 }] },
    { start_date_time: '2026-03-01T11:00:00Z', dimensions: [{ type: 'PARKING_TIME', volume: 0.5 }] },
  ]);
  const site = unpublishedSite('CS', 1, 1);
  const identity = { id: 'S1', cpo: { countryCode: 'NL', partyId: 'JOU' }, cdrToken: { country_code: 'DE', party_id: 'EMS', uid: 'TAG', type: 'RFID' as const, contract_id: 'C1' }, authMethod: 'WHITELIST' as const, currency: 'EUR' };
  const session = sessionOf(identity, site, tx, charge, t(100), { excl_vat: 6, incl_vat: 7.26 });
  assert.deepEqual([session.status, session.kwh, session.end_date_time, session.total_cost], ['COMPLETED', 20.005, '2026-03-01T11:30:00Z', { excl_vat: 6, incl_vat: 7.26 }]);
  const cdr = cdrOf('C-1', session, site.cdrLocation, { total: { excl_vat: 6, incl_vat: 7.26 }, energy: { excl_vat: 6, incl_vat: 7.26 } }, t(100));
  assert.deepEqual([cdr.total_energy, cdr.total_time, cdr.total_parking_time, cdr.session_id], [20.005, 1.5, 0.5, 'S1']);
  const credit = creditOf(cdr, 'C-1-C', t(120));
  assert.deepEqual([credit.credit, credit.credit_reference_id, credit.total_cost, credit.total_energy_cost, credit.total_energy], [true, 'C-1', { excl_vat: -6, incl_vat: -7.26 }, { excl_vat: -6, incl_vat: -7.26 }, 20.005]);
  assert.equal(credit.charging_periods, cdr.charging_periods);
});

test('no energy yet: the whole time is one charging period with 0 kWh; a register that goes down counts as no energy', () => {
  const running = transaction({ state: 'active', stoppedAt: null, meterStopWh: 1000, meterStopAt: t(0), energyWh: 0 });
  const charge = chargeOf(running, [], t(30));
  assert.deepEqual(chargingPeriods(charge.intervals), [{ start_date_time: '2026-03-01T10:00:00Z', dimensions: [{ type: 'ENERGY', volume: 0 }, { type: 'TIME', volume: 0.5 }] }]);
  const intervals = intervalsOf(t(0), t(20), [{ at: t(0), wh: 500 }, { at: t(10), wh: 400 }, { at: t(20), wh: 900 }]);
  assert.deepEqual(intervals.map((i) => [i.charging, i.energyWh]), [[false, 0], [true, 500]]);
});
