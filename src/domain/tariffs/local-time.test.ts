/** The cached local-time conversion agrees with Intl: through a year, and minute by minute around each offset change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localTime, localTimeIntl, type LocalTime } from './local-time.ts';

const HOUR = 3_600_000;

/** Local minus UTC, in minutes, as the fast function sees it. */
function offsetMinutes(t: number, local: LocalTime): number {
  const [y, m, d] = local.date.split('-').map(Number) as [number, number, number];
  return Math.round((Date.UTC(y, m - 1, d) + local.minuteOfDay * 60_000 - Math.floor(t / 60_000) * 60_000) / 60_000);
}

test('localTime equals Intl in zones with DST, half-hour DST and 45-minute offsets, across every offset change of 2026', () => {
  const zones = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];
  let changes = 0;
  for (const zone of zones) {
    let previous: number | undefined;
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += HOUR) {
      const fast = localTime(new Date(t), zone);
      if (t % (6 * HOUR) === 0) assert.deepEqual(fast, localTimeIntl(new Date(t), zone), `${zone} ${new Date(t).toISOString()}`);
      const offset = offsetMinutes(t, fast);
      if (previous !== undefined && offset !== previous) {
        changes++;
        // Minute by minute over the two hours around the change.
        for (let m = t - 2 * HOUR; m < t + HOUR; m += 60_000) {
          assert.deepEqual(localTime(new Date(m), zone), localTimeIntl(new Date(m), zone), `${zone} ${new Date(m).toISOString()}`);
        }
      }
      previous = offset;
    }
  }
  // Amsterdam, New York, Lord Howe and Chatham change twice a year; Kathmandu and UTC never.
  assert.equal(changes, 8);
});
