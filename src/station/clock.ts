/**
 * The time source of the station client. Injected so tests can drive reconnect back-off and queue timeouts
 * deterministically instead of sleeping.
 */

/** Opaque timer handle: whatever `setTimeout` of the clock returned. */
export type TimerHandle = unknown;

export interface Clock {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Milliseconds, monotonic enough to measure queue time. */
  now(): number;
}

/** Node's timers and wall clock. */
export const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

/** Random source: a number in [0, 1), like Math.random. */
export type RandomSource = () => number;
