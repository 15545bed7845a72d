/**
 * Subprotocol negotiation (Part 4 §3.1.2, §3.2): the station lists the OCPP versions it speaks in
 * `Sec-WebSocket-Protocol`, most preferred first. The server picks the first of them that it supports and that
 * the station is allowed to use. When there is none, the server completes the handshake WITHOUT the header and
 * closes at once (§3.2; the gateway does that with close code 1002).
 *
 * Chargers that send no header (or an empty one) are common (steve #135, OCPP.Core #43): they are refused the
 * same way unless the operator configured a fallback version for that station.
 */
import type { OcppVersion } from '../../protocol/types.ts';
import { OCPP_VERSIONS, isOcppVersion } from '../../protocol/types.ts';

export type Negotiation =
  | { ok: true; version: OcppVersion; /** The station sent no subprotocol; its configured fallback is used. */ fallback: boolean }
  | { ok: false; reason: string };

/** Splits a `Sec-WebSocket-Protocol` header into its tokens, in order (empty tokens dropped). */
export function parseOfferedProtocols(header: string | undefined): string[] {
  if (header === undefined) return [];
  const offered: string[] = [];
  for (const token of header.split(',')) {
    const name = token.trim();
    if (name !== '') offered.push(name);
  }
  return offered;
}

export interface NegotiationPolicy {
  /** Versions the station may use; all that the server supports when absent. */
  allowedVersions?: readonly OcppVersion[];
  /** Version for a station that offers no subprotocol at all. */
  fallbackVersion?: OcppVersion;
}

/**
 * Chooses the version for a connection. `offered` is in the station's order; `supported` is what this server
 * runs (default: every version Joule implements).
 */
export function negotiateSubprotocol(
  offered: readonly string[],
  policy: NegotiationPolicy,
  supported: readonly OcppVersion[] = OCPP_VERSIONS,
): Negotiation {
  const allowed = policy.allowedVersions ?? supported;
  const usable = (v: string): v is OcppVersion => isOcppVersion(v) && supported.includes(v) && allowed.includes(v);
  if (offered.length === 0) {
    const fallback = policy.fallbackVersion;
    if (fallback !== undefined && usable(fallback)) return { ok: true, version: fallback, fallback: true };
    return { ok: false, reason: 'no Sec-WebSocket-Protocol offered and no fallback version configured' };
  }
  for (const name of offered) {
    if (usable(name)) return { ok: true, version: name, fallback: false };
  }
  return { ok: false, reason: `none of the offered subprotocols is supported and allowed: ${offered.join(', ')}` };
}
