/**
 * The OCPP-J opening handshake decision (Part 4 §3), in the order the spec and HTTP semantics require:
 *   1. identity from the URL           → 400 (bad identity) / 404 (not our path)        identity.ts
 *   2. station lookup                  → 404 unknown (Part 4 §3.2), unless unknown stations are allowed
 *   3. security profile credentials    → 401 wrong or missing / 403 TLS required          auth.ts, tls-identity.ts
 *      (repeated wrong credentials from one address get their 401 later and later: shared/rate-limit.ts)
 *   4. subprotocol                     → chosen version, or "upgrade, then close 1002"    subprotocol.ts
 * Nothing here touches the WebSocket upgrade itself; the gateway acts on the decision.
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OcppVersion } from '../../protocol/types.ts';
import type { Logger } from '../../shared/logger.ts';
import type { FailureDelay } from '../../shared/rate-limit.ts';
import type { StationAccess, StationLookup } from '../types.ts';
import { authenticate } from './auth.ts';
import { parseIdentity, pathOf } from './identity.ts';
import { basicChallenge } from './reject.ts';
import type { Negotiation } from './subprotocol.ts';
import { negotiateSubprotocol, parseOfferedProtocols } from './subprotocol.ts';

export interface HandshakeSettings {
  pathPrefix: string;
  lookup: StationLookup;
  allowUnknownStations: boolean;
  unknownStationAccess: StationAccess;
  trustedCas: readonly X509Certificate[];
  supportedVersions: readonly OcppVersion[];
  failures: FailureDelay;
  logger: Logger;
}

/** Why a handshake was abandoned before a decision; the gateway aborts the signal with one of these. */
export type AbortCause = 'disconnected' | 'timeout' | 'shutdown';

export type HandshakeDecision =
  | {
      accept: true;
      identity: string;
      access: StationAccess;
      registered: boolean;
      remoteAddress: string;
      secure: boolean;
      /** ok: false → complete the upgrade without a subprotocol and close 1002 (Part 4 §3.2). */
      negotiation: Negotiation;
      certificateCommonName: string | undefined;
    }
  /** status 0: the station is gone, nothing to answer. */
  | { accept: false; status: number; headers?: Record<string, string> };

/** The address failures are counted against; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4. */
export function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

const ABORT_STATUS: Record<AbortCause, number> = { disconnected: 0, timeout: 503, shutdown: 503 };

function abortedDecision(signal: AbortSignal): HandshakeDecision {
  const cause = signal.reason as AbortCause;
  return { accept: false, status: ABORT_STATUS[cause] ?? 0 };
}

/** Resolves like `promise`, or rejects as soon as `signal` aborts (for lookups that ignore their signal). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export async function evaluateHandshake(
  request: IncomingMessage,
  socket: Socket,
  settings: HandshakeSettings,
  signal: AbortSignal,
): Promise<HandshakeDecision> {
  const log = settings.logger;
  const remoteAddress = clientAddress(socket);
  const secure = socket instanceof TLSSocket;
  const url = request.url ?? '';

  // 1. Identity (Part 4 §3.1.1).
  const parsed = parseIdentity(url, settings.pathPrefix);
  if (!parsed.ok) {
    log.info({ remoteAddress, status: parsed.status, path: pathOf(url).slice(0, 200) }, `handshake refused: ${parsed.reason}`);
    return { accept: false, status: parsed.status };
  }
  const identity = parsed.identity;
  const offered = parseOfferedProtocols(request.headers['sec-websocket-protocol']);

  // 2. Lookup (Part 4 §3.2: unknown identity SHOULD get 404).
  let access: StationAccess | undefined;
  try {
    access = await untilAborted(settings.lookup(identity, { remoteAddress, secure, path: pathOf(url), offeredProtocols: offered, signal }), signal);
  } catch (error) {
    if (signal.aborted) return abortedDecision(signal);
    log.error({ err: error, station: identity, remoteAddress }, 'handshake refused: station lookup failed');
    return { accept: false, status: 500 };
  }
  let registered = true;
  if (access === undefined) {
    if (!settings.allowUnknownStations) {
      log.info({ station: identity, remoteAddress, status: 404 }, 'handshake refused: unknown station');
      return { accept: false, status: 404 };
    }
    access = settings.unknownStationAccess;
    registered = false;
  }

  // 3. Credentials of the station's security profile.
  const auth = await authenticate(identity, access, { authorization: request.headers.authorization, socket }, settings.trustedCas);
  if (signal.aborted) return abortedDecision(signal);
  if (!auth.ok) {
    const delayMs = auth.countsAsFailure ? settings.failures.recordFailure(remoteAddress) : 0;
    log.warn(
      { station: identity, remoteAddress, secure, securityProfile: access.securityProfile, status: auth.status, delayMs },
      `handshake refused: ${auth.reason}`,
    );
    if (delayMs > 0) {
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        return abortedDecision(signal);
      }
    }
    return { accept: false, status: auth.status, ...(auth.basicChallenge ? { headers: basicChallenge() } : {}) };
  }

  // 4. Subprotocol, in the station's order of preference (Part 4 §3.1.2).
  const negotiation = negotiateSubprotocol(offered, access, settings.supportedVersions);
  return {
    accept: true,
    identity,
    access,
    registered,
    remoteAddress,
    secure,
    negotiation,
    certificateCommonName: auth.certificateCommonName,
  };
}
