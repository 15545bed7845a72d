/**
 * Domain events: what happened in the CSMS, in version-neutral terms. Producers (OCPP handlers, command service)
 * publish; consumers (the API's live stream, OCPI push, cluster bus) subscribe. In-process and synchronous:
 * a slow consumer must queue its own work, never block the publisher.
 */
import type { ConnectorStatus, OcppVersion, Transaction, JsonValue, CommandJobStatus } from './model.ts';

export type DomainEvent =
  | { type: 'station.connected'; stationId: string; ocppVersion: OcppVersion; at: Date }
  | { type: 'station.disconnected'; stationId: string; code: number; reason: string; at: Date }
  | { type: 'station.booted'; stationId: string; registrationStatus: 'Accepted' | 'Pending' | 'Rejected'; at: Date }
  | { type: 'connector.status'; stationId: string; evseId: number; connectorId: number; status: ConnectorStatus; ocppStatus: string; at: Date }
  | { type: 'transaction.started'; transaction: Transaction; at: Date }
  | { type: 'transaction.updated'; transaction: Transaction; at: Date }
  | { type: 'transaction.ended'; transaction: Transaction; at: Date }
  | { type: 'command.completed'; jobId: string; stationId: string; action: string; status: CommandJobStatus; response: JsonValue | null; error: JsonValue | null; at: Date };

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
export type DomainEventListener = (event: DomainEvent) => void;

/** Where events can be followed: this node's DomainEvents, or those merged with other nodes' (see mergeEventSources). */
export interface EventSource {
  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void;
}

/** One source that delivers the events of all of them (the live stream of several nodes). */
export function mergeEventSources(...sources: readonly EventSource[]): EventSource {
  return {
    subscribe(listener) {
      const unsubscribes = sources.map((source) => source.subscribe(listener));
      return () => {
        for (const unsubscribe of unsubscribes) unsubscribe();
      };
    },
  };
}

/** A tiny typed publish/subscribe hub. Listener errors are reported, never thrown at the publisher. */
export class DomainEvents implements EventSource {
  private readonly listeners = new Set<DomainEventListener>();

  constructor(private readonly onListenerError: (error: unknown, event: DomainEvent) => void = () => {}) {}

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
