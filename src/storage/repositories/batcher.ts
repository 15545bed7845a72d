/**
 * Group commit for durable writes. Calls that arrive while earlier batches are being written wait and go
 * together in the next statement, so the per-statement cost (round trip, commit, WAL flush) is shared. A batch
 * starts only after the current turn of the event loop has read every socket that was ready (setImmediate), so
 * the calls those messages make share it: without that wait, an idle writer would take each call alone as it
 * arrives, and with PGlite, which runs a statement synchronously inside our process, every batch held one call. Each
 * caller's promise settles only after the batch holding its item has committed: durability is unchanged.
 *
 * Items with the same key never share a batch or run concurrently (the SQL updates one row per key, and a row
 * can be updated only once per statement). A failed batch is retried item by item, so one bad item fails alone.
 */

export interface BatcherOptions {
  /** Most items per batch. */
  maxBatch: number;
  /** Batches written at the same time (1 for PGlite's single session). */
  concurrency: number;
  /**
   * A batch beside one already being written starts only when at least this many items wait (default 1). A
   * smaller one would pay a statement's fixed cost for a few items; they join the next batch instead, which
   * starts at the latest when the running one ends.
   */
  minConcurrentBatch?: number;
  /** Times an item may come back without a result before it fails (see BatchRunner). */
  maxAttempts?: number;
}

/** Writes a batch; returns one result per item, or undefined for an item to retry in a later batch. */
export type BatchRunner<I, O> = (items: I[]) => Promise<Array<O | undefined>>;

interface Entry<I, O> {
  item: I;
  key: string;
  attempts: number;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class KeyedBatcher<I, O> {
  #queue: Array<Entry<I, O>> = [];
  /** The batches being written. */
  readonly #running = new Set<Array<Entry<I, O>>>();
  #scheduled = false;

  constructor(
    private readonly run: BatchRunner<I, O>,
    private readonly keyOf: (item: I) => string,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, key: this.keyOf(item), attempts: 0, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running.size < this.options.concurrency) {
      if (this.#running.size > 0 && this.#queue.length < (this.options.minConcurrentBatch ?? 1)) return;
      const batch = this.#take();
      if (batch.length === 0) return;
      this.#running.add(batch);
      void this.#write(batch).finally(() => {
        this.#running.delete(batch);
        this.#schedule();
      });
    }
  }

  /**
   * The oldest waiting items whose keys are free, in arrival order. The keys taken are gathered in a set made for
   * this call, not kept in a long-lived one: that one's table, reallocated as keys came and went, outlived young
   * collections and was promoted to the old generation (~80 bytes per item at 5,000/s).
   */
  #take(): Array<Entry<I, O>> {
    const taken = new Set<string>();
    for (const running of this.#running) for (const entry of running) taken.add(entry.key);
    const batch: Array<Entry<I, O>> = [];
    const rest: Array<Entry<I, O>> = [];
    for (const entry of this.#queue) {
      if (batch.length < this.options.maxBatch && !taken.has(entry.key)) {
        taken.add(entry.key);
        batch.push(entry);
      } else rest.push(entry);
    }
    this.#queue = rest;
    return batch;
  }

  async #write(batch: Array<Entry<I, O>>): Promise<void> {
    let results: Array<O | undefined>;
    try {
      results = await this.run(batch.map((e) => e.item));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const entry of batch) await this.#write([entry]);
      return;
    }
    batch.forEach((entry, i) => {
      const result = results[i];
      if (result !== undefined) return entry.resolve(result);
      if (++entry.attempts >= (this.options.maxAttempts ?? 3)) return entry.reject(new Error('write could not be applied (concurrent conflict)'));
      this.#queue.unshift(entry);
    });
  }
}
