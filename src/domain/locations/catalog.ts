/**
 * The CPO catalogue: location and tariff services sharing one change hub, following OCPP status events.
 * Built once by the composition root and handed to the REST API and the OCPI modules.
 */
import type { DomainEvents } from '../events.ts';
import type { Repositories } from '../ports.ts';
import { TariffService } from '../tariffs/service.ts';
import type { Logger } from '../../shared/logger.ts';
import { CatalogChanges } from './changes.ts';
import { LocationService } from './service.ts';

export interface Catalog {
  locations: LocationService;
  tariffs: TariffService;
  changes: CatalogChanges;
  /** Stops following OCPP events and waits for the bumps in flight. */
  close(): Promise<void>;
}

export function createCatalog(deps: { repos: Repositories; events: DomainEvents; logger: Logger; clock?: () => Date }): Catalog {
  const { repos, logger, clock } = deps;
  const changes = new CatalogChanges((error, change) => logger.error({ err: error, change: change.type }, 'catalogue change listener failed'));
  const locations = new LocationService({ locations: repos.locations, stations: repos.stations, tariffs: repos.tariffs, changes, logger, clock });
  const tariffs = new TariffService({ tariffs: repos.tariffs, locations: repos.locations, changes, clock });
  const unsubscribe = locations.followStatus(deps.events);
  return {
    locations,
    tariffs,
    changes,
    async close() {
      unsubscribe();
      await locations.settled();
    },
  };
}
