/**
 * OcppGateway: the server side of OCPP-J (Part 4 §3, §5) on top of `ws`. It takes over the HTTP `upgrade` event of
 * one or more servers (ws:// and wss:// at once), decides each handshake (handshake/), upgrades accepted stations
 * to an RpcEndpoint of the negotiated version and keeps them in a registry.
 *
 * Decisions worth knowing (to be mirrored in docs/):
 * - A second connection for an identity that is connected REPLACES the first: the old endpoint's pending calls
 *   fail at once with OfflineError, `onDisconnect(identity, 4001, 'Replaced by a new connection')` fires, and only
 *   then `onConnect` for the new one, so listeners always see connect/disconnect alternate per identity. The old
 *   socket is closed with 4001. (A station usually reconnects because its old connection died unnoticed.)
 * - No common subprotocol, or no subprotocol and no fallback: the handshake completes without
 *   `Sec-WebSocket-Protocol` (Part 4 §3.2) and the socket is closed at once with 1002 'No supported OCPP subprotocol'.
 * - Binary frames are closed with 1003; messages over `maxPayloadBytes` with 1009 (by `ws`); too many bad messages
 *   with 1008 (by RpcEndpoint); `close()` uses 1001; a station that misses a pong is terminated (1006).
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Server as WsServer, ServerOptions } from 'ws';
import type { FrameEvent, HandlerLookup, ViolationEvent } from '../protocol/endpoint.ts';
import { RpcEndpoint } from '../protocol/endpoint.ts';
import { OfflineError } from '../protocol/errors.ts';
import type { JsonObject, OcppVersion } from '../protocol/types.ts';
import { OCPP_VERSIONS } from '../protocol/types.ts';
import type { PayloadValidator, Strictness } from '../protocol/validator.ts';
import type { Logger } from '../shared/logger.ts';
import type { FailureDelayOptions } from '../shared/rate-limit.ts';
import { FailureDelay } from '../shared/rate-limit.ts';
import type { CompressionOptions, ResolvedCompression } from './compression.ts';
import { offersClientWindowBits, outgoingThreshold, perMessageDeflateOption, resolveCompression } from './compression.ts';
import type { ConnectionOwner } from './connection.ts';
import { CloseCode, CloseReason, Connection, GatewaySocket } from './connection.ts';
import type { AbortCause, HandshakeDecision, HandshakeSettings } from './handshake/handshake.ts';
import { evaluateHandshake } from './handshake/handshake.ts';
import { isUnderPrefix, normalizePrefix, pathOf } from './handshake/identity.ts';
import { rejectHandshake } from './handshake/reject.ts';
import { parseCaCertificates } from './handshake/tls-identity.ts';
import { KeepaliveWheel } from './keepalive.ts';
import { StationRegistry } from './registry.ts';
import type { ConnectInfo, ConnectListener, DisconnectListener, StationAccess, StationLookup } from './types.ts';

export interface OcppGatewayOptions {
  /** Finds a station by identity; injected by the CSMS domain. */
  lookup: StationLookup;
  validator: PayloadValidator;
  handlers: HandlerLookup;
  logger: Logger;
  onFrame?: (event: FrameEvent) => void;
  onViolation?: (event: ViolationEvent) => void;
  /** Accept identities the lookup does not know, with `unknownStationAccess` (default false: HTTP 404). */
  allowUnknownStations?: boolean;
  /** Access for unknown stations when they are allowed (default: profile 0, every version). */
  unknownStationAccess?: StationAccess;
  /** Versions this gateway speaks (default: ocpp2.1, ocpp2.0.1, ocpp1.6). */
  supportedVersions?: readonly OcppVersion[];
  /** Default treatment of schema violations for stations without their own setting (default 'strict'). */
  strictness?: Strictness;
  /** RpcEndpoint: call timeout incl. queue time (default 30 000 ms). */
  callTimeoutMs?: number;
  /** RpcEndpoint: calls that may wait behind the outstanding one (default 100). */
  maxQueuedCalls?: number;
  /** RpcEndpoint: bad messages before close 1008 (default 20; 0 = unlimited). */
  maxBadMessages?: number;
  /** Largest message in bytes, after decompression (default 65 536); larger → close 1009. */
  maxPayloadBytes?: number;
  /** WebSocket ping interval (default 30 000 ms; 0 = no pings). */
  pingIntervalMs?: number;
  /** Terminate when the pong does not come within this time (default 10 000 ms). */
  pongTimeoutMs?: number;
  compression?: CompressionOptions;
  /** OCPP-J endpoint path; the identity is the last segment below it (default '/ocpp'). */
  pathPrefix?: string;
  /** CAs whose station certificates are accepted for security profile 3 (PEM bundles, DER or X509Certificate). */
  caCertificates?: ReadonlyArray<string | Buffer | X509Certificate>;
  /** Slow-down of repeated authentication failures per remote address. */
  authFailure?: FailureDelayOptions;
  /** Longest time a handshake may take, lookup and password check included (default 10 000 ms) → 503. */
  handshakeTimeoutMs?: number;
  /** How long `close()` waits for stations to answer the close frame before dropping them (default 5 000 ms). */
  closeTimeoutMs?: number;
}

interface PendingHandshake {
  controller: AbortController;
  timer: NodeJS.Timeout;
}

type AttachedServer = HttpServer | HttpsServer;

function ignoreError(): void {
  // Handshake sockets: errors (ECONNRESET …) end in 'close'; an 'error' without listener would crash the process.
}

export class OcppGateway {
  private readonly options: OcppGatewayOptions;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly compression: ResolvedCompression;
  private readonly handshakeSettings: HandshakeSettings;
  private readonly failures: FailureDelay;
  /** Two servers only differ in how they negotiate the station's deflate window (see compression.ts). */
  private readonly wssBounded: WsServer<typeof GatewaySocket>;
  private readonly wssUnbounded: WsServer<typeof GatewaySocket>;
  /** The subprotocol chosen for each request in flight, read by `handleProtocols`. */
  private readonly chosenProtocol = new WeakMap<IncomingMessage, string | false>();
  private readonly registry = new StationRegistry<Connection>();
  /** Every upgraded socket until its 'close', including ones that never became a Connection. */
  private readonly sockets = new Set<GatewaySocket>();
  private readonly handshakes = new Set<PendingHandshake>();
  private readonly keepalive: KeepaliveWheel | undefined;
  private readonly servers = new Set<AttachedServer>();
  private readonly connectListeners: ConnectListener[] = [];
  private readonly disconnectListeners: DisconnectListener[] = [];
  private readonly owner: ConnectionOwner;
  private readonly upgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.onUpgrade(request, socket as Socket, head);
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(options: OcppGatewayOptions) {
    this.options = options;
    this.log = options.logger;
    this.prefix = normalizePrefix(options.pathPrefix ?? '/ocpp');
    this.compression = resolveCompression(options.compression);
    const maxPayload = options.maxPayloadBytes ?? 65_536;
    if (!(maxPayload > 0)) throw new RangeError('maxPayloadBytes must be > 0');
    this.failures = new FailureDelay(options.authFailure);
    this.handshakeSettings = {
      pathPrefix: this.prefix,
      lookup: options.lookup,
      allowUnknownStations: options.allowUnknownStations ?? false,
      unknownStationAccess: options.unknownStationAccess ?? { securityProfile: 0 },
      trustedCas: parseCaCertificates(options.caCertificates ?? []),
      supportedVersions: options.supportedVersions ?? OCPP_VERSIONS,
      failures: this.failures,
      logger: this.log,
    };
    const serverOptions = (boundClientWindow: boolean): ServerOptions<typeof GatewaySocket> => ({
      noServer: true,
      clientTracking: false,
      maxPayload,
      perMessageDeflate: perMessageDeflateOption(this.compression, boundClientWindow),
      handleProtocols: (_offered, request) => this.chosenProtocol.get(request) ?? false,
      WebSocket: GatewaySocket,
    });
    this.wssBounded = new WebSocketServer<typeof GatewaySocket>(serverOptions(true));
    this.wssUnbounded = this.compression.enabled ? new WebSocketServer<typeof GatewaySocket>(serverOptions(false)) : this.wssBounded;

    const pingIntervalMs = options.pingIntervalMs ?? 30_000;
    if (pingIntervalMs < 0) throw new RangeError('pingIntervalMs must be >= 0');
    this.keepalive = pingIntervalMs > 0 ? new KeepaliveWheel({ pingIntervalMs, pongTimeoutMs: options.pongTimeoutMs ?? 10_000 }) : undefined;

    this.owner = {
      compressThreshold: outgoingThreshold(this.compression),
      connectionClosed: (connection, code, reason) => this.onConnectionClosed(connection, code, reason),
      pongReceived: (connection) => {
        if (connection.keepalive) this.keepalive?.pong(connection.keepalive);
      },
      pongTimedOut: (connection) => {
        this.log.warn({ station: connection.identity }, 'no pong within the timeout: terminating the connection');
        connection.keepalive = undefined;
        connection.terminate(CloseReason.PONG_TIMEOUT);
      },
      socketError: (connection, error) => this.log.warn({ station: connection.identity, err: error }, 'websocket error'),
    };
  }

  // ------------------------------------------------------------------ public API

  /**
   * Handles the `upgrade` event of `server` for paths under the prefix (others get 404). Call it once per server;
   * one gateway can serve a plain and a TLS server at once. For security profile 3 the https server must be
   * created with `requestCert: true, rejectUnauthorized: false` and `ca` set to the station CA, so the gateway
   * can answer 401 itself. Returns a function that detaches again.
   */
  attach(server: AttachedServer): () => void {
    if (this.closing) throw new Error('gateway is closed');
    if (!this.servers.has(server)) {
      this.servers.add(server);
      server.on('upgrade', this.upgradeListener);
    }
    return () => this.detachServer(server);
  }

  /** The endpoint of a connected station. */
  endpoint(identity: string): RpcEndpoint | undefined {
    return this.registry.get(identity)?.endpoint;
  }

  /** Identities of the stations connected now. */
  connectedIdentities(): string[] {
    return this.registry.identities();
  }

  /** Facts about the current connection of a station. */
  connectionInfo(identity: string): ConnectInfo | undefined {
    return this.registry.get(identity)?.info;
  }

  /** Sends a CALL to a connected station (untyped; use `endpoint(identity)` for the typed API). */
  call(identity: string, action: string, payload: JsonObject, options?: { timeoutMs?: number }): Promise<JsonObject> {
    const endpoint = this.registry.get(identity)?.endpoint;
    if (endpoint === undefined) return Promise.reject(new OfflineError(identity, 'not connected'));
    return endpoint.callRaw(action, payload, options);
  }

  /** Adds a listener for accepted connections; returns a function that removes it. */
  onConnect(listener: ConnectListener): () => void {
    return addListener(this.connectListeners, listener);
  }

  /** Adds a listener for ended connections (once per connection that was announced by onConnect). */
  onDisconnect(listener: DisconnectListener): () => void {
    return addListener(this.disconnectListeners, listener);
  }

  /** The delay the next authentication failure from `address` would currently earn (ms). */
  authFailureDelay(address: string): number {
    return this.failures.delayFor(address);
  }

  /**
   * Graceful shutdown: stops taking upgrades, refuses handshakes in flight with 503, fails every pending call
   * with OfflineError, closes every socket with 1001 and waits for them (dropping stragglers after
   * `closeTimeoutMs`). The HTTP servers themselves stay open; they belong to the caller.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ------------------------------------------------------------------ handshake

  private onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    // Node's HTTP server removed its own 'error' listener before emitting 'upgrade'.
    socket.on('error', ignoreError);
    if (this.closing) {
      rejectHandshake(socket, 503);
      return;
    }
    if (!isUnderPrefix(pathOf(request.url ?? ''), this.prefix)) {
      rejectHandshake(socket, 404);
      return;
    }
    // No data may be lost while the decision is pending; `ws` resumes nothing by itself, we do after upgrading.
    socket.pause();
    const controller = new AbortController();
    const pending: PendingHandshake = {
      controller,
      timer: setTimeout(() => controller.abort('timeout' satisfies AbortCause), this.options.handshakeTimeoutMs ?? 10_000),
    };
    const onSocketClose = (): void => controller.abort('disconnected' satisfies AbortCause);
    socket.once('close', onSocketClose);
    this.handshakes.add(pending);
    evaluateHandshake(request, socket, this.handshakeSettings, controller.signal)
      .catch((error: unknown): HandshakeDecision => {
        this.log.error({ err: error }, 'handshake failed');
        return { accept: false, status: 500 };
      })
      .then((decision) => {
        clearTimeout(pending.timer);
        this.handshakes.delete(pending);
        socket.removeListener('close', onSocketClose);
        this.finishHandshake(request, socket, head, decision);
      });
  }

  private finishHandshake(request: IncomingMessage, socket: Socket, head: Buffer, decision: HandshakeDecision): void {
    if (socket.destroyed) return;
    if (!decision.accept) {
      if (decision.status === 0) socket.destroy();
      else rejectHandshake(socket, decision.status, decision.headers);
      return;
    }
    if (this.closing) {
      rejectHandshake(socket, 503);
      return;
    }
    const { negotiation } = decision;
    this.chosenProtocol.set(request, negotiation.ok && !negotiation.fallback ? negotiation.version : false);
    // Chargers that send an empty Sec-WebSocket-Protocol mean "none" (steve #135); `ws` would answer 400.
    const offeredHeader = request.headers['sec-websocket-protocol'];
    if (offeredHeader !== undefined && offeredHeader.trim() === '') delete request.headers['sec-websocket-protocol'];
    const wss = offersClientWindowBits(request.headers['sec-websocket-extensions']) ? this.wssBounded : this.wssUnbounded;
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.removeListener('error', ignoreError);
      socket.resume();
      this.onUpgraded(ws, decision);
    });
  }

  // ------------------------------------------------------------------ connections

  private onUpgraded(ws: GatewaySocket, decision: Extract<HandshakeDecision, { accept: true }>): void {
    this.sockets.add(ws);
    ws.on('close', () => this.onSocketGone(ws));
    const { identity, negotiation, access } = decision;
    if (!negotiation.ok) {
      // Part 4 §3.2: the handshake completed without Sec-WebSocket-Protocol; now close immediately.
      ws.on('error', ignoreError);
      this.log.warn({ station: identity, remoteAddress: decision.remoteAddress }, `closing: ${negotiation.reason}`);
      ws.close(CloseCode.PROTOCOL_ERROR, CloseReason.NO_SUBPROTOCOL);
      return;
    }
    if (this.closing) {
      ws.on('error', ignoreError);
      ws.close(CloseCode.GOING_AWAY, CloseReason.SHUTDOWN);
      return;
    }
    if (negotiation.fallback) {
      this.log.info({ station: identity, version: negotiation.version }, 'station offered no subprotocol: using its configured fallback version');
    }
    const info: ConnectInfo = {
      identity,
      version: negotiation.version,
      secure: decision.secure,
      remoteAddress: decision.remoteAddress,
      securityProfile: access.securityProfile,
      registered: decision.registered,
      compression: ws.extensions.includes('permessage-deflate'),
      fallbackVersion: negotiation.fallback,
      ...(decision.certificateCommonName !== undefined ? { certificateCommonName: decision.certificateCommonName } : {}),
    };
    const connection = new Connection(ws, info, this.owner);
    const options = this.options;
    connection.endpoint = new RpcEndpoint({
      identity,
      version: negotiation.version,
      transport: connection,
      validator: options.validator,
      handlers: options.handlers,
      logger: this.log,
      strictness: access.strictness ?? options.strictness ?? 'strict',
      ...(access.signing ? { signing: access.signing } : {}),
      ...(access.signCalls === true ? { signCalls: true } : {}),
      ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
      ...(options.maxQueuedCalls !== undefined ? { maxQueuedCalls: options.maxQueuedCalls } : {}),
      ...(options.maxBadMessages !== undefined ? { maxBadMessages: options.maxBadMessages } : {}),
      ...(options.onFrame ? { onFrame: options.onFrame } : {}),
      ...(options.onViolation ? { onViolation: options.onViolation } : {}),
    });

    const previous = this.registry.set(identity, connection);
    if (previous) {
      this.log.warn({ station: identity, remoteAddress: decision.remoteAddress }, 'new connection replaces the existing one');
      this.retire(previous, CloseCode.REPLACED, CloseReason.REPLACED);
      previous.close(CloseCode.REPLACED, CloseReason.REPLACED);
    }
    if (this.keepalive) connection.keepalive = this.keepalive.track(connection);
    this.log.info(
      { station: identity, version: info.version, remoteAddress: info.remoteAddress, secure: info.secure, securityProfile: info.securityProfile, compression: info.compression },
      'station connected',
    );
    emit(this.connectListeners, this.log, (listener) => listener(connection.endpoint, info));
  }

  private onConnectionClosed(connection: Connection, code: number, reason: string): void {
    if (connection.detached) return;
    this.log.info({ station: connection.identity, code, reason }, 'station disconnected');
    this.retire(connection, code, reason);
  }

  /** Takes a connection out of service: keepalive, pending calls, registry, listeners. Idempotent. */
  private retire(connection: Connection, code: number, reason: string): void {
    if (connection.detached) return;
    connection.detached = true;
    if (connection.keepalive) this.keepalive?.untrack(connection.keepalive);
    connection.keepalive = undefined;
    connection.endpoint.handleClose(reason === '' ? `connection closed (${code})` : reason);
    this.registry.delete(connection.identity, connection);
    emit(this.disconnectListeners, this.log, (listener) => listener(connection.identity, code, reason));
  }

  private onSocketGone(ws: GatewaySocket): void {
    this.sockets.delete(ws);
    if (this.sockets.size === 0) this.drained?.();
  }

  // ------------------------------------------------------------------ shutdown

  private detachServer(server: AttachedServer): void {
    if (this.servers.delete(server)) server.removeListener('upgrade', this.upgradeListener);
  }

  private async shutdown(): Promise<void> {
    for (const server of [...this.servers]) this.detachServer(server);
    for (const pending of this.handshakes) pending.controller.abort('shutdown' satisfies AbortCause);
    for (const connection of [...this.registry.values()]) this.retire(connection, CloseCode.GOING_AWAY, CloseReason.SHUTDOWN);
    this.keepalive?.stop();
    if (this.sockets.size > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve));
      for (const ws of this.sockets) ws.close(CloseCode.GOING_AWAY, CloseReason.SHUTDOWN);
      const timer = setTimeout(() => {
        for (const ws of this.sockets) ws.terminate();
      }, this.options.closeTimeoutMs ?? 5_000);
      await drained;
      clearTimeout(timer);
    }
    this.wssBounded.close();
    if (this.wssUnbounded !== this.wssBounded) this.wssUnbounded.close();
    this.log.info('gateway closed');
  }
}

function addListener<L>(list: L[], listener: L): () => void {
  list.push(listener);
  return () => {
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  };
}

/** Calls every listener; one that throws is logged and does not stop the others. */
function emit<L>(list: readonly L[], log: Logger, call: (listener: L) => void): void {
  for (const listener of [...list]) {
    try {
      call(listener);
    } catch (error) {
      log.error({ err: error }, 'gateway listener failed');
    }
  }
}

