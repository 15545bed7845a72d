/**
 * WebSocket ping/pong keepalive (Part 4 §5.2: ping keeps NATs and carrier networks from dropping an idle
 * connection and tells a dead station from an idle one; it does not replace the daily Heartbeat for time sync).
 *
 * One timer wheel serves every connection: a single interval advances a cursor over `slots`, and each
 * connection sits in the slot of its next due time. That costs one small handle per connection instead of one
 * or two Node timers each, and a tick touches only the connections due in it.
 *
 * Per connection: `pingIntervalMs` after it was tracked (or after its last pong) it is pinged; if no pong arrives
 * within `pongTimeoutMs` it is terminated. When the event loop lags, ticks come late, so pings and timeouts come
 * late too, never early: a busy server never terminates a station because of its own delay.
 */

/** What the wheel needs from a connection. */
export interface KeepaliveTarget {
  ping(): void;
  /** Called once when the pong did not come in time; the handle is already untracked. */
  onPongTimeout(): void;
}

export interface KeepaliveOptions {
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** Tick length; default 1/10 of the shorter period, between 10 ms and 1 s. */
  resolutionMs?: number;
}

const IDLE = 0;
const AWAITING_PONG = 1;

/** Wheel bookkeeping of one connection; owned by the wheel, held by the connection. */
export class KeepaliveHandle {
  /** Slot index, or -1 when untracked. */
  slot = -1;
  state: typeof IDLE | typeof AWAITING_PONG = IDLE;
  constructor(readonly target: KeepaliveTarget) {}
}

export class KeepaliveWheel {
  private readonly pingTicks: number;
  private readonly pongTicks: number;
  readonly resolutionMs: number;
  private readonly slots: Set<KeepaliveHandle>[];
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private tracked = 0;

  constructor(options: KeepaliveOptions) {
    if (!(options.pingIntervalMs > 0) || !(options.pongTimeoutMs > 0)) throw new RangeError('keepalive periods must be > 0');
    const shorter = Math.min(options.pingIntervalMs, options.pongTimeoutMs);
    this.resolutionMs = options.resolutionMs ?? Math.min(1000, Math.max(10, Math.floor(shorter / 10)));
    // +1: the current tick is partly over, so a delay of n ticks alone could come up to one tick early.
    this.pingTicks = Math.ceil(options.pingIntervalMs / this.resolutionMs) + 1;
    this.pongTicks = Math.ceil(options.pongTimeoutMs / this.resolutionMs) + 1;
    // One more slot than the longest delay, so a rescheduled handle never lands in the slot being processed.
    const size = Math.max(this.pingTicks, this.pongTicks) + 1;
    this.slots = Array.from({ length: size }, () => new Set<KeepaliveHandle>());
  }

  /** Connections currently tracked. */
  get size(): number {
    return this.tracked;
  }

  /** Starts watching `target`; the first ping goes out one interval from now. */
  track(target: KeepaliveTarget): KeepaliveHandle {
    const handle = new KeepaliveHandle(target);
    this.tracked += 1;
    this.schedule(handle, this.pingTicks);
    this.start();
    return handle;
  }

  /** A pong arrived: the connection is alive; the next ping is one interval from now. */
  pong(handle: KeepaliveHandle): void {
    if (handle.slot < 0 || handle.state !== AWAITING_PONG) return; // unsolicited pong (RFC 6455 §5.5.3)
    handle.state = IDLE;
    this.slots[handle.slot]?.delete(handle);
    this.schedule(handle, this.pingTicks);
  }

  untrack(handle: KeepaliveHandle): void {
    if (handle.slot < 0) return;
    this.slots[handle.slot]?.delete(handle);
    handle.slot = -1;
    this.tracked -= 1;
    if (this.tracked === 0) this.stop();
  }

  /** Stops the timer (tracked handles stay put and resume when something is tracked again). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Advances the wheel by one slot; public so tests can drive it without waiting. */
  tick(): void {
    this.cursor = (this.cursor + 1) % this.slots.length;
    const due = this.slots[this.cursor] as Set<KeepaliveHandle>;
    if (due.size === 0) return;
    // Deleting the entry being visited is safe in a Set iteration; rescheduled handles land in other slots.
    for (const handle of due) {
      due.delete(handle);
      if (handle.state === IDLE) {
        handle.state = AWAITING_PONG;
        this.schedule(handle, this.pongTicks);
        this.safely(handle, 'ping');
      } else {
        handle.slot = -1;
        this.tracked -= 1;
        this.safely(handle, 'timeout');
      }
    }
    if (this.tracked === 0) this.stop();
  }

  private safely(handle: KeepaliveHandle, what: 'ping' | 'timeout'): void {
    try {
      if (what === 'ping') handle.target.ping();
      else handle.target.onPongTimeout();
    } catch {
      // A socket that fails to ping is closing anyway; its close handler untracks it.
    }
  }

  private schedule(handle: KeepaliveHandle, ticks: number): void {
    handle.slot = (this.cursor + ticks) % this.slots.length;
    (this.slots[handle.slot] as Set<KeepaliveHandle>).add(handle);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.resolutionMs);
    this.timer.unref();
  }
}
