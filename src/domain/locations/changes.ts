/**
 * Changes of the published catalogue (locations, EVSEs, tariffs), for whoever mirrors it to partners (the OCPI
 * push). Published by LocationService and TariffService after storage committed. In-process and synchronous,
 * like DomainEvents: a listener must queue its own work; its errors are reported, never thrown at the publisher.
 */

export type CatalogChange =
  /** The location's own fields. */
  | { type: 'location'; locationId: string; at: Date }
  /** An EVSE was created, replaced or removed (with its connectors). */
  | { type: 'evse'; locationId: string; evseUid: string; at: Date }
  /** Only the EVSE's live status may have changed. */
  | { type: 'evse.status'; locationId: string; evseUid: string; at: Date }
  /** A tariff was created or replaced, or deleted (then the keys are those it had). */
  | { type: 'tariff'; tariffId: string; countryCode: string; partyId: string; deleted: boolean; at: Date };

export type CatalogListener = (change: CatalogChange) => void;

export class CatalogChanges {
  private readonly listeners = new Set<CatalogListener>();

  constructor(private readonly onListenerError: (error: unknown, change: CatalogChange) => void = () => {}) {}

  subscribe(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(change: CatalogChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.onListenerError(error, change);
      }
    }
  }
}
