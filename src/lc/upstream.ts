/**
 * The Local Controller's WebSocket to the CSMS for one station (Part 4 §6.2, connection 2): same path below the
 * endpoint as the station used, the station's subprotocol offer as it was, Basic credentials passed through or the
 * LC's own, TLS as a client with the LC's own certificate (§6.5), permessage-deflate offered (§3.3: a Local
 * Controller SHALL support RFC 7692).
 *
 * It is opened while the station's upgrade request waits, so the station gets the CSMS's answer: the version the
 * CSMS chose, or the CSMS's refusal (handshake.ts). What the CSMS sends between its 'open' and the relay taking over
 * is kept in order (EarlyUpstream).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RawData } from 'ws';
import WebSocket from 'ws';
import type { TlsOptions } from '../station/socket.ts';
import type { EarlyUpstream } from './relay.ts';
import { toBuffer } from './relay.ts';

export interface UpstreamRequest {
  /** The full connection URL (endpoint + the station's path). */
  url: string;
  /** Offered in this order: the station's own offer. */
  protocols: readonly string[];
  /** The Authorization header to send, if any. */
  authorization: string | undefined;
  tls: TlsOptions | undefined;
  compression: boolean;
  handshakeTimeoutMs: number;
  maxPayload: number;
}

export type UpstreamOutcome =
  | { ok: true; protocol: string; extensions: string }
  /** The CSMS answered the upgrade with an HTTP status (404 unknown station, 401 credentials, ...). */
  | { ok: false; failure: 'http-status'; status: number; challenge: string | undefined }
  /** §3.2: the CSMS completed the handshake without any of the offered subprotocols. */
  | { ok: false; failure: 'no-subprotocol' }
  | { ok: false; failure: 'network' | 'timeout'; error: Error | undefined };

export interface OpeningUpstream {
  socket: WebSocket;
  outcome: Promise<UpstreamOutcome>;
  /** Stops buffering and returns what arrived since 'open'; the caller attaches its own listeners at once. */
  handOver(): EarlyUpstream;
}

export function openUpstream(request: UpstreamRequest): OpeningUpstream {
  const headers: Record<string, string> = {};
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  const socket = new WebSocket(request.url, [...request.protocols], {
    headers,
    perMessageDeflate: request.compression,
    handshakeTimeout: request.handshakeTimeoutMs,
    maxPayload: request.maxPayload,
    ca: request.tls?.ca,
    cert: request.tls?.cert,
    key: request.tls?.key,
    rejectUnauthorized: request.tls?.rejectUnauthorized ?? true,
  });
  const early: EarlyUpstream = { messages: [], closed: undefined };
  let opened = false;
  let status: number | undefined;
  let challenge: string | undefined;
  let noSubprotocol = false;
  let lastError: Error | undefined;

  // An 'error' listener for the socket's whole life: errors are followed by 'close', which is what counts.
  socket.on('error', (error: Error) => {
    lastError = error;
  });
  socket.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
    status = response.statusCode;
    const header = response.headers['www-authenticate'];
    challenge = Array.isArray(header) ? header[0] : header;
    response.resume();
    socket.terminate();
  });
  socket.on('upgrade', (response: IncomingMessage) => {
    noSubprotocol = request.protocols.length > 0 && response.headers['sec-websocket-protocol'] === undefined;
  });
  const onMessage = (data: RawData, isBinary: boolean): void => {
    early.messages.push({ data: toBuffer(data), isBinary });
  };
  socket.on('message', onMessage);

  const outcome = new Promise<UpstreamOutcome>((resolve) => {
    socket.once('open', () => {
      opened = true;
      resolve({ ok: true, protocol: socket.protocol, extensions: socket.extensions });
    });
    socket.once('close', (code: number, reason: Buffer) => {
      if (opened) {
        early.closed = { code, reason: reason.toString('utf8') };
        return;
      }
      if (status !== undefined) resolve({ ok: false, failure: 'http-status', status, challenge });
      else if (noSubprotocol) resolve({ ok: false, failure: 'no-subprotocol' });
      else resolve({ ok: false, failure: /timed out/i.test(lastError?.message ?? '') ? 'timeout' : 'network', error: lastError });
    });
  });

  return {
    socket,
    outcome,
    handOver() {
      socket.off('message', onMessage);
      return early;
    },
  };
}
