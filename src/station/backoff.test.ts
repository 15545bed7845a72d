import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackoffSchedule, DEFAULT_BACKOFF, backoffDelays } from './backoff.ts';

/** A random source that replays `values` in a loop. */
function replay(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] as number;
}

describe('reconnect back-off (Part 4 §5.3)', () => {
  test('defaults are 10 s / 15 s / 5', () => {
    assert.deepEqual({ ...DEFAULT_BACKOFF }, { waitMinimumS: 10, randomRangeS: 15, repeatTimes: 5 });
  });

  const table: Array<{ name: string; config: Partial<typeof DEFAULT_BACKOFF>; random: () => number; delays: number[] }> = [
    {
      name: 'defaults, no random part: doubles 5 times then stays constant',
      config: {},
      random: () => 0,
      delays: [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 320_000, 320_000],
    },
    {
      name: 'defaults, random at its maximum: the random part is doubled with the wait and added anew',
      config: {},
      random: () => 0.999999999,
      // 25 s, then 2·prev + 15 s
      delays: [25_000, 65_000, 145_000, 305_000, 625_000, 1_265_000, 1_265_000],
    },
    {
      name: 'half range: random = floor(0.5 · 15 001) ms',
      config: { waitMinimumS: 10, randomRangeS: 15, repeatTimes: 3 },
      random: () => 0.5,
      delays: [17_500, 42_500, 92_500, 192_500, 192_500, 192_500],
    },
    {
      name: 'a new random value for every attempt',
      config: { waitMinimumS: 1, randomRangeS: 1, repeatTimes: 2 },
      random: replay(0, 0.5, 0.25, 0.75),
      // 1000+0, 2000+500, 5000+250, then constant (no new random part once the doubling stopped)
      delays: [1_000, 2_500, 5_250, 5_250, 5_250],
    },
    {
      name: 'RetryBackOffRepeatTimes 0: the first wait forever',
      config: { waitMinimumS: 3, randomRangeS: 0, repeatTimes: 0 },
      random: () => 0.7,
      delays: [3_000, 3_000, 3_000],
    },
    {
      name: 'zero minimum and zero range: immediate retries',
      config: { waitMinimumS: 0, randomRangeS: 0, repeatTimes: 5 },
      random: () => 0.9,
      delays: [0, 0, 0],
    },
  ];

  for (const row of table) {
    test(row.name, () => {
      assert.deepEqual(backoffDelays(row.config, row.delays.length, row.random), row.delays);
    });
  }

  test('reset() after a successful connection starts again from the first wait', () => {
    const schedule = new BackoffSchedule({ waitMinimumS: 1, randomRangeS: 0, repeatTimes: 5 }, () => 0);
    assert.deepEqual([schedule.next(), schedule.next(), schedule.next()], [1_000, 2_000, 4_000]);
    assert.equal(schedule.attempt, 3);
    schedule.reset();
    assert.equal(schedule.attempt, 0);
    assert.equal(schedule.next(), 1_000);
  });

  test('configure() at run time (the CSMS sets RetryBackOff*) applies from the next wait', () => {
    const schedule = new BackoffSchedule({ waitMinimumS: 1, randomRangeS: 0, repeatTimes: 5 }, () => 0);
    assert.equal(schedule.next(), 1_000);
    schedule.configure({ repeatTimes: 1 });
    assert.equal(schedule.next(), 2_000);
    assert.equal(schedule.next(), 2_000, 'the lowered repeat count stops the doubling');
    schedule.configure({ waitMinimumS: 7 });
    schedule.reset();
    assert.equal(schedule.next(), 7_000);
    assert.deepEqual(schedule.settings, { waitMinimumS: 7, randomRangeS: 0, repeatTimes: 1 });
  });

  test('invalid values are refused and leave the schedule unchanged', () => {
    const schedule = new BackoffSchedule({ waitMinimumS: 1, randomRangeS: 0, repeatTimes: 1 }, () => 0);
    assert.throws(() => schedule.configure({ waitMinimumS: -1 }), RangeError);
    assert.throws(() => schedule.configure({ randomRangeS: Number.NaN }), RangeError);
    assert.throws(() => schedule.configure({ repeatTimes: 1.5 }), RangeError);
    assert.throws(() => new BackoffSchedule({ repeatTimes: -1 }), RangeError);
    assert.equal(schedule.next(), 1_000);
  });

  test('the random part never exceeds RetryBackOffRandomRange', () => {
    for (const r of [0, 0.1, 0.5, 0.9999, 0.99999999999]) {
      const [first] = backoffDelays({ waitMinimumS: 0, randomRangeS: 2, repeatTimes: 0 }, 1, () => r);
      assert.ok(first !== undefined && first >= 0 && first <= 2_000, `r=${r} gave ${first}`);
    }
  });
});
