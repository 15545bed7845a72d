/** The money-path arithmetic: exact unit conversion and the choice of billing register readings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { energyReadings, isBillingRegister, meterSamples, scaleDecimal, toWh } from './energy.ts';

test('scaleDecimal moves the decimal point instead of multiplying in binary', () => {
  assert.equal(1.005 * 1000, 1004.9999999999999);
  assert.equal(scaleDecimal(1.005, 3), 1005);
  assert.equal(scaleDecimal(12.345, 3), 12345);
  assert.equal(scaleDecimal('1246.789', 3), 1246789);
  assert.equal(scaleDecimal('0.001', 3), 1);
  assert.equal(scaleDecimal(1234, -3), 1.234);
  assert.equal(scaleDecimal('-0.5', 1), -5);
  assert.equal(scaleDecimal('+7', 0), 7);
  assert.equal(scaleDecimal(1e21, -18), 1000);
  assert.equal(scaleDecimal('1.5e2', 1), 1500);
  assert.equal(scaleDecimal('.25', 2), 25);
  for (const bad of ['', '.', 'abc', '1,5', '0x10', 'Infinity', 'NaN']) assert.equal(scaleDecimal(bad, 0), undefined, bad);
  assert.equal(scaleDecimal(Number.NaN, 0), undefined);
});

test('toWh: Wh by default, kWh and MWh converted, multiplier applied, other units refused (J01.FR.07-10)', () => {
  assert.equal(toWh(1500, undefined, undefined), 1500);
  assert.equal(toWh('12.345', 'kWh', 0), 12345);
  assert.equal(toWh(1.2, 'kwh', undefined), 1200);
  assert.equal(toWh(1246.789, 'Wh', 3), 1246789);
  assert.equal(toWh(2.5, 'kWh', -3), 2.5);
  assert.equal(toWh(0.001, 'MWh', 0), 1000);
  assert.equal(toWh(5, 'varh', 0), undefined);
  assert.equal(toWh(5, 'kW', 0), undefined);
});

test('only the total outlet Energy.Active.Import.Register bounds a transaction (J02.FR.17, J03.FR.04)', () => {
  const timestamp = new Date('2025-01-01T00:00:00Z');
  const readings = [
    { timestamp, value: 1 },
    { timestamp, value: 2, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'kWh' },
    { timestamp, value: 3, measurand: 'Energy.Active.Import.Register', phase: 'L1' },
    { timestamp, value: 4, measurand: 'Energy.Active.Import.Register', location: 'EV' },
    { timestamp, value: 5, measurand: 'Energy.Active.Export.Register' },
    { timestamp, value: 6, measurand: 'Power.Active.Import', unit: 'W' },
    { timestamp, value: 'garbage' },
  ];
  assert.deepEqual(readings.map(isBillingRegister), [true, true, false, false, false, false, true]);
  assert.deepEqual(energyReadings(readings).map((r) => r.wh), [1, 2000]);
  const samples = meterSamples('CS', 1, readings);
  assert.equal(samples.length, 6, 'unreadable values are not stored');
  assert.deepEqual(samples.map((s) => s.unit), ['Wh', 'kWh', 'Wh', 'Wh', 'Wh', 'W']);
});
