/**
 * OCPI Locations, Sender interface (CPO), 2.2.1 and 2.1.1:
 *   GET {url}?date_from&date_to&offset&limit          Location[] of the CPO party the request addresses
 *   GET {url}/{location_id}[/{evse_uid}[/{connector_id}]]
 * and the push side: location changes → PUT Location, EVSE changes → PUT EVSE, live status changes → PATCH EVSE
 * {status, last_updated}, each to every partner receiving locations for that party (receiver URL
 * {url}/{country_code}/{party_id}/{location_id}[/{evse_uid}]).
 * Objects of another CPO party answer 404 like unknown ones. 2.1.1 partners do not see unpublished locations
 * (2.1.1 has no publish flag to tell them).
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogChange, CatalogChanges } from '../../domain/locations/changes.ts';
import type { EvseStatus, Location } from '../../domain/locations/model.ts';
import type { LocationService } from '../../domain/locations/service.ts';
import { ocpiEvseStatus } from '../../domain/locations/status.ts';
import { readPage, sendPage } from '../pagination.ts';
import { OcpiError, ok } from '../status.ts';
import { ocpiContext, type OcpiModule, type OcpiModuleEnv, type OcpiVersion, type OurParty } from '../types.ts';
import { connectorJson, evseJson, locationJson } from './locations-format.ts';
import { followCatalog, objectPath, pushToPartners, type SerialQueue } from './locations-push.ts';

export interface LocationsModuleDeps {
  locations: LocationService;
  changes: CatalogChanges;
}

export type LocationsModule = OcpiModule & {
  /** Resolves when the pushes of the changes seen so far are in the outbox. */
  idle(): Promise<void>;
};

const sameParty = (location: Location, party: OurParty): boolean =>
  location.countryCode === party.countryCode.toUpperCase() && location.partyId === party.partyId.toUpperCase();

const idParam = { type: 'string', minLength: 1, maxLength: 39 } as const;

export function createLocationsModule(deps: LocationsModuleDeps): LocationsModule {
  const { locations } = deps;
  let queue: SerialQueue | undefined;
  /** Last status pushed per EVSE uid: a status PATCH is sent only when it changed. */
  const pushedStatus = new Map<string, EvseStatus>();

  /** A location the caller may see, or a 404. */
  async function visible(id: string, party: OurParty, version: OcpiVersion): Promise<Location> {
    const location = await locations.get(id);
    if (!location || !sameParty(location, party) || (version === '2.1.1' && !location.publish)) throw new OcpiError('not_found', `unknown location ${id}`);
    return location;
  }

  async function push(env: OcpiModuleEnv, change: CatalogChange): Promise<void> {
    if (change.type === 'tariff') return;
    const location = await locations.get(change.locationId);
    if (!location) return;
    const party = { countryCode: location.countryCode, partyId: location.partyId };
    const hidden = (version: OcpiVersion): boolean => version === '2.1.1' && !location.publish;
    if (change.type === 'location') {
      const view = await locations.view(location.id);
      if (!view) return;
      await pushToPartners(env, 'locations', party, {
        method: 'PUT',
        path: objectPath(location.countryCode, location.partyId, location.id),
        body: (version) => (hidden(version) ? undefined : locationJson(view, version)),
      });
      for (const evse of view.evses) pushedStatus.set(evse.evse.uid, ocpiEvseStatus(evse.evse, evse.live));
      return;
    }
    const view = await locations.getEvse(change.evseUid);
    if (!view || view.evse.locationId !== location.id) return;
    const status = ocpiEvseStatus(view.evse, view.live);
    const path = objectPath(location.countryCode, location.partyId, location.id, view.evse.uid);
    if (change.type === 'evse') {
      await pushToPartners(env, 'locations', party, { method: 'PUT', path, body: (version) => (hidden(version) ? undefined : evseJson(view, version)) });
    } else {
      if (pushedStatus.get(view.evse.uid) === status) return;
      await pushToPartners(env, 'locations', party, {
        method: 'PATCH',
        path,
        body: (version) => (hidden(version) ? undefined : { status, last_updated: view.evse.lastUpdated.toISOString() }),
      });
    }
    pushedStatus.set(view.evse.uid, status);
  }

  function startPushing(env: OcpiModuleEnv): void {
    queue ??= followCatalog(deps.changes, env, (change) => push(env, change));
  }

  return {
    identifier: 'locations',
    role: 'SENDER',
    versions: ['2.2.1', '2.1.1'],
    idle: () => queue?.idle() ?? Promise.resolve(),

    register(app: FastifyInstance, version: OcpiVersion, env: OcpiModuleEnv) {
      startPushing(env);

      app.get('/', async (request, reply) => {
        const { party } = ocpiContext(request);
        const page = readPage(request, env.pageLimit);
        const { items, total } = await locations.list({
          countryCode: party.countryCode,
          partyId: party.partyId,
          updatedFrom: page.dateFrom,
          updatedTo: page.dateTo,
          publishedOnly: version === '2.1.1',
          offset: page.offset,
          limit: page.limit,
        });
        const views = await locations.views(items);
        return sendPage(
          request,
          reply,
          env,
          page,
          views.map((v) => locationJson(v, version)),
          total,
        );
      });

      app.get<{ Params: { locationId: string } }>(
        '/:locationId',
        { schema: { params: { type: 'object', required: ['locationId'], properties: { locationId: idParam } } } },
        async (request) => {
          const location = await visible(request.params.locationId, ocpiContext(request).party, version);
          const view = await locations.view(location.id);
          if (!view) throw new OcpiError('not_found', `unknown location ${location.id}`);
          return ok(locationJson(view, version));
        },
      );

      app.get<{ Params: { locationId: string; evseUid: string } }>(
        '/:locationId/:evseUid',
        { schema: { params: { type: 'object', required: ['locationId', 'evseUid'], properties: { locationId: idParam, evseUid: idParam } } } },
        async (request) => {
          const { locationId, evseUid } = request.params;
          await visible(locationId, ocpiContext(request).party, version);
          const view = await locations.getEvse(evseUid);
          if (!view || view.evse.locationId !== locationId) throw new OcpiError('not_found', `unknown EVSE ${evseUid} at location ${locationId}`);
          return ok(evseJson(view, version));
        },
      );

      app.get<{ Params: { locationId: string; evseUid: string; connectorId: string } }>(
        '/:locationId/:evseUid/:connectorId',
        {
          schema: {
            params: { type: 'object', required: ['locationId', 'evseUid', 'connectorId'], properties: { locationId: idParam, evseUid: idParam, connectorId: { type: 'string', minLength: 1, maxLength: 36 } } },
          },
        },
        async (request) => {
          const { locationId, evseUid, connectorId } = request.params;
          await visible(locationId, ocpiContext(request).party, version);
          const view = await locations.getEvse(evseUid);
          const connector = view && view.evse.locationId === locationId ? view.connectors.find((c) => String(c.connectorId) === connectorId) : undefined;
          if (!connector) throw new OcpiError('not_found', `unknown connector ${connectorId} of EVSE ${evseUid} at location ${locationId}`);
          return ok(connectorJson(connector, version));
        },
      );
    },
  };
}
