/**
 * The station client's outgoing FIFO: calls wait here while the client is offline or while another CALL is
 * outstanding (Part 4 §4.1.1 allows one at a time). Bounded, and each call's timeout runs from the moment it
 * was made, so the time spent waiting here counts (ocpp-j-rules: "a timeout that also applies while a call is
 * queued").
 */
import { CallTimeoutError, QueueFullError } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/types.ts';
import type { Clock, TimerHandle } from './clock.ts';

export interface QueuedCall {
  action: string;
  payload: JsonObject;
  /** The caller's timeout, measured from `enqueuedAt`. */
  timeoutMs: number;
  enqueuedAt: number;
  timer: TimerHandle;
  resolve: (response: JsonObject) => void;
  reject: (error: Error) => void;
}

export class CallQueue {
  private readonly items: QueuedCall[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly identity: string,
    /** Calls allowed to wait; the newest is rejected beyond it. */
    readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`maxOfflineQueue must be an integer ≥ 0, got ${limit}`);
  }

  get length(): number {
    return this.items.length;
  }

  /** Queues a call; the promise settles when the client sends it and the answer comes, or on timeout/close. */
  push(action: string, payload: JsonObject, timeoutMs: number): Promise<JsonObject> {
    if (this.items.length >= this.limit) return Promise.reject(new QueueFullError(this.identity, this.limit));
    return new Promise<JsonObject>((resolve, reject) => {
      const item: QueuedCall = { action, payload, timeoutMs, enqueuedAt: this.clock.now(), timer: undefined, resolve, reject };
      item.timer = this.clock.setTimeout(() => this.expire(item), timeoutMs);
      this.items.push(item);
    });
  }

  /** Takes the oldest call out for sending; its queue timer is stopped (the endpoint times the rest). */
  shift(): QueuedCall | undefined {
    const item = this.items.shift();
    if (item) this.clock.clearTimeout(item.timer);
    return item;
  }

  /** Milliseconds left of `item`'s timeout now. */
  remainingMs(item: QueuedCall): number {
    return item.timeoutMs - (this.clock.now() - item.enqueuedAt);
  }

  /** Rejects every waiting call (client closed). */
  failAll(error: Error): void {
    const items = this.items.splice(0);
    for (const item of items) {
      this.clock.clearTimeout(item.timer);
      item.reject(error);
    }
  }

  private expire(item: QueuedCall): void {
    const index = this.items.indexOf(item);
    if (index < 0) return;
    this.items.splice(index, 1);
    item.reject(new CallTimeoutError(item.action, item.timeoutMs));
  }
}
