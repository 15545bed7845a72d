/** computeCost against the OCPI 2.2.1 examples (mod_tariffs, mod_cdrs step_size) and each restriction. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCost, type ChargingInterval } from './cost.ts';
import type { Tariff, TariffElement } from './model.ts';

const ZONE = 'Europe/Amsterdam';

function tariff(elements: TariffElement[], extra: Partial<Tariff> = {}): Tariff {
  return {
    id: 'T1',
    countryCode: 'NL',
    partyId: 'JOU',
    currency: 'EUR',
    type: null,
    altText: [],
    altUrl: null,
    minPrice: null,
    maxPrice: null,
    elements,
    startDateTime: null,
    endDateTime: null,
    energyMix: null,
    createdAt: new Date(0),
    lastUpdated: new Date(0),
    ...extra,
  };
}

/** Local Amsterdam wall-clock time on a winter Friday (UTC+1): "16:35" → 2026-01-09T15:35Z. */
const at = (hhmm: string, day = '2026-01-09'): Date => new Date(`${day}T${hhmm}:00+01:00`);
const minutes = (from: Date, n: number): Date => new Date(from.getTime() + n * 60_000);

function run(elements: TariffElement[], intervals: ChargingInterval[], extra: Partial<Tariff> = {}) {
  return computeCost(tariff(elements, extra), { start: intervals[0]?.start ?? new Date(0), intervals, timeZone: ZONE });
}

test('ENERGY step_size: 115.2 Wh billed as 116 Wh, 125 Wh or 500 Wh (mod_tariffs example)', () => {
  const interval = { start: at('10:00'), end: at('10:10'), energyWh: 115.2, charging: true };
  const cost = (stepSize: number) => run([{ priceComponents: [{ type: 'ENERGY', price: 0.25, stepSize }] }], [interval]).energy.exclVat;
  assert.equal(cost(1), 0.029);
  assert.equal(cost(25), 0.0313);
  assert.equal(cost(500), 0.125);
  assert.equal(run([{ priceComponents: [{ type: 'ENERGY', price: 0.25, stepSize: 0 }] }], [interval]).energy.exclVat, 0.0288);
});

test('TIME per hour across a 17:00 switch: the last element step_size rounds the session total (example #2: 1.30)', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'TIME', price: 1.2, stepSize: 1800 }], restrictions: { endTime: '17:00' } },
    { priceComponents: [{ type: 'TIME', price: 2.4, stepSize: 900 }], restrictions: { startTime: '17:00' } },
  ];
  const result = run(elements, [{ start: at('16:35'), end: at('17:10'), energyWh: 5000, charging: true }]);
  assert.equal(result.time.exclVat, 1.3);
  assert.equal(result.chargingHours, round(35 / 60));
  assert.equal(result.billedChargingHours, 0.75);
  assert.deepEqual(
    result.periods.map((p) => [p.start.toISOString(), p.elements.time]),
    [
      [at('16:35').toISOString(), 0],
      [at('17:00').toISOString(), 1],
    ],
  );
});

/** mod_tariffs example tariff_14_step_size.json (DE*ALL tariff 22). */
const STEP_EXAMPLE: TariffElement[] = [
  {
    priceComponents: [
      { type: 'TIME', price: 1.2, stepSize: 1800 },
      { type: 'PARKING_TIME', price: 1, stepSize: 900 },
    ],
    restrictions: { startTime: '00:00', endTime: '17:00' },
  },
  {
    priceComponents: [
      { type: 'TIME', price: 2.4, stepSize: 900 },
      { type: 'PARKING_TIME', price: 1, stepSize: 900 },
    ],
    restrictions: { startTime: '17:00', endTime: '20:00' },
  },
  { priceComponents: [{ type: 'TIME', price: 2.4, stepSize: 900 }], restrictions: { startTime: '20:00', endTime: '00:00' } },
];

test('step_size examples of mod_tariffs: free parking after 20:00 (0.78); example #1 follows mod_cdrs instead (0.55, not 0.383)', () => {
  // 19:40 charge 12 minutes, then 20 minutes connected; parking is free from 20:00. Parking total 20 min → 30 min
  // with the step of the last paid PARKING_TIME component: 18 paid minutes (the spec's numbers).
  const start = at('19:40');
  const free = run(STEP_EXAMPLE, [
    { start, end: minutes(start, 12), energyWh: 4000, charging: true },
    { start: minutes(start, 12), end: minutes(start, 32), energyWh: 0, charging: false },
  ]);
  assert.deepEqual([free.time.exclVat, free.parkingTime.exclVat, free.total.exclVat], [0.48, 0.3, 0.78]);
  // 16:55 charge 10 minutes, park 2: the example rounds the whole session (12 → 15 min, 0.383); mod_cdrs says the
  // step applies to the parking total only when parking is billed (2 → 15 min): 0.10 + 0.20 + 0.25.
  const early = at('16:55');
  const example1 = run(STEP_EXAMPLE, [
    { start: early, end: minutes(early, 10), energyWh: 3000, charging: true },
    { start: minutes(early, 10), end: minutes(early, 12), energyWh: 0, charging: false },
  ]);
  assert.deepEqual([example1.time.exclVat, example1.parkingTime.exclVat, example1.total.exclVat], [0.3, 0.25, 0.55]);
});

test('TIME and PARKING_TIME: only the parking total is rounded (mod_cdrs: 21 min charging, 16 min parking)', () => {
  const elements: TariffElement[] = [
    {
      priceComponents: [
        { type: 'TIME', price: 1, stepSize: 600 },
        { type: 'PARKING_TIME', price: 2, stepSize: 600 },
      ],
    },
  ];
  const start = at('09:00');
  const result = run(elements, [
    { start, end: minutes(start, 21), energyWh: 7000, charging: true },
    { start: minutes(start, 21), end: minutes(start, 37), energyWh: 0, charging: false },
  ]);
  assert.equal(result.time.exclVat, 0.35);
  assert.equal(result.parkingTime.exclVat, round((20 / 60) * 2));
  assert.equal(result.billedParkingHours, round(20 / 60));
  assert.equal(result.total.exclVat, round(0.35 + (20 / 60) * 2));
});

test('ENERGY step_size counts the session total across elements (4.3 + 1.1 kWh → 5.5 kWh)', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0.2, stepSize: 500 }], restrictions: { endTime: '17:00' } },
    { priceComponents: [{ type: 'ENERGY', price: 0.27, stepSize: 500 }], restrictions: { startTime: '17:00' } },
  ];
  const result = run(elements, [
    { start: at('16:00'), end: at('17:00'), energyWh: 4300, charging: true },
    { start: at('17:00'), end: at('17:20'), energyWh: 1100, charging: true },
  ]);
  assert.equal(result.energy.exclVat, round(4.3 * 0.2 + 1.2 * 0.27));
  assert.equal(result.totalEnergyKwh, 5.4);
  assert.equal(result.billedEnergyKwh, 5.5);
});

test('max_power: the first element whose power restriction holds prices each stretch (example: 20.30)', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0.2, stepSize: 1 }], restrictions: { maxPower: 16 } },
    { priceComponents: [{ type: 'ENERGY', price: 0.35, stepSize: 1 }], restrictions: { maxPower: 32 } },
    { priceComponents: [{ type: 'ENERGY', price: 0.5, stepSize: 1 }] },
  ];
  const start = at('08:00');
  const result = run(elements, [
    { start, end: minutes(start, 10), energyWh: 1000, charging: true }, // 6 kW
    { start: minutes(start, 10), end: minutes(start, 60), energyWh: 40_000, charging: true }, // 48 kW
    { start: minutes(start, 60), end: minutes(start, 67.5), energyWh: 500, charging: true }, // 4 kW
  ]);
  assert.equal(result.energy.exclVat, 20.3);
  assert.deepEqual(
    result.periods.map((p) => p.elements.energy),
    [0, 2, 0],
  );
  // min_power holds at or above the bound only; an explicit powerKw wins over energy / duration.
  const min: TariffElement[] = [{ priceComponents: [{ type: 'ENERGY', price: 1, stepSize: 1 }], restrictions: { minPower: 22 } }];
  assert.equal(run(min, [{ start, end: minutes(start, 60), energyWh: 22_000, charging: true }]).energy.exclVat, 22);
  assert.equal(run(min, [{ start, end: minutes(start, 60), energyWh: 22_000, charging: true, powerKw: 21.9 }]).energy.exclVat, 0);
});

test('max_duration splits one interval at the boundary (first 30 minutes free, then 0.25, then 0.40)', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0, stepSize: 1 }], restrictions: { maxDuration: 1800 } },
    { priceComponents: [{ type: 'ENERGY', price: 0.25, stepSize: 1 }], restrictions: { maxDuration: 3600 } },
    { priceComponents: [{ type: 'ENERGY', price: 0.4, stepSize: 1 }] },
  ];
  const start = at('12:00');
  // The spec's example: 5 kWh in the first 30 minutes, 1.2 kWh in the next 10: 0.30.
  const example = run(elements, [
    { start, end: minutes(start, 30), energyWh: 5000, charging: true },
    { start: minutes(start, 30), end: minutes(start, 40), energyWh: 1200, charging: true },
  ]);
  assert.equal(example.energy.exclVat, 0.3);
  // One 90-minute interval of 9 kWh: 3 kWh free, 3 kWh at 0.25, 3 kWh at 0.40.
  const split = run(elements, [{ start, end: minutes(start, 90), energyWh: 9000, charging: true }]);
  assert.equal(split.energy.exclVat, 0.75 + 1.2);
  assert.deepEqual(
    split.periods.map((p) => [p.elements.energy, p.dimensions.find((d) => d.type === 'ENERGY')?.volume]),
    [
      [0, 3],
      [1, 3],
      [2, 3],
    ],
  );
});

test('min_duration: an element becomes active only after the session has lasted long enough', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'PARKING_TIME', price: 6, stepSize: 60 }], restrictions: { minDuration: 7200 } },
  ];
  const start = at('12:00');
  const result = run(elements, [
    { start, end: minutes(start, 100), energyWh: 30_000, charging: true },
    { start: minutes(start, 100), end: minutes(start, 150), energyWh: 0, charging: false },
  ]);
  // Parking from 13:40 to 14:30, billed from 14:00: 30 minutes at 6/h.
  assert.equal(result.parkingTime.exclVat, 3);
});

test('min_kwh / max_kwh split one interval where the cumulative energy crosses the bound', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1 }], restrictions: { maxKwh: 10 } },
    { priceComponents: [{ type: 'ENERGY', price: 0.2, stepSize: 1 }], restrictions: { minKwh: 10 } },
  ];
  const start = at('12:00');
  const result = run(elements, [{ start, end: minutes(start, 60), energyWh: 15_000, charging: true }]);
  assert.equal(result.energy.exclVat, 4);
  assert.equal(result.periods[1]?.start.toISOString(), minutes(start, 40).toISOString());
});

test('day_of_week and a time window that wraps past midnight use the location time zone', () => {
  const weekend: TariffElement[] = [
    { priceComponents: [{ type: 'TIME', price: 1, stepSize: 1 }], restrictions: { dayOfWeek: ['SATURDAY', 'SUNDAY'] } },
    { priceComponents: [{ type: 'TIME', price: 2, stepSize: 1 }] },
  ];
  // Friday 23:30 to Saturday 00:30 local: 30 minutes at 2, 30 at 1.
  assert.equal(run(weekend, [{ start: at('23:30'), end: at('00:30', '2026-01-10'), energyWh: 5000, charging: true }]).time.exclVat, 1.5);

  const night: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0.1, stepSize: 1 }], restrictions: { startTime: '22:00', endTime: '06:00' } },
    { priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1 }] },
  ];
  // 21:00 to 07:00 local, 1 kWh per hour: 8 h at 0.10, 2 h at 0.30.
  const overnight = run(night, [{ start: at('21:00'), end: at('07:00', '2026-01-10'), energyWh: 10_000, charging: true }]);
  assert.equal(overnight.energy.exclVat, 0.8 + 0.6);
  assert.equal(overnight.periods.length, 3);
  // The same UTC instants seen from another zone fall in other windows.
  const utc = computeCost(tariff(night), { start: at('21:00'), intervals: [{ start: at('21:00'), end: at('07:00', '2026-01-10'), energyWh: 10_000, charging: true }], timeZone: 'UTC' });
  assert.equal(utc.energy.exclVat, 0.1 * 8 + 0.3 * 2);
  assert.equal(utc.periods[1]?.start.toISOString(), '2026-01-09T22:00:00.000Z');
  // "00:00" as end_time means until the end of the day.
  const evening: TariffElement[] = [{ priceComponents: [{ type: 'TIME', price: 1, stepSize: 1 }], restrictions: { startTime: '23:00', endTime: '00:00' } }];
  assert.equal(run(evening, [{ start: at('22:30'), end: at('00:30', '2026-01-10'), energyWh: 1, charging: true }]).time.exclVat, 1);
});

test('a night window across the spring DST change counts real hours (Amsterdam, 2026-03-29)', () => {
  const night: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0.1, stepSize: 1 }], restrictions: { startTime: '22:00', endTime: '06:00' } },
    { priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1 }] },
  ];
  // 21:00 CET (20:00Z) to 07:00 CEST (05:00Z): 9 real hours, 1 kWh each; the night window 22:00–06:00 is 7 of them.
  const start = new Date('2026-03-28T20:00:00Z');
  const result = run(night, [{ start, end: new Date('2026-03-29T05:00:00Z'), energyWh: 9000, charging: true }]);
  assert.equal(result.energy.exclVat, round(7 * 0.1 + 2 * 0.3));
  assert.deepEqual(
    result.periods.map((p) => p.start.toISOString()),
    ['2026-03-28T20:00:00.000Z', '2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z'],
  );
});

test('start_date inclusive, end_date exclusive, in local dates', () => {
  const promo: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 0, stepSize: 1 }], restrictions: { startDate: '2026-01-10', endDate: '2026-01-11' } },
    { priceComponents: [{ type: 'ENERGY', price: 0.5, stepSize: 1 }] },
  ];
  // 23:00 Jan 9 to 01:00 Jan 10 local (22:00Z to 00:00Z): the second hour is free.
  assert.equal(run(promo, [{ start: at('23:00'), end: at('01:00', '2026-01-10'), energyWh: 2000, charging: true }]).energy.exclVat, 0.5);
  // 23:00 Jan 10 to 01:00 Jan 11 local: the first hour is free.
  assert.equal(run(promo, [{ start: at('23:00', '2026-01-10'), end: at('01:00', '2026-01-11'), energyWh: 2000, charging: true }]).energy.exclVat, 0.5);
});

test('the first applicable element is chosen per dimension: several dimensions may come from different elements', () => {
  const elements: TariffElement[] = [
    {
      priceComponents: [
        { type: 'FLAT', price: 0.5, stepSize: 0 },
        { type: 'ENERGY', price: 0.1, stepSize: 1 },
      ],
      restrictions: { minPower: 50 },
    },
    { priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1 }] },
    { priceComponents: [{ type: 'TIME', price: 1, stepSize: 1 }] },
    { priceComponents: [{ type: 'TIME', price: 9, stepSize: 1 }] },
  ];
  const start = at('10:00');
  const slow = run(elements, [{ start, end: minutes(start, 60), energyWh: 11_000, charging: true }]);
  assert.deepEqual([slow.energy.exclVat, slow.time.exclVat, slow.flat.exclVat], [3.3, 1, 0]);
  assert.deepEqual(slow.periods[0]?.elements, { energy: 1, time: 2 });
  const fast = run(elements, [{ start, end: minutes(start, 60), energyWh: 60_000, charging: true }]);
  assert.deepEqual([fast.energy.exclVat, fast.time.exclVat, fast.flat.exclVat, fast.total.exclVat], [6, 1, 0.5, 7.5]);
});

test('a dimension with no applicable element is free; reservation elements never price a charging session', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'TIME', price: 5, stepSize: 1 }, { type: 'FLAT', price: 2, stepSize: 0 }], restrictions: { reservation: 'RESERVATION' } },
    { priceComponents: [{ type: 'ENERGY', price: 0.3, stepSize: 1 }], restrictions: { startTime: '20:00', endTime: '21:00' } },
  ];
  const result = run(elements, [{ start: at('10:00'), end: at('11:00'), energyWh: 10_000, charging: true }]);
  assert.deepEqual(result.total, { exclVat: 0, inclVat: 0 });
  assert.equal(result.totalEnergyKwh, 10);
});

test('VAT per component; a component without vat adds the same amount incl. and excl. VAT', () => {
  const elements: TariffElement[] = [
    {
      priceComponents: [
        { type: 'FLAT', price: 1, vat: 21, stepSize: 0 },
        { type: 'ENERGY', price: 0.25, vat: 21, stepSize: 1 },
        { type: 'TIME', price: 2, stepSize: 60 },
      ],
    },
  ];
  const result = run(elements, [{ start: at('10:00'), end: at('10:30'), energyWh: 10_000, charging: true }]);
  assert.deepEqual(result.flat, { exclVat: 1, inclVat: 1.21 });
  assert.deepEqual(result.energy, { exclVat: 2.5, inclVat: 3.025 });
  assert.deepEqual(result.time, { exclVat: 1, inclVat: 1 });
  assert.deepEqual(result.total, { exclVat: 4.5, inclVat: 5.235 });
  // 0 % VAT is a VAT rate like any other.
  const zero = run([{ priceComponents: [{ type: 'ENERGY', price: 1, vat: 0, stepSize: 1 }] }], [{ start: at('10:00'), end: at('10:30'), energyWh: 1000, charging: true }]);
  assert.deepEqual(zero.energy, { exclVat: 1, inclVat: 1 });
});

test('min_price and max_price clamp the total', () => {
  const elements: TariffElement[] = [{ priceComponents: [{ type: 'ENERGY', price: 0.5, vat: 10, stepSize: 1 }] }];
  const small = run(elements, [{ start: at('10:00'), end: at('10:05'), energyWh: 1000, charging: true }], { minPrice: { exclVat: 2, inclVat: 2.2 } });
  assert.deepEqual([small.total, small.minPriceApplied, small.energy.exclVat], [{ exclVat: 2, inclVat: 2.2 }, true, 0.5]);
  const large = run(elements, [{ start: at('10:00'), end: at('12:00'), energyWh: 100_000, charging: true }], { maxPrice: { exclVat: 20 } });
  assert.deepEqual([large.total, large.maxPriceApplied], [{ exclVat: 20, inclVat: 20 }, true]);
  const between = run(elements, [{ start: at('10:00'), end: at('11:00'), energyWh: 10_000, charging: true }], { minPrice: { exclVat: 2 }, maxPrice: { exclVat: 20 } });
  assert.deepEqual([between.total, between.minPriceApplied, between.maxPriceApplied], [{ exclVat: 5, inclVat: 5.5 }, false, false]);
});

test('current restrictions hold only when the current is known', () => {
  const elements: TariffElement[] = [
    { priceComponents: [{ type: 'ENERGY', price: 1, stepSize: 1 }], restrictions: { minCurrent: 16, maxCurrent: 32 } },
    { priceComponents: [{ type: 'ENERGY', price: 2, stepSize: 1 }] },
  ];
  const base = { start: at('10:00'), end: at('11:00'), energyWh: 1000, charging: true };
  assert.equal(run(elements, [base]).energy.exclVat, 2);
  assert.equal(run(elements, [{ ...base, currentA: 16 }]).energy.exclVat, 1);
  assert.equal(run(elements, [{ ...base, currentA: 32 }]).energy.exclVat, 2);
});

test('bad facts are refused', () => {
  const elements: TariffElement[] = [{ priceComponents: [{ type: 'ENERGY', price: 1, stepSize: 1 }] }];
  assert.throws(() => run(elements, [{ start: at('11:00'), end: at('10:00'), energyWh: 1, charging: true }]), RangeError);
  assert.throws(() => run(elements, [{ start: at('10:00'), end: at('11:00'), energyWh: -1, charging: true }]), RangeError);
  assert.throws(() => computeCost(tariff([{ priceComponents: [{ type: 'TIME', price: 1, stepSize: 1 }], restrictions: { dayOfWeek: ['MONDAY'] } }]), { start: at('10:00'), intervals: [{ start: at('10:00'), end: at('11:00'), energyWh: 1, charging: true }], timeZone: 'Mars/Base' }), RangeError);
});

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
