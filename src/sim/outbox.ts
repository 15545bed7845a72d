/**
 * The simulated station's outbox: every CALL after the boot goes through it, one at a time and in the order it
 * was made, so a CSMS sees StopTransaction before the Available that follows it, as from a real station.
 *
 * Transaction messages (2.x TransactionEvent; 1.6 StartTransaction, StopTransaction, transaction MeterValues) are
 * *stored*: kept while offline and across reboots, and sent after the station is back online. A stored message
 * whose CALL was on the wire when the connection dropped stays first in line and goes out again unchanged (same
 * seqNo and timestamp: the CSMS deduplicates, E §1.3.1); a timeout is retried up to `maxAttempts` times
 * (MessageAttemptsTransactionEvent); a CALLERROR drops it (the CSMS refused it for good).
 * Other messages (status, heartbeat, authorize) are not stored: offline they are dropped, as their content would
 * be stale by the time the station is back (statuses are re-sent from the current state instead).
 *
 * This sits above the station client's own queue on purpose: that queue's timeout runs while a call waits (an
 * outage longer than the call timeout would lose messages), and a reboot's close() empties it.
 */
import { CallTimeoutError, OfflineError } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/types.ts';

export interface OutMessage {
  action: string;
  /** A function is evaluated at sending time (1.6 needs the transactionId StartTransaction returned); undefined skips it. */
  payload: JsonObject | (() => JsonObject | undefined);
  /** A transaction message: kept offline, resent after a connection loss. */
  stored: boolean;
  /** Stored periodic meter values may be dropped when the store is full; starts and stops never are. */
  droppable?: boolean;
  onAnswer?: (response: JsonObject) => void;
  /** Not sent, or given up (offline, CALLERROR, attempts used up, store full). */
  onFailed?: () => void;
}

interface Item extends OutMessage {
  attempts: number;
}

export interface OutboxTransport {
  /** Connected and Accepted. */
  ready(): boolean;
  call(action: string, payload: JsonObject): Promise<JsonObject>;
  /** A stored message was given up. */
  dropped(message: OutMessage, reason: string): void;
}

export class Outbox {
  private items: Item[] = [];
  private stored = 0;
  private sending = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly transport: OutboxTransport,
    private readonly limit: number,
    private readonly maxAttempts: () => number,
  ) {}

  /** Messages waiting (the one on the wire included). */
  get length(): number {
    return this.items.length;
  }

  /** Stored transaction messages waiting. */
  get storedCount(): number {
    return this.stored;
  }

  push(message: OutMessage): void {
    if (!message.stored && !this.transport.ready()) {
      message.onFailed?.();
      return;
    }
    if (message.stored && message.droppable && this.stored >= this.limit) {
      this.transport.dropped(message, 'store full');
      message.onFailed?.();
      return;
    }
    if (message.stored) this.stored += 1;
    this.items.push({ ...message, attempts: 0 });
    this.pump();
  }

  /** A CALL that is not stored: the answer, or undefined when it was not sent or failed. */
  send(action: string, payload: JsonObject): Promise<JsonObject | undefined> {
    return new Promise((resolve) => this.push({ action, payload, stored: false, onAnswer: resolve, onFailed: () => resolve(undefined) }));
  }

  /** The connection is gone: unstored messages waiting are dropped (the one on the wire fails by itself). */
  dropUnstored(): void {
    const keep: Item[] = [];
    for (const [index, item] of this.items.entries()) {
      if (item.stored || (index === 0 && this.sending)) keep.push(item);
      else item.onFailed?.();
    }
    this.items = keep;
  }

  /** Sends the next message when possible; call again when the station comes online. */
  pump(): void {
    if (this.sending || !this.transport.ready()) return;
    const item = this.items[0];
    if (!item) {
      this.notifyIdle();
      return;
    }
    const payload = typeof item.payload === 'function' ? item.payload() : item.payload;
    if (payload === undefined) {
      this.finish(item);
      item.onFailed?.();
      this.pump();
      return;
    }
    this.sending = true;
    item.attempts += 1;
    this.transport.call(item.action, payload).then(
      (response) => {
        this.sending = false;
        this.finish(item);
        item.onAnswer?.(response);
        this.pump();
      },
      (error: unknown) => {
        this.sending = false;
        if (item.stored && error instanceof OfflineError) return; // stays first; pump() again once online
        if (item.stored && error instanceof CallTimeoutError && item.attempts < this.maxAttempts()) {
          this.pump();
          return;
        }
        this.finish(item);
        if (item.stored) this.transport.dropped(item, error instanceof Error ? error.message : String(error));
        item.onFailed?.();
        this.pump();
      },
    );
  }

  /** Resolves when nothing is waiting any more. */
  idle(): Promise<void> {
    if (this.items.length === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private finish(item: Item): void {
    if (this.items[0] === item) this.items.shift();
    if (item.stored) this.stored -= 1;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
