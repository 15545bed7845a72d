/** The simulation's single-timer scheduler, on a manual clock: order, repetition, and no timer once nothing is live. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../station/testing/manual-clock.ts';
import { Scheduler } from './scheduler.ts';

describe('Scheduler', () => {
  it('runs entries in time order (ties in the order they were made) with one real timer', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler(clock);
    const ran: string[] = [];
    scheduler.after(30, () => ran.push('c'));
    scheduler.after(10, () => ran.push('a'));
    scheduler.after(10, () => ran.push('b'));
    assert.equal(clock.pending().length, 1);
    clock.advance(30);
    assert.deepEqual(ran, ['a', 'b', 'c']);
    assert.equal(clock.pending().length, 0);
  });

  it('every() repeats until cancelled', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler(clock);
    let ticks = 0;
    const task = scheduler.every(100, () => (ticks += 1));
    clock.advance(350);
    assert.equal(ticks, 3);
    task.cancel();
    clock.advance(1000);
    assert.equal(ticks, 3);
  });

  it('keeps no timer once every task is cancelled, so a cancelled heartbeat never holds the process', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler(clock);
    const heartbeat = scheduler.every(300_000, () => assert.fail('cancelled'));
    const soon = scheduler.after(10, () => assert.fail('cancelled'));
    soon.cancel();
    assert.equal(clock.pending().length, 1, 'the heartbeat is still live');
    heartbeat.cancel();
    assert.equal(clock.pending().length, 0);
    assert.equal(scheduler.size, 0);
    // Still usable afterwards.
    let ran = false;
    scheduler.after(5, () => (ran = true));
    clock.advance(5);
    assert.equal(ran, true);
  });

  it('a cancelled earliest entry does not keep the timer armed for it after the others ran', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler(clock);
    const ran: number[] = [];
    scheduler.after(10, () => ran.push(10));
    const late = scheduler.after(1000, () => ran.push(1000));
    clock.advance(10);
    late.cancel();
    assert.deepEqual(ran, [10]);
    assert.equal(clock.pending().length, 0);
  });

  it('stop() drops everything; later entries are ignored', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler(clock);
    scheduler.after(10, () => assert.fail('stopped'));
    scheduler.stop();
    scheduler.after(10, () => assert.fail('stopped'));
    clock.advance(100);
    assert.equal(clock.pending().length, 0);
  });
});
