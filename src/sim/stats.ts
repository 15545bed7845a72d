/**
 * Counters of a simulation run, shared by every simulated station: what was sent and answered, CALLERRORs by
 * code, timeouts, and the round-trip latency of every answered CALL in a log-scale histogram (about 1 % precision,
 * a few kilobytes whatever the number of messages).
 */

/** Buckets below 1 ms: 10 µs each; above: ×1.01 per bucket up to ~30 minutes. */
const SUB_MS_BUCKETS = 100;
const LOG_BASE = Math.log(1.01);
const BUCKETS = SUB_MS_BUCKETS + Math.ceil(Math.log(1_800_000) / LOG_BASE) + 1;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private maxMs = 0;

  get count(): number {
    return this.total;
  }

  record(ms: number): void {
    const value = Math.max(0, ms);
    const index = value < 1 ? Math.floor(value * SUB_MS_BUCKETS) : SUB_MS_BUCKETS + Math.floor(Math.log(value) / LOG_BASE);
    const bucket = Math.min(BUCKETS - 1, index);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.total += 1;
    if (value > this.maxMs) this.maxMs = value;
  }

  /** The latency below which `p` (0..1) of the samples fall, in ms (upper edge of the bucket); 0 when empty. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i += 1) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, upperEdge(i));
    }
    return this.maxMs;
  }

  get max(): number {
    return this.maxMs;
  }
}

function upperEdge(index: number): number {
  if (index < SUB_MS_BUCKETS) return (index + 1) / SUB_MS_BUCKETS;
  return Math.exp((index - SUB_MS_BUCKETS + 1) * LOG_BASE);
}

export class SimStats {
  /** CALLs the stations sent (retries and boots included). */
  sent = 0;
  /** CALLRESULTs and CALLERRORs received for them. */
  answered = 0;
  /** CALLERRORs (and 2.1 CALLRESULTERRORs) received, by error code. */
  readonly callErrors = new Map<string, number>();
  timeouts = 0;
  /** CALLs the CSMS sent to the stations. */
  received = 0;
  /** Connection attempts that failed (refused, HTTP error, TLS). */
  connectFailures = 0;
  /** Transaction messages given up (CALLERROR, or the station's offline store was full). */
  droppedTxMessages = 0;
  /** Station-side problems (a handler or a script step failed). */
  stationErrors = 0;
  connected = 0;
  accepted = 0;
  charging = 0;
  sessionsStarted = 0;
  sessionsCompleted = 0;
  /** Signed messages from the CSMS whose signature was verified (Part 4 §7). */
  signedVerified = 0;
  readonly latency = new LatencyHistogram();

  callError(code: string): void {
    this.callErrors.set(code, (this.callErrors.get(code) ?? 0) + 1);
  }

  get callErrorCount(): number {
    let sum = 0;
    for (const count of this.callErrors.values()) sum += count;
    return sum;
  }
}
