/**
 * Opening the station's WebSocket (Part 4 §3): connection URL, subprotocol offer, HTTP Basic credentials
 * (security profiles 1 and 2), TLS and client certificates (profiles 2 and 3), permessage-deflate offer.
 * Also tells why a handshake failed, so the client can report it and count it for the back-off.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RawData } from 'ws';
import WebSocket from 'ws';
import type { OcppVersion } from '../protocol/types.ts';
import { ConnectError } from './errors.ts';

export interface TlsOptions {
  /** CA certificate(s) that sign the CSMS certificate (PEM). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key for security profile 3 (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true; false only for tests against self-signed servers. */
  rejectUnauthorized?: boolean;
}

export interface SocketOptions {
  url: string;
  identity: string;
  protocols: readonly OcppVersion[];
  password?: string;
  tls?: TlsOptions;
  compression: boolean;
  connectTimeoutMs: number;
  maxPayload?: number;
}

/** Longest identity a CSMS accepts, and ':' breaks Basic auth (Part 4 2.0 errata 3.1). */
const MAX_IDENTITY_LENGTH = 48;

export function checkIdentity(identity: string): void {
  if (identity.length === 0 || identity.length > MAX_IDENTITY_LENGTH || identity.includes(':')) {
    throw new RangeError(`station identity must be 1..${MAX_IDENTITY_LENGTH} characters without ':', got ${JSON.stringify(identity)}`);
  }
}

/** Part 4 §3.1.1: the endpoint URL, then '/', then the identity percent-encoded (RFC 3986). */
export function stationUrl(url: string, identity: string): string {
  return `${url.replace(/\/+$/, '')}/${encodeURIComponent(identity)}`;
}

/** HTTP Basic with the identity as user name (security profiles 1 and 2). */
export function basicAuthorization(identity: string, password: string): string {
  return `Basic ${Buffer.from(`${identity}:${password}`, 'utf8').toString('base64')}`;
}

/** A socket being opened, with what its handshake revealed so far. */
export interface OpeningSocket {
  socket: WebSocket;
  /** The ConnectError for a socket that closed before 'open'. */
  failure(error: Error | undefined): ConnectError;
}

export function openSocket(options: SocketOptions): OpeningSocket {
  const headers: Record<string, string> = {};
  if (options.password !== undefined) headers.authorization = basicAuthorization(options.identity, options.password);
  const socket = new WebSocket(stationUrl(options.url, options.identity), [...options.protocols], {
    headers,
    perMessageDeflate: options.compression,
    handshakeTimeout: options.connectTimeoutMs,
    maxPayload: options.maxPayload,
    ca: options.tls?.ca,
    cert: options.tls?.cert,
    key: options.tls?.key,
    rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
  });
  let status: number | undefined;
  let noSubprotocol = false;
  socket.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
    status = response.statusCode;
    response.resume();
    socket.terminate();
  });
  socket.on('upgrade', (response: IncomingMessage) => {
    // §3.2: a CSMS that supports none of our versions completes the handshake without the header, then closes.
    noSubprotocol = response.headers['sec-websocket-protocol'] === undefined;
  });
  return {
    socket,
    failure(error) {
      if (status !== undefined) return new ConnectError('http-status', `CSMS refused the connection with HTTP ${status}`, { status, cause: error });
      if (noSubprotocol) {
        return new ConnectError('no-subprotocol', `CSMS accepted none of the offered OCPP versions (${options.protocols.join(', ')})`, { cause: error });
      }
      return new ConnectError('network', `connection to ${options.url} failed: ${error?.message ?? 'closed during handshake'}`, { cause: error });
    },
  };
}

/** Text of a received message, whatever buffer shape ws delivered it in. */
export function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
