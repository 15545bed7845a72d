/**
 * OCPP ↔ domain: the handler table for every (version, action) the CSMS serves, the station lookup the gateway
 * uses at handshake, and what happens when a station connects or goes away.
 *
 * - handlers: CS → CSMS messages of 1.6 (inbound/v16) and of 2.0.1, registered for 2.1 too (inbound/v201);
 * - lookup: the station's access rules from its record (unknown → undefined, i.e. HTTP 404 unless the gateway
 *   admits unknown stations); on profile 3 the client certificate's CN must be the stored serial number;
 * - onConnect / onDisconnect: connected state in storage and station.connected / .disconnected events; on
 *   disconnect, the station's CALLs we had not answered yet go to the message log without an answer;
 * - onFrame: the message log (every frame in and out; a station's CALL and our answer as one entry), last-seen
 *   times, and what we asked the station for;
 * - close(): waits for pending bookkeeping, logs the station CALLs still unanswered and flushes the message log and
 *   last-seen batch.
 */
import type { DomainEvents } from '../domain/events.ts';
import type { Repositories } from '../domain/ports.ts';
import { createDomainServices, type ExternalAuthorizer, type VendorDataHandler } from '../domain/services/index.ts';
import type { ConnectListener, DisconnectListener, SecurityProfile, StationLookup } from '../gateway/index.ts';
import type { FrameEvent } from '../protocol/endpoint.ts';
import { HandlerRegistry } from '../protocol/handlers.ts';
import type { Logger } from '../shared/logger.ts';
import { stationSigning } from './signing.ts';
import type { SigningKey } from '../protocol/signed/index.ts';
import { createConnectionTracker } from './connections.ts';
import { createFrameObserver } from './frames.ts';
import type { InboundContext } from './inbound/context.ts';
import { registerV16Handlers } from './inbound/v16/index.ts';
import { registerV2Handlers } from './inbound/v201/index.ts';
import { Sessions } from './session.ts';

export type { TokenDecision, ExternalAuthorizer, VendorDataHandler } from '../domain/services/index.ts';

export interface OcppModuleDeps {
  repos: Repositories;
  events: DomainEvents;
  logger: Logger;
  /** This server node's id (cluster deployments); stored with the connection. */
  nodeId: string;
  heartbeatIntervalS: number;
  /** Interval given with a Pending or Rejected BootNotification answer: the wait before the next one (default: heartbeatIntervalS). */
  bootRetryIntervalS?: number;
  /** Real-time authorization of tokens the token table does not know (e.g. OCPI partners); undefined = Unknown. */
  authorizer?: ExternalAuthorizer;
  /** DataTransfer handlers by vendorId; any other vendorId is answered UnknownVendorId. */
  dataTransfer?: ReadonlyMap<string, VendorDataHandler>;
  /** The CSMS's key for signed replies (Part 4 §7.2); stations with signed messages on get unsigned replies without it. */
  signingKey?: SigningKey;
  /** Also sign the CALLs we send to stations with signed messages on (Part 4 §6: against a tampering Local Controller). */
  signCalls?: boolean;
  /** Clock (tests). */
  now?: () => Date;
}

export interface OcppModule {
  handlers: HandlerRegistry;
  lookup: StationLookup;
  onConnect: ConnectListener;
  onDisconnect: DisconnectListener;
  onFrame: (event: FrameEvent) => void;
  close(): Promise<void>;
}

export function createOcppModule(deps: OcppModuleDeps): OcppModule {
  const now = deps.now ?? (() => new Date());
  const services = createDomainServices({ repos: deps.repos, events: deps.events, logger: deps.logger, authorizer: deps.authorizer, vendors: deps.dataTransfer, now });
  const sessions = new Sessions((identity) => services.registration.statusOf(identity));
  const context: InboundContext = {
    services,
    sessions,
    logger: deps.logger,
    heartbeatIntervalS: deps.heartbeatIntervalS,
    bootRetryIntervalS: deps.bootRetryIntervalS ?? deps.heartbeatIntervalS,
    now,
  };

  const handlers = new HandlerRegistry();
  registerV2Handlers(handlers, context);
  registerV16Handlers(handlers, context);

  const lookup: StationLookup = async (identity) => {
    const station = await deps.repos.stations.get(identity);
    if (!station) return undefined;
    return {
      securityProfile: station.securityProfile as SecurityProfile,
      passwordHash: station.passwordHash ?? undefined,
      allowedVersions: station.allowedVersions.length > 0 ? station.allowedVersions : undefined,
      fallbackVersion: station.fallbackVersion ?? undefined,
      strictness: station.strictness ?? undefined,
      // A00.FR.405, B01.FR.11: on profile 3 the certificate CN is the serial number (the identity until one is known).
      ...(station.securityProfile === 3 && station.serialNumber !== null ? { certificateCommonName: station.serialNumber } : {}),
      ...(station.signedMessages ? { signing: stationSigning(station, deps.signingKey, deps.logger) } : {}),
      ...(station.signedMessages && deps.signingKey !== undefined && deps.signCalls === true ? { signCalls: true } : {}),
    };
  };

  const connections = createConnectionTracker({ stations: deps.repos.stations, events: deps.events, sessions, logger: deps.logger, nodeId: deps.nodeId, now });
  const frames = createFrameObserver({ messageLog: deps.repos.messageLog, presence: services.presence, sessions });

  let closing: Promise<void> | undefined;
  return {
    handlers,
    lookup,
    onConnect: connections.onConnect,
    onDisconnect(identity, code, reason) {
      connections.onDisconnect(identity, code, reason);
      frames.stationClosed(identity);
    },
    onFrame: frames.onFrame,
    close: () =>
      (closing ??= (async () => {
        await connections.idle();
        await services.presence.close();
        frames.close();
        await deps.repos.messageLog.flush();
      })()),
  };
}
