/**
 * One accepted station connection: the `ws` socket, the RpcEndpoint on top of it and the keepalive handle.
 *
 * Memory matters at 10 000 connections, so the socket events go to shared module-level listeners (`this` is the
 * socket, which carries its Connection) instead of closures per connection, and nothing is allocated per message
 * beyond the decoded text.
 */
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { RpcEndpoint, RpcTransport } from '../protocol/endpoint.ts';
import { SEND_COMPRESSED, SEND_UNCOMPRESSED } from './compression.ts';
import type { KeepaliveHandle, KeepaliveTarget } from './keepalive.ts';
import type { ConnectInfo } from './types.ts';

/** Close codes the gateway sends (RFC 6455 §7.4; 4000-4999 are for applications). */
export const CloseCode = {
  /** Server shutdown (RFC 6455 "going away"). */
  GOING_AWAY: 1001,
  /** No common OCPP subprotocol (Part 4 §3.2: complete the handshake, then close at once). */
  PROTOCOL_ERROR: 1002,
  /** A binary frame: OCPP-J is text only (Part 4 §4.1.2). */
  UNSUPPORTED_DATA: 1003,
  /** Too many malformed messages (sent by RpcEndpoint). */
  POLICY_VIOLATION: 1008,
  /** Message larger than maxPayloadBytes (sent by `ws`). */
  MESSAGE_TOO_BIG: 1009,
  /** Another connection with the same identity took over. */
  REPLACED: 4001,
} as const;

export const CloseReason = {
  SHUTDOWN: 'Server shutting down',
  NO_SUBPROTOCOL: 'No supported OCPP subprotocol',
  BINARY: 'Binary frames are not supported',
  REPLACED: 'Replaced by a new connection',
  PONG_TIMEOUT: 'Pong timeout',
} as const;

/** What a connection reports to the gateway that owns it. */
export interface ConnectionOwner {
  readonly compressThreshold: number;
  connectionClosed(connection: Connection, code: number, reason: string): void;
  pongReceived(connection: Connection): void;
  pongTimedOut(connection: Connection): void;
  socketError(connection: Connection, error: Error): void;
}

/** The `ws` socket class the gateway's servers create, so each socket can point to its Connection. */
export class GatewaySocket extends WebSocket {
  connection: Connection | undefined;
}

export class Connection implements RpcTransport, KeepaliveTarget {
  /** Set right after construction (the endpoint needs this object as its transport). */
  endpoint!: RpcEndpoint;
  keepalive: KeepaliveHandle | undefined;
  /** True once the gateway has finished with it (closed, replaced or shut down); later events are ignored. */
  detached = false;
  /** Why the gateway itself ended the connection, reported instead of the empty reason of an abnormal close. */
  closeNote: string | undefined;

  constructor(
    readonly socket: GatewaySocket,
    readonly info: ConnectInfo,
    readonly owner: ConnectionOwner,
  ) {
    socket.connection = this;
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.on('error', onError);
  }

  get identity(): string {
    return this.info.identity;
  }

  // RpcTransport
  send(data: string): void {
    this.socket.send(data, data.length < this.owner.compressThreshold ? SEND_UNCOMPRESSED : SEND_COMPRESSED);
  }

  close(code: number, reason: string): void {
    try {
      this.socket.close(code, reason);
    } catch {
      // Invalid code or over-long reason: do not leave the socket open because of it.
      this.socket.terminate();
    }
  }

  // KeepaliveTarget
  ping(): void {
    this.socket.ping();
  }

  onPongTimeout(): void {
    this.owner.pongTimedOut(this);
  }

  /** Drops the socket without a close handshake. */
  terminate(note: string): void {
    this.closeNote = note;
    this.socket.terminate();
  }
}

function decode(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const connection = (this as GatewaySocket).connection;
  if (connection === undefined || connection.detached) return;
  if (isBinary) {
    connection.close(CloseCode.UNSUPPORTED_DATA, CloseReason.BINARY);
    return;
  }
  connection.endpoint.receive(decode(data));
}

function onPong(this: WebSocket): void {
  const connection = (this as GatewaySocket).connection;
  if (connection !== undefined) connection.owner.pongReceived(connection);
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const socket = this as GatewaySocket;
  const connection = socket.connection;
  if (connection === undefined) return;
  socket.connection = undefined;
  connection.owner.connectionClosed(connection, code, connection.closeNote ?? reason.toString('utf8'));
}

function onError(this: WebSocket, error: Error): void {
  // `ws` closes the socket itself after a protocol error (e.g. 1009 for an oversized message); just report it.
  const connection = (this as GatewaySocket).connection;
  if (connection !== undefined) connection.owner.socketError(connection, error);
}
