import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { isDateTime } from './formats.ts';

// The reference: ajv-formats in 'full' mode, as the validator used before.
const reference = new Ajv();
formats.default(reference, { mode: 'full', formats: ['date-time'] });
const full = reference.compile({ type: 'string', format: 'date-time' });

describe('isDateTime', () => {
  it('accepts RFC 3339 date-times with an offset', () => {
    for (const s of ['2025-01-01T00:00:00Z', '2025-01-01t00:00:00z', '2025-06-30T23:59:59.123456+02:00', '2024-02-29T12:00:00-05:00', '2000-02-29 12:00:00Z', '2025-01-31T00:00:00+0100', '2025-01-31T00:00:00+01']) {
      assert.equal(isDateTime(s), true, s);
    }
  });

  it('refuses missing offsets, impossible dates and wrong shapes', () => {
    for (const s of ['2025-01-01T00:00:00', '2025-01-01', '2025-13-01T00:00:00Z', '2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2025-04-31T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T24:59:00+01:00', '2025-01-01T00:00:00+24:00', '25-01-01T00:00:00Z', '2025-01-01T00:00Z', ' 2025-01-01T00:00:00Z']) {
      assert.equal(isDateTime(s), false, s);
    }
  });

  it('agrees with ajv-formats full mode (except second 60 and hour 24)', () => {
    const two = (max: number): fc.Arbitrary<string> => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const candidate = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(19),
        two(39),
        fc.constantFrom('T', 't', ' ', '\t', 'x', ''),
        // Not 24: ajv's leap-second branch accepts e.g. 24:59:00+01:00 (23:59 UTC) whatever the second; we refuse it.
        two(29).filter((h) => h !== '24'),
        two(69),
        two(69).filter((sec) => sec !== '60'),
        fc.constantFrom('', '.5', '.123456789', '.'),
        fc.constantFrom('Z', 'z', '', '+01:00', '-23:59', '+24:00', '+0100', '+01', '+01:60', '-00:00', 'Z '),
      )
      .map(([y, mo, d, sep, h, mi, s, frac, tz]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${tz}`);
    fc.assert(
      fc.property(candidate, (s) => {
        assert.equal(isDateTime(s), full(s), s);
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts every instant that Date.toISOString prints', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) =>
        isDateTime(d.toISOString()),
      ),
    );
  });
});
