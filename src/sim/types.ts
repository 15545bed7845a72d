/** Types shared by the simulator's modules. */
import type { HandlerLookup } from '../protocol/endpoint.ts';
import type { MessageSigning } from '../protocol/signed/index.ts';
import type { OcppVersion } from '../protocol/types.ts';
import type { PayloadValidator } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import type { BackoffConfig, Clock, RandomSource, TlsOptions } from '../station/index.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimulatedStation } from './station.ts';
import type { SimStats } from './stats.ts';

/** Why a session ended: the union of 2.x ReasonEnumType and 1.6 StopTransaction reasons; each dialect maps it. */
export const STOP_REASONS = [
  'DeAuthorized',
  'EmergencyStop',
  'EnergyLimitReached',
  'EVDisconnected',
  'GroundFault',
  'HardReset',
  'ImmediateReset',
  'Local',
  'LocalOutOfCredit',
  'MasterPass',
  'Other',
  'OvercurrentFault',
  'PowerLoss',
  'PowerQuality',
  'Reboot',
  'Remote',
  'SOCLimitReached',
  'SoftReset',
  'StoppedByEV',
  'TimeLimitReached',
  'Timeout',
  'UnlockCommand',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export function isStopReason(value: unknown): value is StopReason {
  return typeof value === 'string' && (STOP_REASONS as readonly string[]).includes(value);
}

/** What one simulated station is. */
export interface StationConfig {
  identity: string;
  /** CSMS endpoint without the identity, e.g. ws://127.0.0.1:8180/ocpp. */
  url: string;
  version: OcppVersion;
  /** EVSEs (2.x) — on 1.6 every EVSE × connector becomes one numbered connector. */
  evses: number;
  connectorsPerEvse: number;
  /** HTTP Basic password (security profiles 1 and 2). */
  password?: string;
  /** TLS: CA of the CSMS, and a client certificate for security profile 3. */
  tls?: TlsOptions;
  /** Offer permessage-deflate (default true). */
  compression?: boolean;
  /** Initial meter interval (TxUpdatedInterval / MeterValueSampleInterval), seconds; default 60. */
  meterIntervalS?: number;
  /** Heartbeat interval used when the CSMS answers Accepted with interval 0; default 300. */
  heartbeatIntervalS?: number;
  /** Initial RetryBackOff* values (seconds); default 10 / 15 / 5 like a fresh station. */
  backoff?: Partial<BackoffConfig>;
  /** Initial WebSocketPingInterval in seconds (0 = the CSMS pings); default 0. */
  pingIntervalS?: number;
  /** Maximum power an EVSE delivers in W (default 22 000, three phases at 230 V). */
  maxPowerW?: number;
  /** Usable battery of the simulated EVs in Wh (default 60 000) and their state of charge at plug-in (default 20 %). */
  batteryWh?: number;
  initialSoc?: number;
  /** Per-call timeout in ms (default 30 000). */
  callTimeoutMs?: number;
  /** How long a reboot (Reset) keeps the station off the network, ms (default 1000). */
  rebootDelayMs?: number;
  /** Transaction messages kept while offline (default 1000); meter updates beyond it are dropped. */
  maxStoredTxMessages?: number;
  vendor?: string;
  model?: string;
  firmwareVersion?: string;
  /** Signed messages (Part 4 §7): verify what the CSMS signs, sign the CALLs `signCalls` selects. */
  signing?: MessageSigning;
  signCalls?: (action: string) => boolean;
}

/** What all stations of a simulation share: one validator, one scheduler, one handler table, one set of counters. */
export interface SimEnvironment {
  validator: PayloadValidator;
  scheduler: Scheduler;
  stats: SimStats;
  /** Monotonic time source of the station clients (reconnect back-off, queue timeouts). */
  clock: Clock;
  random: RandomSource;
  /** Wall clock for message timestamps. */
  wallClock: () => number;
  logger: Logger;
  handlers: HandlerLookup;
  /** identity → station, so one handler table serves every simulated station. */
  directory: Map<string, SimulatedStation>;
}
