import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureDelay } from './rate-limit.ts';

describe('FailureDelay', () => {
  it('doubles the delay per failure up to the cap', () => {
    let now = 0;
    const limiter = new FailureDelay({ baseDelayMs: 100, maxDelayMs: 1000, now: () => now });
    assert.equal(limiter.delayFor('a'), 0);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => limiter.recordFailure('a')), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(limiter.delayFor('b'), 0, 'other keys are not affected');
    now += 1; // keep the clock moving a little: decay is continuous
    assert.ok(limiter.delayFor('a') === 1000);
  });

  it('decays with the half-life and forgets idle keys', () => {
    let now = 0;
    const limiter = new FailureDelay({ baseDelayMs: 100, halfLifeMs: 1000, now: () => now });
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    assert.equal(limiter.score('a'), 2);
    now = 1000;
    assert.equal(limiter.score('a'), 1);
    assert.equal(limiter.delayFor('a'), 100);
    now = 20_000;
    assert.equal(limiter.score('a'), 0);
    assert.equal(limiter.size, 0);
  });

  it('bounds its memory by evicting the least recently failing key', () => {
    const limiter = new FailureDelay({ maxEntries: 3, now: () => 0 });
    for (const key of ['a', 'b', 'c']) limiter.recordFailure(key);
    limiter.recordFailure('a'); // a is now the most recent
    limiter.recordFailure('d'); // evicts b
    assert.equal(limiter.size, 3);
    assert.equal(limiter.score('b'), 0);
    assert.equal(limiter.score('a'), 2);
  });
});
