/** Storage ports of locations (implemented in src/storage/repositories/locations.ts). */
import type { ConnectorSpec, EvseDetails, EvseView, Location, LocationDetails, LocationEvse } from './model.ts';

export interface LocationKey {
  id: string;
  countryCode: string;
  partyId: string;
}

export type LocationInput = LocationKey & LocationDetails;

/** Filters of list endpoints: owner party and OCPI date window on last_updated (from inclusive, to exclusive). */
export interface LocationListFilter {
  countryCode?: string;
  partyId?: string;
  updatedFrom?: Date;
  updatedTo?: Date;
  /** Only locations with publish = true (2.1.1 partners cannot see the publish restriction). */
  publishedOnly?: boolean;
  limit?: number;
  offset?: number;
}

export interface EvseInput extends EvseDetails {
  uid: string;
  locationId: string;
  stationId: string;
  evseId: number;
  connectors: ConnectorSpec[];
}

/** Where a change landed: which location and, for EVSE-level changes, which EVSE. */
export interface EvseRef {
  locationId: string;
  uid: string;
}

export interface ConnectorRef {
  stationId: string;
  evseId: number;
  connectorId: number;
}

export interface LocationRepository {
  /** Throws AlreadyExistsError when the id is taken. */
  create(location: LocationInput, at: Date): Promise<Location>;
  get(id: string): Promise<Location | undefined>;
  /** Oldest first (created_at, id); `total` ignores limit and offset. */
  list(filter?: LocationListFilter): Promise<{ items: Location[]; total: number }>;
  /** Replaces the details; undefined when the location does not exist. */
  update(id: string, details: LocationDetails, at: Date): Promise<Location | undefined>;
  /** Only a location without EVSEs (removed ones included) can be deleted; false when it has some or is unknown. */
  delete(id: string): Promise<boolean>;

  /**
   * Creates or replaces the EVSE of (stationId, evseId) with its connectors, moving it to `locationId` and reviving
   * it when it was removed; bumps last_updated of the EVSE and its location (and of the location it left).
   * Throws AlreadyExistsError when the uid belongs to another EVSE, NotFoundError for an unknown location or station.
   */
  putEvse(evse: EvseInput, at: Date): Promise<{ view: EvseView; created: boolean; previousLocationId: string | null }>;
  getEvse(uid: string): Promise<EvseView | undefined>;
  findEvse(stationId: string, evseId: number): Promise<LocationEvse | undefined>;
  /** EVSEs of these locations (removed ones too), each with connectors and live state, by uid. */
  listEvses(locationIds: readonly string[]): Promise<EvseView[]>;
  /** Marks the EVSE REMOVED (kept for OCPI); false when unknown. */
  removeEvse(uid: string, at: Date): Promise<boolean>;
  /** Bumps last_updated of the station's EVSEs (one or all) and their locations; returns which were touched. */
  touchStation(stationId: string, evseId: number | undefined, at: Date): Promise<EvseRef[]>;

  /** Adds the tariff to each connector's tariff list; returns the EVSEs touched. Unknown connectors: NotFoundError. */
  assignTariff(tariffId: string, connectors: readonly ConnectorRef[], at: Date): Promise<EvseRef[]>;
  /** Removes the tariff from every connector that lists it; returns the EVSEs touched. */
  unassignTariff(tariffId: string, at: Date): Promise<EvseRef[]>;
}
