/** What a simulation run does: its options (from the CLI, a scenario file or code) and its result. */
import type { OcppVersion } from '../protocol/types.ts';
import type { PayloadValidator } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import type { BackoffConfig, Clock, RandomSource, TlsOptions } from '../station/index.ts';
import type { SigningFiles } from './signing.ts';
import type { SimulatedStation } from './station.ts';
import type { StopReason } from './types.ts';

/** One step of a scripted session; `evse` defaults to 1, `idToken` to the station's token. */
export type ScriptStep =
  | { action: 'wait'; seconds: number }
  | { action: 'waitOnline'; timeout?: number }
  | { action: 'plugIn'; evse?: number; connector?: number }
  | { action: 'unplug'; evse?: number }
  | { action: 'authorize'; evse?: number; idToken?: string }
  | { action: 'start'; evse?: number; idToken?: string }
  | { action: 'meterValues'; evse?: number }
  | { action: 'stop'; evse?: number; reason?: StopReason; unplug?: boolean }
  | { action: 'heartbeat' }
  | { action: 'disconnect' }
  | { action: 'reconnect' }
  | { action: 'reboot' };

export type StepAction = ScriptStep['action'];

export type ChargingPlan =
  | { mode: 'none' }
  /**
   * Every EVSE waits a random time in `idleS`, then starts a session with `probability` (else waits again); a
   * session lasts a random time in `durationS` and ends with reason Local.
   */
  | { mode: 'random'; probability: number; durationS: readonly [number, number]; idleS: readonly [number, number] }
  /** Every station runs the steps once, after its first Accepted boot. */
  | { mode: 'script'; steps: readonly ScriptStep[] };

/** Client certificates and CA as files; `{id}` in a path is replaced by the station identity. */
export interface CertificateFiles {
  cert?: string;
  key?: string;
  ca?: string;
  /** Accept any server certificate (tests against self-signed servers only). */
  insecure?: boolean;
}

export interface SimulationOptions {
  url: string;
  /** 1 to 50,000. */
  stations: number;
  /** Identities are `<idPrefix><number>`, numbers from `startIndex` (default 1), zero-padded. */
  idPrefix?: string;
  startIndex?: number;
  version?: OcppVersion;
  evses?: number;
  connectorsPerEvse?: number;
  password?: string;
  /** TLS settings, the same for every station, or per identity. */
  tls?: TlsOptions | ((identity: string) => TlsOptions);
  certificates?: CertificateFiles;
  /** Signed messages (Part 4 §7): the stations' key, the CSMS certificate, the actions to sign. */
  signing?: SigningFiles;
  compression?: boolean;
  /** Run time in seconds; absent: until every script finished (script mode) or `signal` aborts. */
  durationS?: number;
  meterIntervalS?: number;
  heartbeatIntervalS?: number;
  pingIntervalS?: number;
  maxPowerW?: number;
  callTimeoutMs?: number;
  rebootDelayMs?: number;
  backoff?: Partial<BackoffConfig>;
  /** Connections are opened `batch` at a time, `intervalMs` apart (default 100 every 100 ms). */
  rampUp?: { batch: number; intervalMs: number };
  charging?: ChargingPlan;
  /** Tokens the stations use, round-robin by station (default ['JOULE-SIM']). */
  idTokens?: readonly string[];
  /** 2.x IdTokenEnumType of those tokens (default ISO14443). */
  idTokenType?: string;
  /** End running sessions before leaving (default true), waiting up to `endGraceMs` (default 10 000) for their messages. */
  stopSessionsAtEnd?: boolean;
  endGraceMs?: number;
  /** CALLERRORs and timeouts do not make the exit code non-zero. */
  tolerateErrors?: boolean;

  // ---------------------------------------------------------------- programmatic only
  validator?: PayloadValidator;
  logger?: Logger;
  clock?: Clock;
  random?: RandomSource;
  wallClock?: () => number;
  /** Called about every `progressIntervalMs` (default 1000) while running. */
  onProgress?: (progress: SimulationProgress) => void;
  progressIntervalMs?: number;
  /** Each station right after it was created (tests attach listeners here). */
  onStation?: (station: SimulatedStation) => void;
  signal?: AbortSignal;
}

export interface SimulationProgress {
  elapsedS: number;
  /** Stations started so far (the ramp-up). */
  started: number;
  connected: number;
  accepted: number;
  charging: number;
  sent: number;
  answered: number;
  /** CALLs sent per second since the previous report. */
  messagesPerSecond: number;
  callErrors: number;
  timeouts: number;
}

export interface SimulationSummary {
  stations: number;
  /** Connected and Accepted stations at the end of the run, before they left. */
  connected: number;
  accepted: number;
  sessionsStarted: number;
  sessionsCompleted: number;
  messagesSent: number;
  messagesAnswered: number;
  /** CALLs the CSMS sent to the stations. */
  messagesReceived: number;
  callErrors: Record<string, number>;
  callErrorCount: number;
  timeouts: number;
  connectFailures: number;
  droppedTxMessages: number;
  stationErrors: number;
  /** Signed messages from the CSMS verified at the stations. */
  signedVerified: number;
  latencyMs: { p50: number; p99: number; max: number };
  durationS: number;
  /** 1 when a CALLERROR or timeout occurred and errors are not tolerated; else 0. */
  exitCode: number;
}
