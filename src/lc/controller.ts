/**
 * LocalController: the Local Controller of OCPP-J Part 4 §6. A CSMS to its stations and a Charging Station to the
 * CSMS, per station (§6.2): every station connection gets its own upstream connection with the same path and
 * subprotocol, relayed unchanged (relay.ts), so that neither side can tell the LC is there (§6.1). On top of that
 * it sends CALLs of its own (§6.4) for local smart charging (load-balancer.ts), and may hold a connection of its
 * own to the CSMS (§6.2, own-connection.ts).
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { offersClientWindowBits, outgoingThreshold, perMessageDeflateOption, resolveCompression } from '../gateway/compression.ts';
import { normalizePrefix } from '../gateway/handshake/identity.ts';
import { parseCaCertificates } from '../gateway/handshake/tls-identity.ts';
import { OfflineError } from '../protocol/errors.ts';
import type { JsonObject } from '../protocol/types.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import { checkUrl } from '../station/options.ts';
import type { HandshakeContext } from './handshake.ts';
import { handleStationUpgrade } from './handshake.ts';
import { SiteLoadBalancer } from './load-balancer.ts';
import type { Observation } from './observe.ts';
import type { LocalControllerOptions } from './options.ts';
import { LC_DEFAULTS } from './options.ts';
import type { OwnConnection } from './own-connection.ts';
import { startOwnConnection } from './own-connection.ts';
import type { EarlyUpstream } from './relay.ts';
import { StationRelay } from './relay.ts';

const SHUTDOWN = { code: 1001, reason: 'Local Controller shutting down' } as const;

export class LocalController {
  readonly balancer: SiteLoadBalancer;
  private readonly options: LocalControllerOptions;
  private readonly log: Logger;
  private readonly handshake: HandshakeContext;
  private readonly wssBounded: WebSocketServer;
  private readonly wssUnbounded: WebSocketServer;
  private readonly relays = new Map<string, StationRelay>();
  private readonly sockets = new Set<WebSocket>();
  private readonly aborts = new Set<() => void>();
  /** Stations the CSMS admitted (BootNotification Accepted, or a CALL answered); kept across reconnects. */
  private readonly admitted = new Set<string>();
  private server: HttpServer | HttpsServer | undefined;
  private own: OwnConnection | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: LocalControllerOptions) {
    checkUrl(options.upstreamUrl);
    this.options = options;
    this.log = (options.logger ?? silentLogger()).child({ component: 'lc' });
    const compression = resolveCompression(options.compression?.stations);
    const maxPayload = options.maxPayloadBytes ?? LC_DEFAULTS.maxPayloadBytes;
    const chosen = new WeakMap<IncomingMessage, string | false>();
    const server = (bounded: boolean): WebSocketServer =>
      new WebSocketServer({
        noServer: true,
        clientTracking: false,
        maxPayload,
        perMessageDeflate: perMessageDeflateOption(compression, bounded),
        handleProtocols: (_offered, request) => chosen.get(request) ?? false,
      });
    this.wssBounded = server(true);
    this.wssUnbounded = compression.enabled ? server(false) : this.wssBounded;
    const relaySettings = {
      lcCallTimeoutMs: options.lcCallTimeoutMs ?? LC_DEFAULTS.lcCallTimeoutMs,
      csmsCallExpiryMs: options.csmsCallExpiryMs ?? LC_DEFAULTS.csmsCallExpiryMs,
      maxQueuedLcCalls: options.maxQueuedLcCalls ?? LC_DEFAULTS.maxQueuedLcCalls,
      pingIntervalMs: options.pingIntervalMs ?? LC_DEFAULTS.pingIntervalMs,
      stationCompressThreshold: outgoingThreshold(compression),
      logger: this.log,
      onFrame: options.onFrame,
    };
    this.handshake = {
      prefix: normalizePrefix(options.pathPrefix ?? LC_DEFAULTS.pathPrefix),
      upstreamBase: options.upstreamUrl.replace(/\/+$/, ''),
      stationCas: options.tls?.ca ? parseCaCertificates([options.tls.ca]) : [],
      authorizeStation: options.authorizeStation,
      upstreamAuth: options.upstreamAuth ?? { mode: 'passthrough' },
      upstreamTls: options.upstreamTls,
      upstreamCompression: options.compression?.upstream ?? true,
      upstreamHandshakeTimeoutMs: options.upstreamHandshakeTimeoutMs ?? LC_DEFAULTS.upstreamHandshakeTimeoutMs,
      maxPayloadBytes: maxPayload,
      serverFor: (request) => (offersClientWindowBits(request.headers['sec-websocket-extensions']) ? this.wssBounded : this.wssUnbounded),
      chosen,
      logger: this.log,
      isClosing: () => this.closing !== undefined,
      track: (abort) => {
        this.aborts.add(abort);
        return () => this.aborts.delete(abort);
      },
      bridged: (identity, protocol, station, upstream, early) => this.onBridged(identity, protocol, station, upstream, early, relaySettings),
    };
    this.balancer = new SiteLoadBalancer({
      siteLimit: options.siteLimit?.limit,
      unit: options.siteLimit?.unit ?? 'W',
      profileId: options.chargingProfile?.profileId ?? LC_DEFAULTS.profileId,
      stackLevel: options.chargingProfile?.stackLevel ?? LC_DEFAULTS.stackLevel,
      retryMs: options.limitRetryMs ?? LC_DEFAULTS.limitRetryMs,
      link: { call: (identity, action, payload) => this.call(identity, action, payload) },
      logger: this.log,
    });
  }

  /**
   * Starts listening for stations (TLS when `tls` is set; §6.5: the LC is the TLS server towards stations) and
   * opens the LC's own connection when configured. Resolves with the port.
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    if (this.server) throw new Error('already listening');
    const tls = this.options.tls;
    const onRequest = (_request: IncomingMessage, response: ServerResponse): void => {
      response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('Upgrade Required');
    };
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.ca !== undefined, rejectUnauthorized: false }, onRequest)
      : createHttpServer(onRequest);
    this.server = server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(request, socket as Socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    if (this.options.ownConnection) {
      if (!this.options.validator) throw new Error('ownConnection needs a validator');
      this.own = startOwnConnection(this.options.ownConnection, {
        url: this.options.upstreamUrl,
        validator: this.options.validator,
        tls: this.options.upstreamTls,
        compression: this.options.compression?.upstream ?? true,
        balancer: this.balancer,
        logger: this.log,
      });
    }
    return this.port;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    return (address as AddressInfo).port;
  }

  /** Identities of the stations relayed now. */
  stations(): string[] {
    return [...this.relays.keys()];
  }

  relay(identity: string): StationRelay | undefined {
    return this.relays.get(identity);
  }

  /** The LC's own connection to the CSMS, when configured (§6.2). */
  get ownConnection(): OwnConnection | undefined {
    return this.own;
  }

  /**
   * Sends a CALL of the LC's own to a station (§6.4): an id that cannot collide with the CSMS's, never while a
   * CSMS CALL is outstanding there, and the reply is not relayed to the CSMS.
   */
  call(identity: string, action: string, payload: JsonObject, options: { timeoutMs?: number } = {}): Promise<JsonObject> {
    const relay = this.relays.get(identity);
    if (!relay) return Promise.reject(new OfflineError(identity, 'not connected to the Local Controller'));
    return relay.call(action, payload, options.timeoutMs);
  }

  /** Closes every station and upstream connection (1001), the own connection and the listener. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    // Node's HTTP server removed its own 'error' listener before emitting 'upgrade'.
    socket.on('error', () => undefined);
    handleStationUpgrade(this.handshake, request, socket, head).catch((error: unknown) => {
      this.log.error({ err: error }, 'station handshake failed');
      if (!socket.destroyed) socket.destroy();
    });
  }

  private onBridged(
    identity: string,
    protocol: string,
    station: WebSocket,
    upstream: WebSocket,
    early: EarlyUpstream,
    settings: ConstructorParameters<typeof StationRelay>[4],
  ): void {
    for (const socket of [station, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    const relay = new StationRelay(identity, protocol, station, upstream, settings, {
      observed: (from, observation) => this.onObservation(from, observation),
      closed: (from) => {
        if (this.relays.get(identity) !== from) return;
        this.relays.delete(identity);
        this.balancer.stationGone(identity);
      },
    });
    // A second connection of the same identity: the CSMS decides (Joule replaces the old one and closes it, which
    // the old relay passes on to the old station socket).
    this.relays.set(identity, relay);
    relay.start(early);
    if (this.relays.get(identity) === relay && this.admitted.has(identity) && relay.version) this.balancer.stationReady(identity, relay.version);
  }

  private onObservation(relay: StationRelay, observation: Observation): void {
    const identity = relay.identity;
    switch (observation.kind) {
      case 'boot':
        if (observation.status === 'Accepted') this.admit(relay);
        else {
          this.admitted.delete(identity);
          this.balancer.stationGone(identity);
        }
        return;
      case 'answered':
        if (!this.admitted.has(identity)) this.admit(relay);
        return;
      case 'session-start':
        this.balancer.sessionStarted(identity, observation.key);
        return;
      case 'session-rekey':
        this.balancer.sessionRekeyed(identity, observation.from, observation.to);
        return;
      case 'session-end':
        this.balancer.sessionEnded(identity, observation.key);
        return;
    }
  }

  private admit(relay: StationRelay): void {
    this.admitted.add(relay.identity);
    if (relay.version && this.relays.get(relay.identity) === relay) this.balancer.stationReady(relay.identity, relay.version);
  }

  private async shutdown(): Promise<void> {
    for (const abort of [...this.aborts]) abort();
    this.balancer.close();
    for (const relay of [...this.relays.values()]) relay.close(SHUTDOWN.code, SHUTDOWN.reason);
    const own = this.own?.close();
    if (this.sockets.size > 0) {
      const timer = setTimeout(() => {
        for (const socket of this.sockets) socket.terminate();
      }, 3000);
      while (this.sockets.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      clearTimeout(timer);
    }
    await own;
    this.wssBounded.close();
    if (this.wssUnbounded !== this.wssBounded) this.wssUnbounded.close();
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
