/** The station side of OCPP-J: what the simulator and the Local Controller import. */
export { StationClient } from './client.ts';
export type { StationClientEvents, StationClientOptions } from './options.ts';
export { BackoffSchedule, DEFAULT_BACKOFF, backoffDelays } from './backoff.ts';
export type { BackoffConfig } from './backoff.ts';
export type { BootOutcome, BootResponse, BootStatus } from './boot.ts';
export { DEFAULT_BOOT_RETRY_MS } from './boot.ts';
export type { Clock, RandomSource, TimerHandle } from './clock.ts';
export { systemClock } from './clock.ts';
export { ConnectError } from './errors.ts';
export type { ConnectFailure } from './errors.ts';
export type { TlsOptions } from './socket.ts';
export { basicAuthorization, stationUrl } from './socket.ts';
