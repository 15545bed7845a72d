/**
 * Tariff use cases: create or replace, delete (which also takes the tariff off every connector), and the cost of
 * a session under a stored tariff. Changes are announced on CatalogChanges for the OCPI push (PUT / DELETE).
 */
import type { CatalogChanges } from '../locations/changes.ts';
import { InvalidCatalogInput } from '../locations/errors.ts';
import type { Location, LocationEvse } from '../locations/model.ts';
import type { ConnectorRef, LocationRepository } from '../locations/ports.ts';
import type { Tariff, TariffInput } from './model.ts';
import type { TariffListFilter, TariffRepository } from './ports.ts';

export interface TariffServiceDeps {
  tariffs: TariffRepository;
  locations: LocationRepository;
  changes: CatalogChanges;
  clock?: () => Date;
}

export class TariffService {
  private readonly now: () => Date;

  constructor(private readonly deps: TariffServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  async put(input: TariffInput): Promise<{ tariff: Tariff; created: boolean }> {
    checkTariff(input);
    const result = await this.deps.tariffs.put({ ...input, countryCode: input.countryCode.toUpperCase(), partyId: input.partyId.toUpperCase() }, this.now());
    const { tariff } = result;
    this.deps.changes.publish({ type: 'tariff', tariffId: tariff.id, countryCode: tariff.countryCode, partyId: tariff.partyId, deleted: false, at: tariff.lastUpdated });
    return result;
  }

  get(id: string): Promise<Tariff | undefined> {
    return this.deps.tariffs.get(id);
  }

  list(filter: TariffListFilter): Promise<{ items: Tariff[]; total: number }> {
    return this.deps.tariffs.list(filter);
  }

  /**
   * What prices a session on this connector: the connector's first tariff (undefined when it has none or the
   * connector is not at a location) and the location (its time zone drives the restrictions), for computeCost.
   */
  async forConnector(ref: ConnectorRef): Promise<{ tariff: Tariff | undefined; location: Location; evse: LocationEvse } | undefined> {
    const evse = await this.deps.locations.findEvse(ref.stationId, ref.evseId);
    if (!evse) return undefined;
    const [view, location] = await Promise.all([this.deps.locations.getEvse(evse.uid), this.deps.locations.get(evse.locationId)]);
    if (!view || !location) return undefined;
    const tariffId = view.connectors.find((c) => c.connectorId === ref.connectorId)?.tariffIds[0];
    return { tariff: tariffId === undefined ? undefined : await this.deps.tariffs.get(tariffId), location, evse };
  }

  /** Deletes the tariff and removes it from the connectors that listed it; false when unknown. */
  async delete(id: string): Promise<boolean> {
    const tariff = await this.deps.tariffs.get(id);
    if (!tariff) return false;
    const at = this.now();
    const touched = await this.deps.locations.unassignTariff(id, at);
    if (!(await this.deps.tariffs.delete(id))) return false;
    for (const ref of touched) this.deps.changes.publish({ type: 'evse', locationId: ref.locationId, evseUid: ref.uid, at });
    this.deps.changes.publish({ type: 'tariff', tariffId: id, countryCode: tariff.countryCode, partyId: tariff.partyId, deleted: true, at });
    return true;
  }
}

/** What the schema cannot say: bounds between fields. */
export function checkTariff(tariff: TariffInput): void {
  if (tariff.minPrice && tariff.maxPrice && tariff.minPrice.exclVat > tariff.maxPrice.exclVat) {
    throw new InvalidCatalogInput('minPrice', 'minPrice must not exceed maxPrice');
  }
  if (tariff.startDateTime && tariff.endDateTime && tariff.startDateTime >= tariff.endDateTime) {
    throw new InvalidCatalogInput('endDateTime', 'endDateTime must be after startDateTime');
  }
  tariff.elements.forEach((element, i) => {
    const r = element.restrictions;
    if (!r) return;
    const pairs: [keyof typeof r, keyof typeof r][] = [
      ['minKwh', 'maxKwh'],
      ['minPower', 'maxPower'],
      ['minCurrent', 'maxCurrent'],
      ['minDuration', 'maxDuration'],
    ];
    for (const [min, max] of pairs) {
      const lo = r[min];
      const hi = r[max];
      if (typeof lo === 'number' && typeof hi === 'number' && lo >= hi) throw new InvalidCatalogInput(`elements.${i}.restrictions.${String(min)}`, `${String(min)} must be below ${String(max)}`);
    }
    if (r.startDate !== undefined && r.endDate !== undefined && r.startDate >= r.endDate) {
      throw new InvalidCatalogInput(`elements.${i}.restrictions.endDate`, 'endDate must be after startDate');
    }
  });
}
