/**
 * One timer for the whole simulation. Heartbeats, meter samples, session ends and script waits of every simulated
 * station are entries in a binary heap; only the earliest one holds a real timer. 50,000 stations therefore cost
 * 50,000 small heap entries, not 50,000 Node timers, and a test can drive everything with a manual clock.
 */
import type { Clock, TimerHandle } from '../station/index.ts';

export interface Task {
  /** Stops the task if it has not run yet; harmless afterwards. */
  cancel(): void;
}

interface Entry extends Task {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

/** Entries run per timer callback before the scheduler yields to I/O, so a burst cannot starve the sockets. */
const BATCH = 2000;

export class Scheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;
  /** Entries neither run nor cancelled; at 0 the timer goes, so cancelled tasks never keep the process alive. */
  private live = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  now(): number {
    return this.clock.now();
  }

  /** Runs `run` once after `delayMs` (≥ 0). */
  after(delayMs: number, run: () => void): Task {
    const entry: Entry = {
      at: this.clock.now() + Math.max(0, delayMs),
      seq: this.seq++,
      run,
      cancelled: false,
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.live -= 1;
        if (this.live === 0) this.clear();
      },
    };
    if (this.stopped) {
      entry.cancelled = true;
      return entry;
    }
    this.live += 1;
    this.push(entry);
    this.arm();
    return entry;
  }

  /** Runs `run` every `intervalMs` until cancelled; the first run after one interval. */
  every(intervalMs: number, run: () => void): Task {
    let current: Task | undefined;
    let cancelled = false;
    const tick = (): void => {
      if (cancelled) return;
      current = this.after(intervalMs, tick);
      run();
    };
    current = this.after(intervalMs, tick);
    return {
      cancel() {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /** A promise that resolves after `delayMs` (scripted waits). */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Drops every entry and the timer; later `after` calls are ignored. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  /** Nothing live any more: drops the (cancelled) entries and the timer. */
  private clear(): void {
    this.live = 0;
    this.heap.length = 0;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(): void {
    while (this.heap[0]?.cancelled === true) this.pop();
    if (this.live === 0) {
      this.clear();
      return;
    }
    const first = this.heap[0];
    if (first === undefined || first.at >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = first.at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, first.at - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let ran = 0; ran < BATCH; ran += 1) {
      const first = this.heap[0];
      if (first === undefined || first.at > now) break;
      this.pop();
      if (first.cancelled) continue;
      first.cancelled = true;
      this.live -= 1;
      try {
        first.run();
      } catch (error) {
        this.onError(error);
      }
    }
    if (!this.stopped) this.arm();
  }

  // ---------------------------------------------------------------- binary heap on (at, seq)

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
      if (!before(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
