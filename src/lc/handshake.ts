/**
 * A station's opening handshake at the Local Controller (Part 4 §3 with §6.2). The station's upgrade request waits
 * while the LC opens its own connection to the CSMS, so that what the station gets is what the CSMS decided:
 *
 *   1. identity from the path (§3.1.1)                 → 400 / 404                  gateway/handshake/identity.ts
 *   2. station client certificate, when the LC asks     → 401 (checked here: the CSMS never sees it, §6.5)
 *   3. the LC's own credential check, when configured   → 401 + Basic challenge
 *   4. upstream handshake, same path, the station's offer, Basic passed through or the LC's own
 *        CSMS answers an HTTP status                    → the same status (and challenge) to the station
 *        CSMS completes without subprotocol (§3.2)      → complete without one too, then close 1002
 *        network failure / timeout                      → 502 / 504
 *   5. complete the station's handshake with the subprotocol the CSMS chose, then relay (relay.ts).
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import { parseBasicAuthorization } from '../gateway/handshake/auth.ts';
import { clientAddress } from '../gateway/handshake/handshake.ts';
import { parseIdentity, pathOf } from '../gateway/handshake/identity.ts';
import { basicChallenge, rejectHandshake } from '../gateway/handshake/reject.ts';
import { parseOfferedProtocols } from '../gateway/handshake/subprotocol.ts';
import { checkClientCertificate } from '../gateway/handshake/tls-identity.ts';
import type { Logger } from '../shared/logger.ts';
import { basicAuthorization } from '../station/socket.ts';
import type { TlsOptions } from '../station/socket.ts';
import type { StationAuthRequest, UpstreamAuth } from './options.ts';
import type { EarlyUpstream } from './relay.ts';
import type { OpeningUpstream } from './upstream.ts';
import { openUpstream } from './upstream.ts';

export interface HandshakeContext {
  prefix: string;
  /** upstreamUrl without trailing '/'. */
  upstreamBase: string;
  stationCas: readonly X509Certificate[];
  authorizeStation: ((request: StationAuthRequest) => boolean | Promise<boolean>) | undefined;
  upstreamAuth: UpstreamAuth;
  upstreamTls: TlsOptions | undefined;
  upstreamCompression: boolean;
  upstreamHandshakeTimeoutMs: number;
  maxPayloadBytes: number;
  /** The station-side server for this request (compression variants, see gateway/compression.ts). */
  serverFor(request: IncomingMessage): WebSocketServer;
  /** The subprotocol to answer each request with, read by the servers' handleProtocols. */
  chosen: WeakMap<IncomingMessage, string | false>;
  logger: Logger;
  isClosing(): boolean;
  /** Registers an abort for shutdown; returns the unregister function. */
  track(abort: () => void): () => void;
  bridged(identity: string, protocol: string, station: WebSocket, upstream: WebSocket, early: EarlyUpstream): void;
}

/** Close code for "no common subprotocol" (Part 4 §3.2; the gateway uses the same). */
const NO_SUBPROTOCOL = { code: 1002, reason: 'No supported OCPP subprotocol' } as const;

function upstreamAuthorization(ctx: HandshakeContext, identity: string, header: string | undefined): string | undefined {
  if (ctx.upstreamAuth.mode === 'passthrough') return header;
  const { password } = ctx.upstreamAuth;
  const secret = typeof password === 'function' ? password(identity) : password;
  return secret === undefined ? undefined : basicAuthorization(identity, secret);
}

/** Steps 1-3: undefined when the station may go on, otherwise the refusal. */
async function checkStation(
  ctx: HandshakeContext,
  request: IncomingMessage,
  socket: Socket,
  identity: string,
): Promise<{ status: number; headers?: Record<string, string>; reason: string } | undefined> {
  if (ctx.stationCas.length > 0) {
    if (!(socket instanceof TLSSocket)) return { status: 403, reason: 'client certificate required: TLS only' };
    const check = checkClientCertificate(socket, ctx.stationCas, identity);
    if (!check.ok) return { status: 401, reason: check.reason };
  }
  if (ctx.authorizeStation) {
    const allowed = await ctx.authorizeStation({
      identity,
      credentials: parseBasicAuthorization(request.headers.authorization),
      secure: socket instanceof TLSSocket,
      remoteAddress: clientAddress(socket),
    });
    if (!allowed) return { status: 401, headers: basicChallenge(), reason: 'station credentials refused by the Local Controller' };
  }
  return undefined;
}

export async function handleStationUpgrade(ctx: HandshakeContext, request: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  const log = ctx.logger;
  const url = request.url ?? '';
  const parsed = parseIdentity(url, ctx.prefix);
  if (!parsed.ok) {
    log.info({ status: parsed.status, path: pathOf(url).slice(0, 200) }, `station refused: ${parsed.reason}`);
    rejectHandshake(socket, parsed.status);
    return;
  }
  const identity = parsed.identity;
  socket.pause();
  const refusal = await checkStation(ctx, request, socket, identity);
  if (refusal) {
    log.warn({ station: identity, status: refusal.status }, `station refused: ${refusal.reason}`);
    rejectHandshake(socket, refusal.status, refusal.headers);
    return;
  }
  if (ctx.isClosing() || socket.destroyed) {
    rejectHandshake(socket, 503);
    return;
  }

  // §6.2: the same path below the endpoint, byte for byte (percent-encoding and query as the station sent them).
  const offered = parseOfferedProtocols(request.headers['sec-websocket-protocol']);
  const opening: OpeningUpstream = openUpstream({
    url: `${ctx.upstreamBase}${url.slice(ctx.prefix.length)}`,
    protocols: offered,
    authorization: upstreamAuthorization(ctx, identity, request.headers.authorization),
    tls: ctx.upstreamTls,
    compression: ctx.upstreamCompression,
    handshakeTimeoutMs: ctx.upstreamHandshakeTimeoutMs,
    maxPayload: ctx.maxPayloadBytes,
  });
  const abort = (): void => opening.socket.terminate();
  socket.once('close', abort);
  const untrack = ctx.track(abort);
  const outcome = await opening.outcome;
  untrack();
  socket.removeListener('close', abort);
  if (socket.destroyed || ctx.isClosing()) {
    opening.socket.terminate();
    if (!socket.destroyed) rejectHandshake(socket, 503);
    return;
  }
  if (!outcome.ok) {
    if (outcome.failure === 'no-subprotocol') {
      log.warn({ station: identity, offered }, 'CSMS accepted none of the offered subprotocols: closing the station too (§3.2)');
      complete(ctx, request, socket, head, false, (station) => station.close(NO_SUBPROTOCOL.code, NO_SUBPROTOCOL.reason));
      return;
    }
    const status = outcome.failure === 'http-status' ? outcome.status : outcome.failure === 'timeout' ? 504 : 502;
    log.warn({ station: identity, status, failure: outcome.failure }, 'CSMS refused or unreachable: refusing the station');
    rejectHandshake(socket, status, outcome.failure === 'http-status' && outcome.challenge ? { 'WWW-Authenticate': outcome.challenge } : {});
    return;
  }
  complete(ctx, request, socket, head, outcome.protocol === '' ? false : outcome.protocol, (station) => {
    log.info({ station: identity, version: outcome.protocol || 'none (CSMS fallback)', upstreamExtensions: outcome.extensions }, 'station connected and relayed');
    ctx.bridged(identity, outcome.protocol, station, opening.socket, opening.handOver());
  });
}

function complete(
  ctx: HandshakeContext,
  request: IncomingMessage,
  socket: Socket,
  head: Buffer,
  protocol: string | false,
  then: (station: WebSocket) => void,
): void {
  ctx.chosen.set(request, protocol);
  // Chargers that send an empty Sec-WebSocket-Protocol mean "none"; `ws` would answer 400 (as in the gateway).
  const header = request.headers['sec-websocket-protocol'];
  if (header !== undefined && header.trim() === '') delete request.headers['sec-websocket-protocol'];
  ctx.serverFor(request).handleUpgrade(request, socket, head, (station) => {
    socket.resume();
    then(station);
  });
}
