/**
 * FailureDelay: slows down repeated failures from one key (e.g. a remote address that keeps sending wrong
 * passwords) without affecting anyone who succeeds.
 *
 * Each key has a score that grows by 1 per failure and halves every `halfLifeMs` (exponential decay, so a key
 * that stops failing is forgotten by itself). The delay for a failure is `baseDelayMs · 2^(score − 1)`, capped at
 * `maxDelayMs`: 1st failure ≈ base, 2nd ≈ 2·base, 3rd ≈ 4·base, … Memory is bounded: at most `maxEntries` keys,
 * the least recently failing key is evicted first.
 */

export interface FailureDelayOptions {
  /** Delay for the first failure (default 200 ms). */
  baseDelayMs?: number;
  /** Upper bound of the delay (default 10 000 ms). */
  maxDelayMs?: number;
  /** Time for a key's score to halve (default 60 000 ms). */
  halfLifeMs?: number;
  /** Keys remembered at most (default 10 000); the least recently failing key is evicted first. */
  maxEntries?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

interface Entry {
  score: number;
  at: number;
}

/** Below this score a key is as good as forgotten and its entry is dropped. */
const FORGET_BELOW = 1 / 64;

export class FailureDelay {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly halfLifeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Insertion order = order of the last failure, so the first key is the one to evict. */
  private readonly entries = new Map<string, Entry>();

  constructor(options: FailureDelayOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.halfLifeMs = options.halfLifeMs ?? 60_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
    if (this.baseDelayMs < 0 || this.maxDelayMs < 0 || this.halfLifeMs <= 0) {
      throw new RangeError('FailureDelay: delays must be >= 0 and halfLifeMs > 0');
    }
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.entries.size;
  }

  /** The decayed score of `key` now (0 when unknown). */
  score(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const score = this.decayed(entry, this.now());
    if (score < FORGET_BELOW) {
      this.entries.delete(key);
      return 0;
    }
    return score;
  }

  /** The delay the current score of `key` earns (0 when it has no recent failures). */
  delayFor(key: string): number {
    return this.delayOf(this.score(key));
  }

  /** Records one failure of `key` and returns the delay to apply to the answer of this failure. */
  recordFailure(key: string): number {
    const now = this.now();
    const entry = this.entries.get(key);
    const score = (entry ? this.decayed(entry, now) : 0) + 1;
    if (entry) this.entries.delete(key);
    else if (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(key, { score, at: now });
    return this.delayOf(score);
  }

  /** Forgets `key`, e.g. after an administrator unblocks it. */
  reset(key: string): void {
    this.entries.delete(key);
  }

  private delayOf(score: number): number {
    if (score <= 0) return 0;
    return Math.min(this.maxDelayMs, Math.round(this.baseDelayMs * 2 ** (score - 1)));
  }

  private decayed(entry: Entry, now: number): number {
    const elapsed = Math.max(0, now - entry.at);
    return entry.score * 0.5 ** (elapsed / this.halfLifeMs);
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
