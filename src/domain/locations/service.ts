/**
 * Location use cases: the operator's edits (through the REST API) and the live side (OCPP status and connection
 * changes bump last_updated of the EVSE and its location, OCPI's rule for date-window pulls). Every change that
 * committed is announced on CatalogChanges for the OCPI push.
 */
import { NotFoundError } from '../errors.ts';
import type { DomainEvent, DomainEvents } from '../events.ts';
import type { StationRepository } from '../ports.ts';
import type { TariffRepository } from '../tariffs/ports.ts';
import { isValidTimeZone } from '../tariffs/local-time.ts';
import type { Logger } from '../../shared/logger.ts';
import type { CatalogChanges } from './changes.ts';
import { CatalogConflict, InvalidCatalogInput } from './errors.ts';
import { defaultEvseCode, defaultEvseUid } from './identifiers.ts';
import type { ConnectorSpec, EvseDetails, EvseView, Location, LocationDetails, LocationView } from './model.ts';
import type { ConnectorRef, EvseRef, LocationInput, LocationListFilter, LocationRepository } from './ports.ts';

export interface LocationServiceDeps {
  locations: LocationRepository;
  stations: StationRepository;
  tariffs: TariffRepository;
  changes: CatalogChanges;
  logger: Logger;
  clock?: () => Date;
}

/** An EVSE as the operator describes it; uid and evseCode get the defaults of identifiers.ts when absent. */
export interface EvseAssignment extends Partial<EvseDetails> {
  stationId: string;
  evseId: number;
  uid?: string;
  connectors: ConnectorSpec[];
}

export type ConnectorDefaults = Omit<ConnectorSpec, 'connectorId'>;

export class LocationService {
  private readonly now: () => Date;
  /** Live bumps run one after the other, so last_updated follows the order the events came in. */
  private liveQueue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LocationServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  async create(input: LocationInput): Promise<Location> {
    checkDetails(input);
    const location = await this.deps.locations.create({ ...input, countryCode: input.countryCode.toUpperCase(), partyId: input.partyId.toUpperCase() }, this.now());
    this.deps.changes.publish({ type: 'location', locationId: location.id, at: location.lastUpdated });
    return location;
  }

  get(id: string): Promise<Location | undefined> {
    return this.deps.locations.get(id);
  }

  list(filter: LocationListFilter): Promise<{ items: Location[]; total: number }> {
    return this.deps.locations.list(filter);
  }

  /** The location with all its EVSEs (removed ones too), undefined when unknown. */
  async view(id: string): Promise<LocationView | undefined> {
    const location = await this.deps.locations.get(id);
    if (!location) return undefined;
    return { location, evses: await this.deps.locations.listEvses([id]) };
  }

  /** Views of many locations at once (one query for all their EVSEs). */
  async views(locations: readonly Location[]): Promise<LocationView[]> {
    const evses = await this.deps.locations.listEvses(locations.map((l) => l.id));
    return locations.map((location) => ({ location, evses: evses.filter((e) => e.evse.locationId === location.id) }));
  }

  async update(id: string, details: LocationDetails): Promise<Location | undefined> {
    checkDetails(details);
    const location = await this.deps.locations.update(id, details, this.now());
    if (location) this.deps.changes.publish({ type: 'location', locationId: id, at: location.lastUpdated });
    return location;
  }

  /** Deletes a location that never had EVSEs (OCPI knows no deletion: remove EVSEs and unpublish instead). */
  async delete(id: string): Promise<boolean> {
    if (!(await this.deps.locations.get(id))) return false;
    if (!(await this.deps.locations.delete(id))) throw new CatalogConflict(`location ${id} has EVSEs; remove them and set publish=false instead`);
    return true;
  }

  /** Creates or replaces one EVSE of the location. */
  async putEvse(locationId: string, assignment: EvseAssignment): Promise<{ view: EvseView; created: boolean }> {
    const location = await this.deps.locations.get(locationId);
    if (!location) throw new NotFoundError('location', locationId);
    const existing = await this.deps.locations.findEvse(assignment.stationId, assignment.evseId);
    if (existing && !existing.removed && existing.locationId !== locationId) {
      throw new CatalogConflict(`EVSE ${assignment.evseId} of station ${assignment.stationId} belongs to location ${existing.locationId}; remove it there first`);
    }
    const uid = assignment.uid ?? existing?.uid ?? defaultEvseUid(assignment.stationId, assignment.evseId);
    if (uid === undefined) throw new InvalidCatalogInput('uid', `"${assignment.stationId}-${assignment.evseId}" is longer than 36 characters: give a uid`);
    await this.checkTariffs(assignment.connectors.flatMap((c) => c.tariffIds));
    const ids = assignment.connectors.map((c) => c.connectorId);
    if (new Set(ids).size !== ids.length) throw new InvalidCatalogInput('connectors', 'connector ids must be unique');
    const result = await this.deps.locations.putEvse(
      {
        uid,
        locationId,
        stationId: assignment.stationId,
        evseId: assignment.evseId,
        evseCode: assignment.evseCode !== undefined ? assignment.evseCode : (existing?.evseCode ?? defaultEvseCode(location.countryCode, location.partyId, assignment.stationId, assignment.evseId) ?? null),
        capabilities: assignment.capabilities ?? [],
        floorLevel: assignment.floorLevel ?? null,
        latitude: assignment.latitude ?? null,
        longitude: assignment.longitude ?? null,
        physicalReference: assignment.physicalReference ?? null,
        directions: assignment.directions ?? [],
        parkingRestrictions: assignment.parkingRestrictions ?? [],
        images: assignment.images ?? [],
        statusOverride: assignment.statusOverride ?? null,
        connectors: assignment.connectors,
      },
      this.now(),
    );
    this.deps.changes.publish({ type: 'evse', locationId, evseUid: uid, at: result.view.evse.lastUpdated });
    return { view: result.view, created: result.created };
  }

  /**
   * Assigns every EVSE the station has reported (StatusNotification) to the location, each connector with the
   * given static data. EVSEs already at this location keep their uid, evse_id and details; their connectors
   * are replaced.
   */
  async assignStation(locationId: string, stationId: string, defaults: ConnectorDefaults): Promise<EvseView[]> {
    if (!(await this.deps.stations.get(stationId))) throw new NotFoundError('station', stationId);
    const connectors = (await this.deps.stations.listConnectors(stationId)).filter((c) => c.evseId > 0 && c.connectorId > 0);
    if (connectors.length === 0) throw new CatalogConflict(`station ${stationId} has not reported any connector yet; assign its EVSEs one by one`);
    const evseIds = [...new Set(connectors.map((c) => c.evseId))].sort((a, b) => a - b);
    const views: EvseView[] = [];
    for (const evseId of evseIds) {
      const existing = await this.deps.locations.findEvse(stationId, evseId);
      const keep = existing && existing.locationId === locationId ? existing : undefined;
      const specs = connectors.filter((c) => c.evseId === evseId).map((c) => ({ ...defaults, connectorId: c.connectorId }));
      views.push((await this.putEvse(locationId, { ...keep, stationId, evseId, uid: existing?.uid, connectors: specs })).view);
    }
    return views;
  }

  async getEvse(uid: string): Promise<EvseView | undefined> {
    return this.deps.locations.getEvse(uid);
  }

  /** Marks the EVSE REMOVED (it stays listed, as OCPI wants); false when unknown. */
  async removeEvse(uid: string): Promise<boolean> {
    const view = await this.deps.locations.getEvse(uid);
    if (!view) return false;
    const at = this.now();
    await this.deps.locations.removeEvse(uid, at);
    this.deps.changes.publish({ type: 'evse', locationId: view.evse.locationId, evseUid: uid, at });
    return true;
  }

  /** Adds a tariff to connectors (each given as station, EVSE and connector id). */
  async assignTariff(tariffId: string, connectors: readonly ConnectorRef[]): Promise<EvseRef[]> {
    if (!(await this.deps.tariffs.get(tariffId))) throw new NotFoundError('tariff', tariffId);
    const at = this.now();
    const touched = await this.deps.locations.assignTariff(tariffId, connectors, at);
    for (const ref of touched) this.deps.changes.publish({ type: 'evse', locationId: ref.locationId, evseUid: ref.uid, at });
    return touched;
  }

  /** Subscribes to OCPP events that change an EVSE's status; returns the unsubscribe function. */
  followStatus(events: DomainEvents): () => void {
    return events.subscribe((event) => this.onDomainEvent(event));
  }

  /** Resolves when the live bumps queued so far are done (tests, shutdown). */
  settled(): Promise<void> {
    return this.liveQueue;
  }

  private onDomainEvent(event: DomainEvent): void {
    let evseId: number | undefined;
    if (event.type === 'connector.status') evseId = event.evseId;
    else if (event.type !== 'station.connected' && event.type !== 'station.disconnected') return;
    const stationId = event.stationId;
    this.liveQueue = this.liveQueue.then(async () => {
      try {
        const at = this.now();
        const touched = await this.deps.locations.touchStation(stationId, evseId, at);
        for (const ref of touched) this.deps.changes.publish({ type: 'evse.status', locationId: ref.locationId, evseUid: ref.uid, at });
      } catch (error) {
        this.deps.logger.error({ err: error, station: stationId }, 'could not bump last_updated of the station EVSEs');
      }
    });
  }

  private async checkTariffs(ids: readonly string[]): Promise<void> {
    for (const id of new Set(ids)) {
      if (!(await this.deps.tariffs.get(id))) throw new InvalidCatalogInput('connectors.tariffIds', `unknown tariff ${id}`);
    }
  }
}

function checkDetails(details: LocationDetails): void {
  if (!isValidTimeZone(details.timeZone)) throw new InvalidCatalogInput('timeZone', `unknown time zone ${details.timeZone}`);
}
