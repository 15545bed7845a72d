/**
 * Reconnect back-off of a Charging Station (OCPP 2.0.1 Part 4 §5.3, configuration variables §8.1–8.3).
 *
 * - first wait: RetryBackOffWaitMinimum + random(0..RetryBackOffRandomRange);
 * - after every further failed attempt: double the previous wait and add a new random part, at most
 *   RetryBackOffRepeatTimes times;
 * - after that: keep the last wait, "not increasing it any further".
 *
 * The doubling applies to the previous wait including its random part (as libocpp does): §5.3 says "double the
 * previous back-off time", and the randomisation exists so that stations do not reconnect in step after a CSMS
 * restart.
 */
import type { RandomSource } from './clock.ts';

/** The three OCPPCommCtrlr variables, in seconds as the spec defines them (fractions allowed for tests). */
export interface BackoffConfig {
  /** RetryBackOffWaitMinimum: minimum wait before the first attempt. */
  waitMinimumS: number;
  /** RetryBackOffRandomRange: maximum of the random part added to every increasing wait. */
  randomRangeS: number;
  /** RetryBackOffRepeatTimes: how many times the wait is doubled. */
  repeatTimes: number;
}

/** Defaults when the station has no configured values (ocpp-j-rules: 10 s / 15 s / 5). */
export const DEFAULT_BACKOFF: Readonly<BackoffConfig> = Object.freeze({ waitMinimumS: 10, randomRangeS: 15, repeatTimes: 5 });

function checkConfig(config: BackoffConfig): void {
  const { waitMinimumS, randomRangeS, repeatTimes } = config;
  if (!Number.isFinite(waitMinimumS) || waitMinimumS < 0) throw new RangeError(`RetryBackOffWaitMinimum must be ≥ 0 seconds, got ${waitMinimumS}`);
  if (!Number.isFinite(randomRangeS) || randomRangeS < 0) throw new RangeError(`RetryBackOffRandomRange must be ≥ 0 seconds, got ${randomRangeS}`);
  if (!Number.isInteger(repeatTimes) || repeatTimes < 0) throw new RangeError(`RetryBackOffRepeatTimes must be an integer ≥ 0, got ${repeatTimes}`);
}

/** Stateful schedule: `next()` gives the wait before the next attempt; `reset()` after a successful connection. */
export class BackoffSchedule {
  private config: BackoffConfig;
  private readonly random: RandomSource;
  /** Waits handed out since the last reset. */
  private attempts = 0;
  private lastMs = 0;

  constructor(config: Partial<BackoffConfig> = {}, random: RandomSource = Math.random) {
    this.config = { ...DEFAULT_BACKOFF, ...config };
    checkConfig(this.config);
    this.random = random;
  }

  /** Current values (a copy). */
  get settings(): BackoffConfig {
    return { ...this.config };
  }

  /** How many waits were handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /**
   * Changes the variables at run time (the CSMS may set them with SetVariables / ChangeConfiguration).
   * Takes effect from the next wait; a wait already running is not shortened.
   */
  configure(changes: Partial<BackoffConfig>): void {
    const next = { ...this.config, ...changes };
    checkConfig(next);
    this.config = next;
  }

  /** Milliseconds to wait before the next connection attempt. */
  next(): number {
    const { waitMinimumS, repeatTimes } = this.config;
    this.attempts += 1;
    if (this.attempts === 1) this.lastMs = Math.round(waitMinimumS * 1000) + this.randomPartMs();
    else if (this.attempts - 1 <= repeatTimes) this.lastMs = this.lastMs * 2 + this.randomPartMs();
    // else: §5.3 "keep reconnecting with the last back-off time, not increasing it any further".
    return this.lastMs;
  }

  /** Back to the first wait: call after a connection succeeded. */
  reset(): void {
    this.attempts = 0;
    this.lastMs = 0;
  }

  /** A whole number of ms in 0..range inclusive ("a random value with a maximum of RetryBackOffRandomRange"). */
  private randomPartMs(): number {
    const rangeMs = Math.round(this.config.randomRangeS * 1000);
    return Math.min(rangeMs, Math.floor(this.random() * (rangeMs + 1)));
  }
}

/** The first `count` waits of a fresh schedule: for documentation, tests and the simulator's dry runs. */
export function backoffDelays(config: Partial<BackoffConfig>, count: number, random: RandomSource = Math.random): number[] {
  const schedule = new BackoffSchedule(config, random);
  return Array.from({ length: count }, () => schedule.next());
}
