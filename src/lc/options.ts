/** Options of the Local Controller (controller.ts) and their defaults. */
import type { CompressionOptions } from '../gateway/compression.ts';
import type { BasicCredentials } from '../gateway/handshake/auth.ts';
import type { OcppVersion, JsonObject } from '../protocol/types.ts';
import type { PayloadValidator } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import type { TlsOptions } from '../station/socket.ts';
import type { RateUnit } from './profiles.ts';
import type { RelayFrame } from './relay.ts';

/** The LC as TLS server towards the stations (Part 4 §6.5), with its own CSMS certificate. */
export interface StationSideTls {
  cert: string | Buffer;
  key: string | Buffer;
  /**
   * Station CA (PEM). When set, stations must present a client certificate from it whose CN is their identity
   * (security profile 3 towards the LC); it is checked here, since the CSMS never sees it (§6.5).
   */
  ca?: string | Buffer;
}

/**
 * HTTP Basic towards the CSMS: 'passthrough' (default) sends the station's own Authorization header, so the CSMS
 * checks the station's password as on a direct connection; 'own' sends `identity:password` with the LC's password
 * for that station instead (the station's header is not forwarded).
 */
export type UpstreamAuth = { mode: 'passthrough' } | { mode: 'own'; password: string | ((identity: string) => string | undefined) };

/** What `authorizeStation` gets; the password is there to be checked, never logged. */
export interface StationAuthRequest {
  identity: string;
  credentials: BasicCredentials | undefined;
  secure: boolean;
  remoteAddress: string;
}

/** The LC's own connection to the CSMS (§6.2), as a Charging Station with its own identity. */
export interface OwnConnectionOptions {
  identity: string;
  password?: string;
  /** Default ['ocpp2.0.1', 'ocpp1.6']. */
  protocols?: OcppVersion[];
  /** BootNotification payload per version (default: vendor Joule, model Local Controller). */
  boot?: (version: OcppVersion) => JsonObject;
}

export interface LocalControllerOptions {
  /** The CSMS's OCPP-J endpoint URL, without identity, e.g. ws://csms.example.com/ocpp. */
  upstreamUrl: string;
  /**
   * The LC's own endpoint path (default '/ocpp'). What follows it in a station's request (identity, sub-paths,
   * query) is appended to `upstreamUrl` unchanged, percent-encoding included (§6.2: same URI path).
   */
  pathPrefix?: string;
  logger?: Logger;
  tls?: StationSideTls;
  /** TLS client towards the CSMS: the CSMS's CA, and the LC's own Charging Station certificate (§6.5). */
  upstreamTls?: TlsOptions;
  upstreamAuth?: UpstreamAuth;
  /** Checks a station's credentials at the LC itself (needed with 'own' upstream auth). false → HTTP 401. */
  authorizeStation?: (request: StationAuthRequest) => boolean | Promise<boolean>;
  compression?: {
    /** permessage-deflate towards stations (gateway settings; default on, as a CSMS must). */
    stations?: CompressionOptions;
    /** Offer permessage-deflate to the CSMS (default true). */
    upstream?: boolean;
  };
  /** Local smart charging: the site limit shared among the sessions behind the LC (§6.1). */
  siteLimit?: { limit: number; unit: RateUnit };
  /** Id and stack level of the LC's station-wide maximum profile (defaults 9001 and 1). */
  chargingProfile?: { profileId?: number; stackLevel?: number };
  ownConnection?: OwnConnectionOptions;
  /** Schema validator for the LC's own connection (required with ownConnection). */
  validator?: PayloadValidator;
  /** Timeout of the LC's own CALLs to stations, queue time included (default 10 000 ms). */
  lcCallTimeoutMs?: number;
  /** After this long an unanswered CSMS CALL stops holding back the LC's CALLs (default 60 000 ms). */
  csmsCallExpiryMs?: number;
  maxQueuedLcCalls?: number;
  /** Ping interval on both hops (default 30 000 ms; 0 = none). */
  pingIntervalMs?: number;
  /** Opening handshake to the CSMS (default 10 000 ms) → 504 to the station when exceeded. */
  upstreamHandshakeTimeoutMs?: number;
  /** Largest message relayed, bytes (default 1 MiB; the CSMS applies its own limit). */
  maxPayloadBytes?: number;
  /** Retry of a station limit that was not applied (default 10 000 ms). */
  limitRetryMs?: number;
  /** Every message the LC relays or sends itself. */
  onFrame?: (frame: RelayFrame) => void;
}

export const LC_DEFAULTS = {
  pathPrefix: '/ocpp',
  profileId: 9001,
  stackLevel: 1,
  lcCallTimeoutMs: 10_000,
  csmsCallExpiryMs: 60_000,
  maxQueuedLcCalls: 100,
  pingIntervalMs: 30_000,
  upstreamHandshakeTimeoutMs: 10_000,
  maxPayloadBytes: 1024 * 1024,
  limitRetryMs: 10_000,
} as const;
