/**
 * A Clock for tests: records every timer request and runs timers only when the test advances time, so the
 * reconnect back-off (Part 4 §5.3) can be asserted exactly without waiting.
 */
import type { Clock, TimerHandle } from '../clock.ts';

export interface ManualTimer {
  id: number;
  /** The delay that was requested. */
  ms: number;
  due: number;
  callback: () => void;
  state: 'pending' | 'fired' | 'cleared';
}

export class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  /** Every timer ever requested, in request order. */
  readonly timers: ManualTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: this.nextId++, ms, due: this.time + ms, callback, state: 'pending' };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.find((t) => t.id === handle);
    if (timer && timer.state === 'pending') timer.state = 'cleared';
  }

  pending(): ManualTimer[] {
    return this.timers.filter((t) => t.state === 'pending');
  }

  /** Moves time forward by `ms`, running each timer that falls due, in due order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.pending()
        .filter((t) => t.due <= end)
        .sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.time = next.due;
      next.state = 'fired';
      next.callback();
    }
    this.time = end;
  }

  /** Runs the earliest pending timer, moving time to its due time; returns it. */
  runNext(): ManualTimer {
    const next = this.pending().sort((a, b) => a.due - b.due || a.id - b.id)[0];
    if (!next) throw new Error('no pending timer');
    this.advance(next.due - this.time);
    return next;
  }
}
