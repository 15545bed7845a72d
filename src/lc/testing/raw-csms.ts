/**
 * Test support: a bare `ws` server playing the CSMS that records every message as the exact text received and
 * sends exact texts, so tests can compare bytes with and without the Local Controller. Not the gateway: it must
 * not parse, re-serialise or answer anything on its own unless told.
 */
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

export interface RawCsmsOptions {
  /** Subprotocol picked from the offer; default the first. false: none (Part 4 §3.2). */
  chooseProtocol?: (offered: string[]) => string | false;
  perMessageDeflate?: boolean;
  /** wss with this server certificate; `ca` also requests (and requires) client certificates. */
  tls?: { cert: string; key: string; ca?: string };
  /** Answers a received text with a text to send back, or undefined to leave it to the test. */
  autoAnswer?: (text: string, connection: RawConnection) => string | undefined;
  /** Default 0: the OS chooses. */
  port?: number;
}

/** Resolves the next item pushed, in order. */
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
      const waiter = (value: T): void => {
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

export class RawConnection {
  /** Every text received, exactly as received. */
  readonly received: string[] = [];
  /** Every text sent by this side. */
  readonly sent: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly unread = new Inbox<string>();

  constructor(
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    autoAnswer: RawCsmsOptions['autoAnswer'],
  ) {
    this.closed = new Promise((resolve) => socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data: RawData) => {
      const text = String(data);
      this.received.push(text);
      const answer = autoAnswer?.(text, this);
      if (answer !== undefined) this.send(answer);
      else this.unread.push(text);
    });
  }

  /** The next received text that was not auto-answered. */
  next(timeoutMs = 5000): Promise<string> {
    return this.unread.next('a message at the CSMS', timeoutMs);
  }

  send(text: string): void {
    this.sent.push(text);
    this.socket.send(text);
  }
}

export class RawCsms {
  readonly requests: IncomingMessage[] = [];
  readonly connections: RawConnection[] = [];
  /** When set, upgrades are refused with this status. */
  refuseWith: number | undefined;
  private readonly fresh = new Inbox<RawConnection>();

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly https: HttpsServer | undefined,
    readonly scheme: 'ws' | 'wss',
  ) {}

  static async start(options: RawCsmsOptions = {}): Promise<RawCsms> {
    const tls = options.tls;
    const https = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.ca !== undefined, rejectUnauthorized: true }) : undefined;
    // verifyClient runs before the server object exists, so it reaches it through this holder.
    const ref: { csms?: RawCsms } = {};
    const wss = new WebSocketServer({
      ...(https ? { server: https } : { port: options.port ?? 0, host: '127.0.0.1' }),
      perMessageDeflate: options.perMessageDeflate ?? false,
      handleProtocols: (offered) => (options.chooseProtocol ?? ((list: string[]) => list[0] ?? false))([...offered]),
      verifyClient: (info, done) => {
        const csms = ref.csms;
        csms?.requests.push(info.req);
        if (csms?.refuseWith === undefined) done(true);
        else done(false, csms.refuseWith, undefined, csms.refuseWith === 401 ? { 'WWW-Authenticate': 'Basic realm="Raw"' } : undefined);
      },
    });
    const created = new RawCsms(wss, https, https ? 'wss' : 'ws');
    ref.csms = created;
    wss.on('connection', (socket, request) => {
      const connection = new RawConnection(socket, request, options.autoAnswer);
      created.connections.push(connection);
      created.fresh.push(connection);
    });
    if (https) await new Promise<void>((resolve) => https.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
    else await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return created;
  }

  get port(): number {
    return ((this.https ?? this.wss).address() as AddressInfo).port;
  }

  /** The OCPP-J endpoint URL (without identity). */
  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}/ocpp`;
  }

  nextConnection(timeoutMs = 5000): Promise<RawConnection> {
    return this.fresh.next('a connection at the CSMS', timeoutMs);
  }

  /** Cuts every connection without a closing handshake, as a crashing CSMS would. */
  dropAll(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const https = this.https;
    if (https) await new Promise<void>((resolve) => https.close(() => resolve()));
  }
}
