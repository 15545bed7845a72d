/** Types the gateway shares with whoever wires it up (the CSMS domain supplies the station lookup). */
import type { RpcEndpoint } from '../protocol/endpoint.ts';
import type { MessageSigning } from '../protocol/signed/index.ts';
import type { OcppVersion } from '../protocol/types.ts';
import type { Strictness } from '../protocol/validator.ts';

/**
 * OCPP security profiles (2.0.1 Part 2 A00; 1.6 Security Whitepaper): 1 = HTTP Basic, 2 = TLS + HTTP Basic,
 * 3 = TLS with a client certificate. 0 = no authentication at all: not a profile of the spec (A00.FR.004 says
 * there is no "no security" mode); only for stations the operator registered that way, e.g. on a closed network.
 */
export type SecurityProfile = 0 | 1 | 2 | 3;

/** What the lookup knows about a registered station; decides how it must authenticate and what it may speak. */
export interface StationAccess {
  securityProfile: SecurityProfile;
  /** Profiles 1 and 2: the stored `hashPassword()` result of the station's Basic-auth password. */
  passwordHash?: string;
  /** Versions the station may use; every version the gateway supports when absent. */
  allowedVersions?: readonly OcppVersion[];
  /** Version for a station that sends no `Sec-WebSocket-Protocol` at all (real 1.6 chargers do); refused when absent. */
  fallbackVersion?: OcppVersion;
  /** Treatment of schema violations in what the station sends (default: the gateway's `strictness`). */
  strictness?: Strictness;
  /** Profile 3: the certificate CN to require (A00.FR.405: the serial number); the identity when absent. */
  certificateCommonName?: string;
  /** Signed messages (Part 4 §7) for this station; without it `<Action>-Signed` is answered NotImplemented. */
  signing?: MessageSigning;
  /** Our CALLs to this station go as `<Action>-Signed` (needs `signing` with a signing key). */
  signCalls?: boolean;
}

/** What the lookup may use to decide; deliberately without headers, so credentials cannot leak from here. */
export interface HandshakeInfo {
  /** Remote address of the TCP connection (IPv4-mapped IPv6 addresses are given as IPv4). */
  remoteAddress: string;
  /** True for wss:// (the socket is a TLS socket). */
  secure: boolean;
  /** Request path without the query. */
  path: string;
  /** Subprotocols the station offered, in its order of preference. */
  offeredProtocols: readonly string[];
  /** Aborted when the station goes away or the handshake times out; pass it on to database queries. */
  signal: AbortSignal;
}

/** Finds a station; `undefined` means unknown (HTTP 404 unless the gateway allows unknown stations). */
export type StationLookup = (identity: string, handshake: HandshakeInfo) => Promise<StationAccess | undefined>;

/** Facts about an accepted connection, given to `onConnect` listeners. */
export interface ConnectInfo {
  identity: string;
  version: OcppVersion;
  secure: boolean;
  remoteAddress: string;
  securityProfile: SecurityProfile;
  /** False when the station is not registered and was admitted through `allowUnknownStations`. */
  registered: boolean;
  /** True when permessage-deflate (RFC 7692) was negotiated. */
  compression: boolean;
  /** True when the station sent no subprotocol and its configured fallback version is used. */
  fallbackVersion: boolean;
  /** Profile 3: the CN of the client certificate (for the BootNotification serial check, B01.FR.11). */
  certificateCommonName?: string;
}

export type ConnectListener = (endpoint: RpcEndpoint, info: ConnectInfo) => void;
export type DisconnectListener = (identity: string, code: number, reason: string) => void;
