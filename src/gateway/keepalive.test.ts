import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeepaliveTarget } from './keepalive.ts';
import { KeepaliveWheel } from './keepalive.ts';

class Target implements KeepaliveTarget {
  pings = 0;
  timedOut = false;
  ping(): void {
    this.pings += 1;
  }
  onPongTimeout(): void {
    this.timedOut = true;
  }
}

function ticks(wheel: KeepaliveWheel, n: number): void {
  for (let i = 0; i < n; i++) wheel.tick();
}

describe('KeepaliveWheel', () => {
  it('pings after the interval, never before, and terminates without pong after the timeout', () => {
    const wheel = new KeepaliveWheel({ pingIntervalMs: 100, pongTimeoutMs: 50, resolutionMs: 10 });
    const target = new Target();
    wheel.track(target);
    ticks(wheel, 10); // 100 ms of ticks, but the first tick was partly over: not yet due
    assert.equal(target.pings, 0);
    ticks(wheel, 1);
    assert.equal(target.pings, 1);
    ticks(wheel, 5);
    assert.equal(target.timedOut, false);
    ticks(wheel, 1);
    assert.equal(target.timedOut, true);
    assert.equal(wheel.size, 0);
    wheel.stop();
  });

  it('keeps a connection that answers, and ignores unsolicited pongs', () => {
    const wheel = new KeepaliveWheel({ pingIntervalMs: 30, pongTimeoutMs: 30, resolutionMs: 10 });
    const target = new Target();
    const handle = wheel.track(target);
    wheel.pong(handle); // unsolicited: does not move the schedule
    for (let round = 1; round <= 5; round++) {
      ticks(wheel, 4);
      assert.equal(target.pings, round);
      wheel.pong(handle);
    }
    assert.equal(target.timedOut, false);
    wheel.untrack(handle);
    ticks(wheel, 20);
    assert.equal(target.pings, 5);
    assert.equal(wheel.size, 0);
  });

  it('serves many connections from one wheel', () => {
    const wheel = new KeepaliveWheel({ pingIntervalMs: 1000, pongTimeoutMs: 500, resolutionMs: 100 });
    const targets = Array.from({ length: 1000 }, () => new Target());
    const handles = targets.map((t) => wheel.track(t));
    ticks(wheel, 11);
    assert.ok(targets.every((t) => t.pings === 1));
    handles.slice(0, 500).forEach((h) => wheel.pong(h));
    ticks(wheel, 6);
    assert.equal(targets.filter((t) => t.timedOut).length, 500);
    assert.equal(wheel.size, 500);
    wheel.stop();
  });
});
