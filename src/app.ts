/**
 * Composition root: the one place that reads the configuration, chooses the database (PGlite or PostgreSQL),
 * and wires storage → domain → OCPP handlers → gateway, and the REST API, on one HTTP server.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { fastify, type FastifyInstance } from 'fastify';
import { registerDashboard } from './api/dashboard.ts';
import { ensureInitialApiKey, registerApi } from './api/index.ts';
import { CommandService } from './domain/commands/service.ts';
import { DomainEvents, mergeEventSources } from './domain/events.ts';
import { createCatalog, type Catalog } from './domain/locations/catalog.ts';
import { catalogDirectory, createRoaming, type Roaming } from './domain/roaming/index.ts';
import { OcppGateway } from './gateway/index.ts';
import { createCommandGateway } from './ocpp/commands/index.ts';
import { registerOcpi, type OcpiModule } from './ocpi/index.ts';
import { createLocationsModule } from './ocpi/modules/locations.ts';
import { createTariffsModule } from './ocpi/modules/tariffs.ts';
import { createRoamingModules } from './ocpi/modules/sessions-modules.ts';
import { createOcpiServices, type OcpiServices } from './ocpi/setup.ts';
import { createOcppModule } from './ocpp/index.ts';
import { createSchemaValidator } from './protocol/schemas/validator.ts';
import { readSigningKey } from './protocol/signed/index.ts';
import type { JouleConfig } from './shared/config.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import {
  createCommandRelay,
  createLiveEventRelay,
  createNodeRegistry,
  createOcpiOutboxRepository,
  createOcpiPartnerRepository,
  createRoamingRepository,
  createRepositories,
  openDatabase,
  startMaintenance,
  type Database,
  type NodeRegistry,
  type StorageRepositories,
} from './storage/index.ts';

export interface JouleOptions {
  logger?: Logger;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  databaseSchema?: string;
  /** Identifies this node in a cluster (default: the nodeId setting, else host name and pid). */
  nodeId?: string;
}

export interface Joule {
  config: JouleConfig;
  logger: Logger;
  /** Port the HTTP/ws server listens on (the configured one, or the one the OS chose for port 0). */
  port: number;
  /** Port of the TLS (wss/https) server when one is configured. */
  tlsPort: number | undefined;
  database: Database;
  repos: StorageRepositories;
  events: DomainEvents;
  gateway: OcppGateway;
  commands: CommandService;
  http: FastifyInstance;
  /** Locations and tariffs (REST API, OCPI Locations and Tariffs modules). */
  catalog: Catalog;
  /** OCPI services (partners, outbox, client, worker); undefined when ocpi.enabled is false. */
  ocpi: OcpiServices | undefined;
  /** Roaming use cases: partner tokens, sessions and CDRs from transactions, partner commands. */
  roaming: Roaming;
  /** The API key created on this first start, if any (printed once). */
  initialApiKey: string | undefined;
  close(): Promise<void>;
}

/** Starts a complete CSMS and resolves once every port is listening. */
export async function startJoule(config: JouleConfig, options: JouleOptions = {}): Promise<Joule> {
  const logger = options.logger ?? createLogger({ level: config.log.level });
  const nodeId = options.nodeId ?? config.nodeId ?? `${hostname()}:${process.pid}`;
  // The signing key is read first: a bad key file stops the start before anything is opened.
  const signing = config.ocpp.signing;
  if ((signing.keyFile === null) !== (signing.certFile === null)) throw new Error('ocpp.signing needs both keyFile and certFile');
  if (signing.signCalls && signing.keyFile === null) throw new Error('ocpp.signing.signCalls needs keyFile and certFile');
  const signingKey = signing.keyFile && signing.certFile ? await readSigningKey({ keyFile: signing.keyFile, certificateFile: signing.certFile, alg: signing.alg ?? undefined }) : undefined;
  const database = await openDatabase({ url: config.storage.databaseUrl ?? undefined, dataDir: config.storage.dataDir, schema: options.databaseSchema });
  // Several nodes on one PostgreSQL database: registered before the OCPP module resets the stations of this node id
  // at start, so that a second process with a live node's id is refused before it touches them. PGlite is one
  // process, one node: no registry, no relay.
  const cluster = database.kind === 'postgres' && config.storage.databaseUrl ? { url: config.storage.databaseUrl, ...config.cluster } : undefined;
  const nodes = cluster && createNodeRegistry({ db: database.db, nodeId, logger, heartbeatMs: cluster.heartbeatMs, staleAfterMs: cluster.staleAfterMs });
  try {
    await nodes?.start();
  } catch (error) {
    await database.close();
    throw error;
  }
  // What the start opens is closed again, last opened first, should a later step fail (a port in use, say): an
  // embedding process is left with no timer, listener or connection of a CSMS that never started.
  const opened: Array<() => Promise<unknown>> = [];
  try {
    return await startServices(config, { logger, nodeId, signingKey, database, cluster, nodes, opened: (close) => opened.push(close) });
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    // The node id is let go at once, so that a corrected restart is not refused as a duplicate of this failed one.
    await nodes?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** What startJoule has opened before the services start. */
interface StartContext {
  logger: Logger;
  nodeId: string;
  signingKey: Awaited<ReturnType<typeof readSigningKey>> | undefined;
  database: Database;
  cluster: { url: string; heartbeatMs: number; staleAfterMs: number } | undefined;
  nodes: NodeRegistry | undefined;
  /** Registers how to close what was just opened, should the start fail later. */
  opened(close: () => Promise<unknown>): void;
}

async function startServices(config: JouleConfig, { logger, nodeId, signingKey, database, cluster, nodes, opened }: StartContext): Promise<Joule> {
  const repos = createRepositories(database);
  const maintenance = startMaintenance({ database, retentionDays: config.storage.messageLogRetentionDays, logger });
  opened(() => maintenance.close());
  const events = new DomainEvents((error, event) => logger.error({ err: error, event: event.type }, 'domain event listener failed'));
  const catalog = createCatalog({ repos, events, logger });
  opened(() => catalog.close());

  const cpo = config.ocpi.parties[0];
  const roaming = createRoaming({
    repo: createRoamingRepository(database.db),
    repos,
    events,
    logger,
    cpo: { countryCode: (cpo?.countryCode ?? 'NL').toUpperCase(), partyId: (cpo?.partyId ?? 'JOU').toUpperCase() },
    currency: config.ocpi.currency,
    pendingTimeoutMs: config.ocpi.sessionPendingTimeoutS * 1000,
    stationTimeoutMs: config.ocpp.callTimeoutMs,
    locations: catalogDirectory(repos.locations),
    tariffs: (id) => repos.tariffs.get(id),
  });
  opened(() => roaming.close());

  const ocpp = createOcppModule({ repos, events, logger, nodeId, heartbeatIntervalS: config.ocpp.heartbeatIntervalS, signingKey, signCalls: config.ocpp.signing.signCalls, authorizer: roaming.authorization.authorizer });
  opened(() => ocpp.close());
  const gateway = new OcppGateway({
    lookup: ocpp.lookup,
    handlers: ocpp.handlers,
    validator: createSchemaValidator(),
    logger,
    onFrame: ocpp.onFrame,
    allowUnknownStations: config.ocpp.allowUnknownStations,
    strictness: config.ocpp.strictness,
    callTimeoutMs: config.ocpp.callTimeoutMs,
    maxQueuedCalls: config.ocpp.maxQueuedCalls,
    maxBadMessages: config.ocpp.maxBadMessages,
    maxPayloadBytes: config.ocpp.maxPayloadBytes,
    pingIntervalMs: config.ocpp.pingIntervalMs,
    pongTimeoutMs: config.ocpp.pongTimeoutMs,
    pathPrefix: config.ocpp.pathPrefix,
    compression: (({ thresholdBytes, ...rest }) => ({ ...rest, threshold: thresholdBytes }))(config.ocpp.compression),
    caCertificates: config.tls.caFile ? [readFileSync(config.tls.caFile)] : undefined,
  });
  opened(() => gateway.close());
  gateway.onConnect(ocpp.onConnect);
  gateway.onDisconnect(ocpp.onDisconnect);

  nodes?.listen({
    // Swept as dead while alive (no heartbeat in time): the stations still connected here were marked disconnected.
    rejoined() {
      for (const identity of gateway.connectedIdentities()) {
        const version = gateway.connectionInfo(identity)?.version;
        if (version === undefined) continue;
        repos.stations.markConnected(identity, nodeId, version, new Date()).catch((error: unknown) => logger.error({ err: error, station: identity }, 'could not record the station as connected again'));
      }
    },
    // Stations of a dead node, disconnected by this node's sweep: announced here, as their node would have (live
    // stream, OCPI EVSE statuses).
    swept(report) {
      const at = new Date();
      for (const stationId of report.disconnectedStations) events.publish({ type: 'station.disconnected', stationId, code: 1006, reason: 'its node stopped (no heartbeat)', at });
    },
  });

  // Commands for a station held by another node go there.
  const localCommands = createCommandGateway({ gateway, repos, logger });
  const relay = cluster && createCommandRelay({ db: database.db, url: cluster.url, schema: database.schema, nodeId, local: localCommands, logger, staleAfterMs: cluster.staleAfterMs });
  if (relay) opened(() => relay.close());
  await relay?.start();
  // The live event stream shows every node's events (each node forwards its own while another has stream clients).
  const liveEvents = cluster && createLiveEventRelay({ db: database.db, url: cluster.url, schema: database.schema, nodeId, local: events, logger });
  if (liveEvents) opened(() => liveEvents.close());
  await liveEvents?.start();
  const commands = new CommandService({
    gateway: relay ? createCommandGateway({ gateway, repos, logger, cluster: { nodeId, relay } }) : localCommands,
    jobs: repos.commandJobs,
    events,
    logger,
    defaultTimeoutMs: config.ocpp.callTimeoutMs,
  });
  roaming.useCommands(commands);
  roaming.start();

  let httpServer: HttpServer | undefined;
  const http = fastify({
    logger: false,
    serverFactory: (handler) => (httpServer = createHttpServer(handler)),
  });
  opened(() => http.close());
  // OCPI's public URL is known only once the server listens when the port is 0 (tests).
  let ocpiBaseUrl = config.ocpi.publicUrl ?? '';
  const ocpi = config.ocpi.enabled
    ? createOcpiServices({
        partners: createOcpiPartnerRepository(database.db, { tokenKey: config.ocpi.tokenKey }),
        entries: createOcpiOutboxRepository(database.db),
        config: config.ocpi,
        logger,
        baseUrl: () => ocpiBaseUrl,
      })
    : undefined;
  // OCPI functional modules, one line each.
  const ocpiModules: OcpiModule[] = [];
  ocpiModules.push(...createRoamingModules(roaming));
  const locationsModule = createLocationsModule(catalog);
  ocpiModules.push(locationsModule, createTariffsModule(catalog));
  const apiDeps = {
    repos,
    catalog,
    events: liveEvents ? mergeEventSources(events, liveEvents) : events,
    commands,
    logger,
    ocpi: ocpi && { partners: ocpi.partnerService, outbox: ocpi.outbox, versionsUrl: () => `${ocpiBaseUrl}/versions` },
    ocpiRoaming: ocpi && roaming,
  };
  await registerApi(http, apiDeps);
  if (ocpi) await registerOcpi(http, { ...ocpi.deps, modules: ocpiModules });
  await registerDashboard(http);
  await http.ready();
  if (!httpServer) throw new Error('HTTP server was not created');
  gateway.attach(httpServer);
  await http.listen({ port: config.port, host: config.host });
  const port = (httpServer.address() as AddressInfo).port;
  if (!config.ocpi.publicUrl) ocpiBaseUrl = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}/ocpi`;
  ocpi?.worker.start();
  if (ocpi) opened(() => ocpi.worker.stop());

  let tlsServer: HttpsServer | undefined;
  if (config.tls.port !== null) {
    if (!config.tls.certFile || !config.tls.keyFile) throw new Error('tls.port needs tls.certFile and tls.keyFile');
    tlsServer = createHttpsServer({
      cert: readFileSync(config.tls.certFile),
      key: readFileSync(config.tls.keyFile),
      // Security profile 3: ask for a client certificate, but let the gateway decide (401 rather than a TLS alert).
      requestCert: config.tls.caFile !== null,
      rejectUnauthorized: false,
      ca: config.tls.caFile ? readFileSync(config.tls.caFile) : undefined,
    });
    gateway.attach(tlsServer);
    const server = tlsServer;
    opened(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.tls.port ?? 0, config.host, () => resolve());
    });
  }
  const tlsPort = tlsServer ? (tlsServer.address() as AddressInfo).port : undefined;
  const initialApiKey = await ensureInitialApiKey(apiDeps);
  logger.info({ port, tlsPort, database: database.kind, ocppPath: `${config.ocpp.pathPrefix}/{stationId}` }, 'Joule is listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await gateway.close();
      // Background command jobs and their webhooks finish before storage closes.
      await commands.idle();
      await roaming.close();
      await ocpp.close();
      await ocpi?.worker.stop();
      await catalog.close();
      // Catalogue pushes still queued reach the outbox before storage closes (one queue for both modules).
      await locationsModule.idle();
      if (tlsServer) await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
      await http.close();
      // After the HTTP server and the jobs: a command forwarded to another node waits for its reply here.
      await relay?.close();
      await liveEvents?.close();
      // Last before storage: until now this node still answered relayed commands.
      await nodes?.close();
      await maintenance.close();
      await database.close();
    })());

  return { config, logger, port, tlsPort, database, repos, events, gateway, commands, catalog, http, ocpi, roaming, initialApiKey, close };
}
