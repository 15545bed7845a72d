/** Options and events of StationClient (client.ts). */
import type { FrameEvent, HandlerLookup, ViolationEvent } from '../protocol/endpoint.ts';
import type { MessageSigning } from '../protocol/signed/index.ts';
import type { OcppVersion } from '../protocol/types.ts';
import type { PayloadValidator, Strictness } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import type { BackoffConfig } from './backoff.ts';
import type { Clock, RandomSource } from './clock.ts';
import type { TlsOptions } from './socket.ts';

export interface StationClientOptions<V extends OcppVersion> {
  /** CSMS endpoint URL without the identity, e.g. ws://127.0.0.1:8180/ocpp. */
  url: string;
  identity: string;
  /** Offered in this order of preference in Sec-WebSocket-Protocol. */
  protocols: readonly V[];
  /** HTTP Basic password (user name = identity). */
  password?: string;
  tls?: TlsOptions;
  /** Offer permessage-deflate (RFC 7692); default true. Optional for a station, so the CSMS may decline. */
  compression?: boolean;
  validator: PayloadValidator;
  /** Handlers for CALLs the CSMS sends; without one a known action is answered NotSupported. */
  handlers?: HandlerLookup;
  logger?: Logger;
  /** How schema violations in received messages are treated (default strict). */
  strictness?: Strictness;
  /** Default timeout per call in ms, time spent queued included (default 30 000). */
  callTimeoutMs?: number;
  /** Calls that may wait to be sent, offline or behind the outstanding CALL (default 100). */
  maxOfflineQueue?: number;
  /** RetryBackOff* variables (seconds); default 10 / 15 / 5. Change at run time with configureBackoff(). */
  backoff?: Partial<BackoffConfig>;
  /** Reconnect after an unexpected close or a failed attempt (default true). */
  reconnect?: boolean;
  clock?: Clock;
  random?: RandomSource;
  /** Client WebSocket ping interval in ms (WebSocketPingInterval, §8.4); 0 or absent: none. Server pings are always answered. */
  pingIntervalMs?: number;
  /** Opening handshake timeout in ms (default 30 000). */
  connectTimeoutMs?: number;
  maxPayload?: number;
  /**
   * Signed messages (Part 4 §7): signed CALLs from the CSMS are verified and answered (signed when `signing` has a
   * key); our CALLs whose action `signCalls` selects go out as `<Action>-Signed` (needs a signing key).
   */
  signing?: MessageSigning;
  signCalls?: (action: string) => boolean;
  onFrame?: (event: FrameEvent) => void;
  onViolation?: (event: ViolationEvent) => void;
}

export interface StationClientEvents<V extends OcppVersion> {
  open: [version: V];
  close: [code: number, reason: string];
  /** A new attempt is scheduled in `delayMs`; `attempt` counts from 1 since the last successful connection. */
  reconnecting: [attempt: number, delayMs: number];
  error: [error: Error];
}

/** The CSMS endpoint must be a ws:// or wss:// URL (Part 4 §3.1.1). */
export function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`CSMS url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new RangeError(`CSMS url must start with ws:// or wss://, got ${url}`);
}
