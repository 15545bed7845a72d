/**
 * Helpers for the gateway's tests: a gateway on real http/https servers at 127.0.0.1:0, `ws` clients, and a raw
 * upgrade request for checks the `ws` client would hide (it fails by itself when no subprotocol comes back).
 * Not used by production code.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientOptions } from 'ws';
import { WebSocket } from 'ws';
import { HandlerRegistry } from '../protocol/handlers.ts';
import { createSchemaValidator } from '../protocol/schemas/validator.ts';
import type { PayloadValidator } from '../protocol/validator.ts';
import { silentLogger } from '../shared/logger.ts';
import type { OcppGatewayOptions } from './gateway.ts';
import { OcppGateway } from './gateway.ts';
import type { StationAccess } from './types.ts';

let validator: PayloadValidator | undefined;

/** The real schema validator, compiled once per test process. */
export function testValidator(): PayloadValidator {
  validator ??= createSchemaValidator();
  return validator;
}

/** Heartbeat and BootNotification answered on every version. */
export function testHandlers(): HandlerRegistry {
  const handlers = new HandlerRegistry();
  for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
    handlers.onRaw(version, 'Heartbeat', () => ({ currentTime: new Date().toISOString() }));
  }
  handlers.onRaw('ocpp1.6', 'BootNotification', () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 }));
  for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
    handlers.onRaw(version, 'BootNotification', () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 }));
  }
  return handlers;
}

export interface TestGatewayOptions extends Partial<OcppGatewayOptions> {
  /** Registered stations; the lookup answers from here. */
  stations?: Record<string, StationAccess>;
  /** Also start an https server with these options (wss://). */
  tls?: https.ServerOptions;
}

export interface TestGateway {
  gateway: OcppGateway;
  /** ws:// URL of `identity` (already percent-encoded path segment when `raw` is true). */
  url(identity: string, options?: { secure?: boolean; raw?: boolean }): string;
  close(): Promise<void>;
}

export async function startGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const { stations = {}, tls, ...rest } = options;
  const gateway = new OcppGateway({
    lookup: async (identity) => stations[identity],
    validator: testValidator(),
    handlers: testHandlers(),
    logger: silentLogger(),
    pingIntervalMs: 0,
    ...rest,
  });
  const plain = http.createServer();
  gateway.attach(plain);
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  let secure: https.Server | undefined;
  if (tls) {
    secure = https.createServer(tls);
    gateway.attach(secure);
    secure.listen(0, '127.0.0.1');
    await once(secure, 'listening');
  }
  const port = (server: http.Server | https.Server): number => (server.address() as AddressInfo).port;
  return {
    gateway,
    url(identity, { secure: useTls = false, raw = false } = {}) {
      const segment = raw ? identity : encodeURIComponent(identity);
      if (useTls) {
        if (!secure) throw new Error('no TLS server started');
        return `wss://127.0.0.1:${port(secure)}/ocpp/${segment}`;
      }
      return `ws://127.0.0.1:${port(plain)}/ocpp/${segment}`;
    },
    async close() {
      await gateway.close();
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
      if (secure) {
        secure.closeAllConnections();
        const server = secure;
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

export type ConnectResult =
  | { kind: 'open'; ws: WebSocket }
  | { kind: 'refused'; status: number; headers: http.IncomingHttpHeaders }
  | { kind: 'error'; error: Error };

/** Opens a `ws` client and reports how the handshake ended. */
export function connect(url: string, protocols: string | string[] | undefined, options: ClientOptions = {}): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const ws = protocols === undefined ? new WebSocket(url, options) : new WebSocket(url, protocols, options);
    ws.once('open', () => resolve({ kind: 'open', ws }));
    ws.once('unexpected-response', (_request, response) => {
      resolve({ kind: 'refused', status: response.statusCode ?? 0, headers: response.headers });
      response.resume();
      ws.terminate();
    });
    ws.once('error', (error) => resolve({ kind: 'error', error }));
  });
}

/** Connects and fails the test unless the handshake succeeded. */
export async function open(url: string, protocols: string | string[] | undefined, options: ClientOptions = {}): Promise<WebSocket> {
  const result = await connect(url, protocols, options);
  if (result.kind !== 'open') {
    throw new Error(`expected an open connection, got ${result.kind === 'refused' ? `HTTP ${result.status}` : result.error.message}`);
  }
  return result.ws;
}

export function basicAuth(username: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** Resolves with the close code and reason the client sees. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: 1006, reason: '' });
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** Sends one OCPP-J frame and resolves with the next message that has the same message id. */
export function roundTrip(ws: WebSocket, frame: unknown[]): Promise<unknown[]> {
  const id = frame[1];
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[1] !== id) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(frame));
  });
}

export interface RawUpgrade {
  status: number;
  headers: http.IncomingHttpHeaders;
  socket: Duplex;
  /** Bytes received after the 101 response head. */
  head: Buffer;
}

/** Sends a hand-made upgrade request, so tests can send odd headers and read the raw answer. */
export function rawUpgrade(url: string, headers: Record<string, string>): Promise<RawUpgrade> {
  return new Promise((resolve, reject) => {
    const request = http.request(url.replace(/^ws:/, 'http:'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('joule-test-key-1').toString('base64'),
        ...headers,
      },
    });
    request.once('upgrade', (response, socket, head) => resolve({ status: response.statusCode ?? 0, headers: response.headers, socket, head }));
    request.once('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers, socket: response.socket, head: Buffer.alloc(0) });
    });
    request.once('error', reject);
    request.end();
  });
}

/** Reads the first (unmasked, server-sent) close frame from a raw socket: code and reason. */
export function readCloseFrame(upgrade: RawUpgrade): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    let buffer = upgrade.head;
    const tryParse = (): boolean => {
      if (buffer.length < 2) return false;
      const opcode = (buffer[0] as number) & 0x0f;
      const length = (buffer[1] as number) & 0x7f; // close frames are at most 125 bytes
      if (buffer.length < 2 + length) return false;
      if (opcode !== 0x8) {
        reject(new Error(`expected a close frame, got opcode ${opcode}`));
        return true;
      }
      const payload = buffer.subarray(2, 2 + length);
      resolve({ code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString() });
      return true;
    };
    if (tryParse()) return;
    upgrade.socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      tryParse();
    });
    upgrade.socket.once('close', () => reject(new Error('socket closed before a close frame arrived')));
  });
}
