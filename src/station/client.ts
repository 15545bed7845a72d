/**
 * StationClient: the Charging Station side of an OCPP-J connection. Used by tests, the simulator and the Local
 * Controller. It opens the WebSocket (socket.ts), runs one RpcEndpoint per connection, and adds what a station
 * needs on top of the RPC:
 * - reconnect with the Part 4 §5.3 back-off after any unexpected close or failed attempt;
 * - an outgoing FIFO that survives disconnects: calls made offline wait (bounded, timeout includes the wait)
 *   and go out in order after reconnecting; only the CALL on the wire when the connection drops fails;
 * - BootNotification not repeated after a reconnect unless its content changed (§5.3).
 */
import type { RawData } from 'ws';
import WebSocket from 'ws';
import type { CallHandler, HandlerLookup } from '../protocol/endpoint.ts';
import { RpcEndpoint } from '../protocol/endpoint.ts';
import { CallTimeoutError, OfflineError } from '../protocol/errors.ts';
import type { ActionName, RequestOf, ResponseOf } from '../protocol/generated/index.ts';
import type { JsonObject, OcppVersion } from '../protocol/types.ts';
import { isOcppVersion } from '../protocol/types.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { BackoffConfig } from './backoff.ts';
import { BackoffSchedule } from './backoff.ts';
import type { BootOutcome } from './boot.ts';
import { BootTracker, parseBootResponse } from './boot.ts';
import { CallQueue } from './call-queue.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { systemClock } from './clock.ts';
import { ConnectError } from './errors.ts';
import type { Listener } from './events.ts';
import { Listeners } from './events.ts';
import type { StationClientEvents, StationClientOptions } from './options.ts';
import { checkUrl } from './options.ts';
import type { OpeningSocket, SocketOptions } from './socket.ts';
import { checkIdentity, openSocket, rawToText } from './socket.ts';

type State = 'idle' | 'connecting' | 'open' | 'waiting';

interface Waiter<V> {
  resolve: (version: V) => void;
  reject: (error: Error) => void;
}

const NO_HANDLERS: HandlerLookup = { resolve: (): CallHandler | undefined => undefined };

export type { StationClientEvents, StationClientOptions } from './options.ts';

export class StationClient<V extends OcppVersion = OcppVersion> {
  readonly identity: string;
  private readonly options: StationClientOptions<V>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly backoff: BackoffSchedule;
  private readonly queue: CallQueue;
  private readonly boots = new BootTracker();
  private readonly listeners: Listeners<StationClientEvents<V>>;
  private readonly callTimeoutMs: number;

  private state: State = 'idle';
  /** close() was called: no reconnect until connect() is called again. */
  private stopped = false;
  private socket: WebSocket | undefined;
  private endpoint: RpcEndpoint<V> | undefined;
  /** The endpoint our in-flight CALL went out on; at most one CALL is outstanding (§4.1.1). */
  private inFlightOn: RpcEndpoint<V> | undefined;
  private negotiated: V | undefined;
  private waiters: Waiter<V>[] = [];
  private reconnectTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  /** Sockets that were pinged and have not answered yet. */
  private readonly pongPending = new WeakSet<WebSocket>();
  private readonly sleeps = new Set<{ timer: TimerHandle; reject: (error: Error) => void }>();

  constructor(options: StationClientOptions<V>) {
    checkIdentity(options.identity);
    checkUrl(options.url);
    if (options.protocols.length === 0 || !options.protocols.every(isOcppVersion)) throw new RangeError('protocols must list at least one OCPP version');
    this.identity = options.identity;
    this.options = options;
    this.log = (options.logger ?? silentLogger()).child({ station: options.identity, side: 'station' });
    this.clock = options.clock ?? systemClock;
    this.backoff = new BackoffSchedule(options.backoff, options.random ?? Math.random);
    this.queue = new CallQueue(this.clock, options.identity, options.maxOfflineQueue ?? 100);
    this.listeners = new Listeners(this.log);
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
  }

  // ---------------------------------------------------------------- state and events

  /** The version negotiated on the current (or last) connection. */
  get version(): V | undefined {
    return this.negotiated;
  }

  get isConnected(): boolean {
    return this.state === 'open';
  }

  /** Calls waiting to be sent (not counting the one on the wire). */
  get queuedCalls(): number {
    return this.queue.length;
  }

  /** Current RetryBackOff* values. */
  get backoffSettings(): BackoffConfig {
    return this.backoff.settings;
  }

  /** Clock time before which the CSMS asked us not to send BootNotification again (Pending/Rejected), if any. */
  get nextBootAt(): number | undefined {
    return this.boots.nextBootAt;
  }

  on<K extends keyof StationClientEvents<V>>(event: K, listener: Listener<StationClientEvents<V>[K]>): () => void {
    return this.listeners.on(event, listener);
  }

  off<K extends keyof StationClientEvents<V>>(event: K, listener: Listener<StationClientEvents<V>[K]>): void {
    this.listeners.off(event, listener);
  }

  /** The CSMS changed RetryBackOff* (SetVariables / ChangeConfiguration); applies from the next wait. */
  configureBackoff(changes: Partial<BackoffConfig>): void {
    this.backoff.configure(changes);
  }

  // ---------------------------------------------------------------- connecting

  /**
   * Opens the connection; resolves with the negotiated version. Rejects with a ConnectError if this attempt
   * fails; with `reconnect` on, the client then keeps trying by the back-off schedule (watch 'open').
   */
  connect(): Promise<V> {
    this.stopped = false;
    if (this.state === 'open' && this.negotiated !== undefined) return Promise.resolve(this.negotiated);
    const promise = new Promise<V>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.state !== 'connecting') {
      this.cancelReconnect();
      this.attempt();
    }
    return promise;
  }

  private attempt(): void {
    this.state = 'connecting';
    let opening: OpeningSocket;
    try {
      opening = openSocket(this.socketOptions());
    } catch (error) {
      // ws throws synchronously for options it cannot use; this must not escape a reconnect timer.
      this.onAttemptFailed(new ConnectError('network', `cannot open ${this.options.url}: ${asError(error).message}`, { cause: error }));
      return;
    }
    const socket = opening.socket;
    this.socket = socket;
    let opened = false;
    let lastError: Error | undefined;
    socket.on('error', (error: Error) => {
      lastError = error;
      // Before 'open' the close handler reports a ConnectError; afterwards errors only precede the close.
      if (opened && socket === this.socket) this.listeners.emit('error', error);
    });
    socket.on('open', () => {
      if (socket !== this.socket) return;
      if (!this.options.protocols.some((offered) => offered === socket.protocol)) {
        // ws already refuses a subprotocol we did not offer; this guards an empty one. Counts as a failed attempt.
        socket.terminate();
        return;
      }
      opened = true;
      this.onOpen(socket);
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (socket === this.socket) this.onMessage(data, isBinary);
    });
    socket.on('pong', () => {
      this.pongPending.delete(socket);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      if (opened) this.onClosed(code, reason.toString('utf8'));
      else this.onAttemptFailed(opening.failure(lastError));
    });
  }

  private socketOptions(): SocketOptions {
    return {
      url: this.options.url,
      identity: this.identity,
      protocols: this.options.protocols,
      password: this.options.password,
      tls: this.options.tls,
      compression: this.options.compression ?? true,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 30_000,
      maxPayload: this.options.maxPayload,
    };
  }

  private onOpen(socket: WebSocket): void {
    const negotiated = socket.protocol as V;
    this.negotiated = negotiated;
    this.state = 'open';
    this.backoff.reset();
    this.endpoint = new RpcEndpoint<V>({
      identity: this.identity,
      version: negotiated,
      transport: {
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
      },
      validator: this.options.validator,
      handlers: this.options.handlers ?? NO_HANDLERS,
      logger: this.log,
      strictness: this.options.strictness,
      callTimeoutMs: this.callTimeoutMs,
      onFrame: this.options.onFrame,
      onViolation: this.options.onViolation,
      ...(this.options.signing ? { signing: this.options.signing } : {}),
    });
    this.log.info({ version: negotiated, extensions: socket.extensions }, 'connected to CSMS');
    this.startPing(socket);
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter.resolve(negotiated);
    this.listeners.emit('open', negotiated);
    this.pump();
  }

  private onAttemptFailed(error: ConnectError): void {
    this.state = 'idle';
    this.log.warn({ failure: error.failure, status: error.status, err: error.cause }, error.message);
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter.reject(error);
    this.listeners.emit('error', error);
    this.scheduleReconnect();
  }

  private onClosed(code: number, reason: string): void {
    this.state = 'idle';
    this.stopPing();
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    this.inFlightOn = undefined;
    // The CALL on the wire may or may not have been processed: it fails; queued calls wait for the next connection.
    endpoint?.handleClose(`connection closed (${code}${reason ? ` ${reason}` : ''})`);
    this.log.info({ code, reason }, 'connection to CSMS closed');
    this.listeners.emit('close', code, reason);
    this.scheduleReconnect();
  }

  /** §5.3: after a lost connection or a failed attempt, wait by the back-off schedule, then try again. */
  private scheduleReconnect(): void {
    if (this.stopped || this.options.reconnect === false) return;
    const delayMs = this.backoff.next();
    const attempt = this.backoff.attempt;
    this.state = 'waiting';
    this.log.info({ attempt, delayMs }, 'reconnecting after back-off');
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped && this.state === 'waiting') this.attempt();
    }, delayMs);
    this.listeners.emit('reconnecting', attempt, delayMs);
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer === undefined) return;
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      // OCPP-J messages are UTF-8 JSON text (Part 4 §4.1.2); a binary frame is none.
      this.log.warn('binary WebSocket message ignored');
      return;
    }
    this.endpoint?.receive(rawToText(data));
  }

  // ---------------------------------------------------------------- ping

  private startPing(socket: WebSocket): void {
    const interval = this.options.pingIntervalMs ?? 0;
    if (interval <= 0) return;
    const tick = (): void => {
      if (this.pongPending.has(socket)) {
        // No pong since the last ping: the link is dead; terminating leads to a reconnect (EVerest #1808).
        this.log.warn('no pong from CSMS: dropping the connection');
        socket.terminate();
        return;
      }
      this.pongPending.add(socket);
      socket.ping();
      this.pingTimer = this.clock.setTimeout(tick, interval);
    };
    this.pingTimer = this.clock.setTimeout(tick, interval);
  }

  private stopPing(): void {
    if (this.pingTimer === undefined) return;
    this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  // ---------------------------------------------------------------- calls

  /** Typed CALL; while offline it waits in the queue (its timeout running) and is sent after reconnecting. */
  call<A extends ActionName<V>>(action: A, payload: RequestOf<V, A>, options?: { timeoutMs?: number }): Promise<ResponseOf<V, A>> {
    return this.callRaw(action, payload as JsonObject, options) as Promise<ResponseOf<V, A>>;
  }

  /** Untyped CALL, validated against the negotiated version's schema when it is sent. */
  callRaw(action: string, payload: JsonObject, options?: { timeoutMs?: number }): Promise<JsonObject> {
    if (this.stopped) return Promise.reject(new OfflineError(this.identity, 'client closed'));
    const promise = this.queue.push(action, payload, options?.timeoutMs ?? this.callTimeoutMs);
    this.pump();
    return promise;
  }

  /** 2.1 SEND: never answered and never queued; throws OfflineError while disconnected. */
  send(action: string, payload: JsonObject): void {
    if (!this.endpoint) throw new OfflineError(this.identity, 'not connected');
    this.endpoint.send(action, payload);
  }

  /** Hands the oldest queued call to the endpoint when connected and nothing is outstanding. */
  private pump(): void {
    const endpoint = this.endpoint;
    while (endpoint && this.inFlightOn === undefined) {
      const item = this.queue.shift();
      if (!item) return;
      const remainingMs = this.queue.remainingMs(item);
      if (remainingMs <= 0) {
        item.reject(new CallTimeoutError(item.action, item.timeoutMs));
        continue;
      }
      this.inFlightOn = endpoint;
      const signed = this.options.signing?.signCall !== undefined && this.options.signCalls?.(item.action) === true;
      (signed ? endpoint.callSignedRaw(item.action, item.payload, { timeoutMs: remainingMs }) : endpoint.callRaw(item.action, item.payload, { timeoutMs: remainingMs })).then(
        (response) => {
          this.finishInFlight(endpoint);
          item.resolve(response);
        },
        (error: unknown) => {
          this.finishInFlight(endpoint);
          // Report the caller's timeout, not the remainder the endpoint was given.
          item.reject(error instanceof CallTimeoutError ? new CallTimeoutError(item.action, item.timeoutMs) : asError(error));
        },
      );
    }
  }

  private finishInFlight(endpoint: RpcEndpoint<V>): void {
    if (this.inFlightOn !== endpoint) return;
    this.inFlightOn = undefined;
    this.pump();
  }

  // ---------------------------------------------------------------- BootNotification

  /**
   * Sends BootNotification unless the last Accepted one had the same content on the same version (§5.3: not
   * repeated after a reconnect unless something changed); `force` sends anyway (TriggerMessage, reboot).
   * After Pending/Rejected it first waits the interval the CSMS gave. Sends once; see bootUntilAccepted.
   */
  async boot(payload: JsonObject, options: { force?: boolean } = {}): Promise<BootOutcome> {
    const known = options.force ? undefined : this.boots.current(this.negotiated, payload);
    if (known) return { sent: false, response: known };
    const retryAt = this.boots.nextBootAt;
    if (retryAt !== undefined) await this.sleep(retryAt - this.clock.now());
    const raw = await this.callRaw('BootNotification', payload);
    const response = parseBootResponse(raw);
    const version = this.negotiated;
    if (version !== undefined) this.boots.record(version, payload, response, this.clock.now());
    return { sent: true, response };
  }

  /** boot() until Accepted or `maxAttempts` answers (each retry waits the CSMS's interval); the last outcome. */
  async bootUntilAccepted(payload: JsonObject, maxAttempts: number): Promise<BootOutcome> {
    let outcome = await this.boot(payload);
    for (let attempt = 1; attempt < maxAttempts && outcome.response.status !== 'Accepted'; attempt += 1) {
      outcome = await this.boot(payload);
    }
    return outcome;
  }

  /** A wait that close() cancels (rejecting with OfflineError). */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const entry = { timer: undefined as TimerHandle, reject };
      entry.timer = this.clock.setTimeout(() => {
        this.sleeps.delete(entry);
        resolve();
      }, ms);
      this.sleeps.add(entry);
    });
  }

  // ---------------------------------------------------------------- closing

  /**
   * Closes for good (no reconnect): queued and outstanding calls fail with OfflineError, a pending connect()
   * rejects, every timer is cleared. Resolves when the socket has closed.
   */
  close(code = 1000, reason = ''): Promise<void> {
    this.stopped = true;
    this.cancelReconnect();
    this.stopPing();
    const offline = new OfflineError(this.identity, 'client closed');
    for (const sleep of this.sleeps) {
      this.clock.clearTimeout(sleep.timer);
      sleep.reject(offline);
    }
    this.sleeps.clear();
    this.queue.failAll(offline);
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter.reject(new ConnectError('aborted', 'connect aborted: client closed'));
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    this.inFlightOn = undefined;
    endpoint?.handleClose('client closed');
    const socket = this.socket;
    this.socket = undefined;
    this.state = 'idle';
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    const wasOpen = socket.readyState !== WebSocket.CONNECTING;
    return new Promise<void>((resolve) => {
      socket.once('close', (closeCode: number, closeReason: Buffer) => {
        if (wasOpen) this.listeners.emit('close', closeCode, closeReason.toString('utf8'));
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
