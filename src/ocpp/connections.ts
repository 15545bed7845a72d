/**
 * Connection bookkeeping: a station connected or went away. The gateway calls the listeners synchronously and
 * always in the order disconnect(old) → connect(new) for one identity; the storage writes are asynchronous, so they
 * run one after the other per station (a late markDisconnected must never overwrite the markConnected of the
 * connection that replaced it). Failures are logged: bookkeeping must not break the connection.
 *
 * A station admitted without a record (ocpp.allowUnknownStations) gets one, in registration status Pending and
 * with the security profile it connected with, so the operator can see it and accept it (B02).
 */
import { AlreadyExistsError } from '../domain/errors.ts';
import type { DomainEvents } from '../domain/events.ts';
import type { StationRepository } from '../domain/ports.ts';
import type { ConnectInfo, ConnectListener, DisconnectListener } from '../gateway/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { Sessions } from './session.ts';

export interface ConnectionTrackerDeps {
  stations: StationRepository;
  events: DomainEvents;
  sessions: Sessions;
  logger: Logger;
  nodeId: string;
  now: () => Date;
}

export interface ConnectionTracker {
  onConnect: ConnectListener;
  onDisconnect: DisconnectListener;
  /** Resolves when every pending bookkeeping write has finished. */
  idle(): Promise<void>;
}

export function createConnectionTracker(deps: ConnectionTrackerDeps): ConnectionTracker {
  const { stations, events, sessions, logger, nodeId, now } = deps;
  const queues = new Map<string, Promise<void>>();
  // Stations this node held before it (re)started are not connected any more (same node id only).
  const startup = stations.disconnectAll(nodeId).then(
    (count) => void (count > 0 && logger.info({ count }, 'stations of the previous run marked disconnected')),
    (error: unknown) => logger.error({ err: error }, 'could not reset connection states'),
  );

  /** Runs `task` after the station's previous one; never rejects. */
  function serial(identity: string, what: string, task: () => Promise<void>): Promise<void> {
    const previous = queues.get(identity) ?? startup;
    const next = previous.then(task).catch((error: unknown) => logger.error({ err: error, station: identity }, `${what} bookkeeping failed`));
    queues.set(identity, next);
    void next.then(() => {
      if (queues.get(identity) === next) queues.delete(identity);
    });
    return next;
  }

  async function register(info: ConnectInfo): Promise<void> {
    if (info.registered || (await stations.get(info.identity))) return;
    try {
      await stations.create({ id: info.identity, securityProfile: info.securityProfile, registrationStatus: 'Pending' });
      logger.info({ station: info.identity }, 'unknown station admitted: registered as Pending');
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  }

  return {
    onConnect(endpoint, info) {
      const session = sessions.open(endpoint, info);
      session.ready = serial(info.identity, 'connect', async () => {
        await register(info);
        const at = now();
        await stations.markConnected(info.identity, nodeId, info.version, at);
        events.publish({ type: 'station.connected', stationId: info.identity, ocppVersion: info.version, at });
      });
    },

    onDisconnect(identity, code, reason) {
      sessions.close(identity);
      void serial(identity, 'disconnect', async () => {
        const at = now();
        await stations.markDisconnected(identity, nodeId, at);
        events.publish({ type: 'station.disconnected', stationId: identity, code, reason, at });
      });
    },

    async idle() {
      await startup;
      while (queues.size > 0) await Promise.all([...queues.values()]);
    },
  };
}
