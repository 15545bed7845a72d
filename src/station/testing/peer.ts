/**
 * A bare `ws` server that plays the CSMS in the station client's tests. Deliberately not the gateway: tests need
 * to see and send exact frames, refuse handshakes and misbehave on purpose.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import type { JsonObject } from '../../protocol/types.ts';

export type WireFrame = unknown[];

/** Answers a received CALL: a payload to reply with, or undefined to leave it unanswered. */
export type AutoAnswer = (action: string, payload: JsonObject, connection: PeerConnection) => JsonObject | undefined;

export interface PeerOptions {
  /** Subprotocol picked from the offer (in offer order); default the first. false: none (Part 4 §3.2). */
  chooseProtocol?: (offered: string[]) => string | false;
  perMessageDeflate?: boolean;
  autoPong?: boolean;
  port?: number;
}

/** Waits for items pushed later, with a timeout so a broken test fails instead of hanging. */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(what: string, timeoutMs: number): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter = (value: T): void => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(waiter);
    });
  }

  get size(): number {
    return this.items.length;
  }
}

export class PeerConnection {
  /** Every frame received, in order. */
  readonly frames: WireFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  pings = 0;
  private readonly unread = new Inbox<WireFrame>();

  constructor(
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    private readonly peer: CsmsPeer,
  ) {
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('ping', () => (this.pings += 1));
    socket.on('message', (data) => this.onMessage(String(data)));
  }

  private onMessage(text: string): void {
    const frame = JSON.parse(text) as WireFrame;
    this.frames.push(frame);
    const [type, id, action, payload] = frame;
    if (type === 2 && this.peer.autoAnswer) {
      const response = this.peer.autoAnswer(action as string, payload as JsonObject, this);
      if (response !== undefined) {
        this.send([3, id, response]);
        return;
      }
    }
    this.unread.push(frame);
  }

  /** The next received frame not consumed yet (auto-answered CALLs are not delivered here). */
  nextFrame(timeoutMs = 5000): Promise<WireFrame> {
    return this.unread.next('a frame from the station', timeoutMs);
  }

  get unreadFrames(): number {
    return this.unread.size;
  }

  send(frame: WireFrame): void {
    this.socket.send(JSON.stringify(frame));
  }
}

export class CsmsPeer {
  readonly server: WebSocketServer;
  /** Every upgrade request, accepted or refused. */
  readonly requests: IncomingMessage[] = [];
  readonly connections: PeerConnection[] = [];
  /** When set, upgrades are refused with this HTTP status (e.g. 401, 503). */
  refuseWith: number | undefined;
  autoAnswer: AutoAnswer | undefined;
  private fresh = new Inbox<PeerConnection>();

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket, request) => {
      const connection = new PeerConnection(socket, request, this);
      this.connections.push(connection);
      this.fresh.push(connection);
    });
  }

  static start(options: PeerOptions = {}): Promise<CsmsPeer> {
    return new Promise((resolve, reject) => {
      let peer: CsmsPeer | undefined = undefined;
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: options.port ?? 0,
        perMessageDeflate: options.perMessageDeflate ?? false,
        autoPong: options.autoPong ?? true,
        handleProtocols: (offered) => (options.chooseProtocol ?? ((list: string[]) => list[0] ?? false))([...offered]),
        verifyClient: (info, done) => {
          peer?.requests.push(info.req);
          if (peer?.refuseWith === undefined) done(true);
          else done(false, peer.refuseWith);
        },
      });
      const created = new CsmsPeer(server);
      peer = created;
      server.once('listening', () => resolve(created));
      server.once('error', reject);
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The CSMS endpoint URL to give the client (without identity). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/ocpp`;
  }

  nextConnection(timeoutMs = 5000): Promise<PeerConnection> {
    return this.fresh.next('a station connection', timeoutMs);
  }

  /** Between tests: connections made so far are no longer handed out by nextConnection(); settings reset. */
  reset(): void {
    this.fresh = new Inbox<PeerConnection>();
    this.refuseWith = undefined;
    this.autoAnswer = undefined;
  }

  /** Every frame received on every connection, in connection order. */
  allFrames(): WireFrame[] {
    return this.connections.flatMap((c) => c.frames);
  }

  /** Cuts every connection without a closing handshake, as a crashing CSMS would. */
  dropAll(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  stop(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
