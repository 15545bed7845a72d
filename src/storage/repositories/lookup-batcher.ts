/**
 * Coalesced point reads. The keys asked for during one turn of the event loop are read together, by one query,
 * when the turn ends (setImmediate, as the write batcher does). Under load the hot path looks something up for
 * many messages of the same turn (the id token of every Started transaction event, say): one statement for all
 * of them instead of one each saves a round trip, a parse of the statement's parameters and a wakeup of the
 * database process per message. A caller gets the row as committed when the query runs, which is after its call.
 */

/** Reads the rows of the given keys; returns them by `idOf(key)`, leaving out keys that have none. */
export type LookupLoader<K, V> = (keys: K[]) => Promise<Map<string, V>>;

interface Waiting<K, V> {
  key: K;
  callers: Array<{ resolve(value: V | undefined): void; reject(error: unknown): void }>;
}

export class LookupBatcher<K, V> {
  #waiting = new Map<string, Waiting<K, V>>();
  #scheduled = false;

  constructor(
    private readonly load: LookupLoader<K, V>,
    /** The key's identity: keys with the same id are read once. */
    private readonly idOf: (key: K) => string,
    /** Most keys per query. */
    private readonly maxBatch = 500,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const id = this.idOf(key);
      let waiting = this.#waiting.get(id);
      if (!waiting) this.#waiting.set(id, (waiting = { key, callers: [] }));
      waiting.callers.push({ resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#readWaiting();
      });
    });
  }

  #readWaiting(): void {
    const all = [...this.#waiting];
    this.#waiting = new Map();
    for (let start = 0; start < all.length; start += this.maxBatch) void this.#read(all.slice(start, start + this.maxBatch));
  }

  async #read(batch: Array<[string, Waiting<K, V>]>): Promise<void> {
    try {
      const found = await this.load(batch.map(([, waiting]) => waiting.key));
      for (const [id, waiting] of batch) for (const caller of waiting.callers) caller.resolve(found.get(id));
    } catch (error) {
      for (const [, waiting] of batch) for (const caller of waiting.callers) caller.reject(error);
    }
  }
}
