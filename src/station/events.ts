/**
 * Typed listener sets. Unlike EventEmitter, an 'error' with no listener does not throw: a station client must
 * keep reconnecting whether or not anybody listens, and a throwing listener never breaks the client.
 */
import type { Logger } from '../shared/logger.ts';

/** Event name → argument tuple. */
export type EventArgs<E> = { [K in keyof E]: unknown[] };
export type Listener<A extends unknown[]> = (...args: A) => void;

export class Listeners<E extends EventArgs<E>> {
  private readonly sets = new Map<keyof E, Set<unknown>>();

  constructor(private readonly log: Logger) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.sets.get(event);
    if (!set) this.sets.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.sets.get(event)?.delete(listener);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.sets.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(...args);
      } catch (error) {
        this.log.error({ err: error, event: String(event) }, 'station client listener failed');
      }
    }
  }

  clear(): void {
    this.sets.clear();
  }
}
