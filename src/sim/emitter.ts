/** A tiny typed event emitter; created lazily so stations nobody listens to carry no listener tables. */

export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private sets: Map<keyof E, Set<unknown>> | undefined;

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    this.sets ??= new Map();
    let set = this.sets.get(event);
    if (!set) this.sets.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.sets?.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(...args);
      } catch {
        // A listener's failure must not break the simulated station.
      }
    }
  }

  clear(): void {
    this.sets = undefined;
  }
}
