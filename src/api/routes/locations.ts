/**
 * /locations: the sites published over OCPI. Create, replace and delete locations; assign a station's EVSEs
 * (POST /locations/{id}/stations) or one EVSE (PUT /locations/{id}/evses/{uid}) with the connector data OCPP does
 * not report; remove an EVSE (kept as REMOVED). EVSE status is derived live from OCPP.
 */
import type { FastifyInstance } from 'fastify';
import { CatalogConflict, InvalidCatalogInput } from '../../domain/locations/errors.ts';
import type { ConnectorSpec, EvseDetails, EvseView, Location, LocationDetails, LocationView } from '../../domain/locations/model.ts';
import type { ConnectorDefaults, LocationService } from '../../domain/locations/service.ts';
import { ocpiEvseStatus } from '../../domain/locations/status.ts';
import type { TariffService } from '../../domain/tariffs/service.ts';
import { ApiError, errorResponses, invalidField, notFound } from '../errors.ts';
import { offsetPage, pageQueryProperties, stationIdSchema, type PageQuery } from '../schemas.ts';
import {
  catalogIdSchema,
  connectorSpecSchema,
  connectorWithIdSchema,
  countryCodeSchema,
  evseDetailsProperties,
  evseResponse,
  locationDetailResponse,
  locationDetailsProperties,
  locationDetailsRequired,
  locationResponse,
  partyIdSchema,
} from './catalog-schemas.ts';

/** What /locations and /tariffs need (built in app.ts; see src/domain/locations/catalog.ts). */
export interface CatalogApi {
  locations: LocationService;
  tariffs: TariffService;
}

const TAGS = ['locations'];

type LocationBody = LocationDetails & { id: string; countryCode: string; partyId: string };
type EvseBody = Partial<EvseDetails> & { stationId: string; evseId: number; connectors: ConnectorSpec[] };

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'countryCode', 'partyId', ...locationDetailsRequired],
  properties: { id: catalogIdSchema, countryCode: countryCodeSchema, partyId: partyIdSchema, ...locationDetailsProperties },
} as const;

const replaceBody = { type: 'object', additionalProperties: false, required: [...locationDetailsRequired], properties: locationDetailsProperties } as const;

const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: catalogIdSchema } } as const;
const evseParams = { type: 'object', additionalProperties: false, required: ['id', 'uid'], properties: { id: catalogIdSchema, uid: catalogIdSchema } } as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { countryCode: countryCodeSchema, partyId: partyIdSchema, ...pageQueryProperties },
} as const;

const evseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['stationId', 'evseId', 'connectors'],
  properties: {
    stationId: stationIdSchema,
    evseId: { type: 'integer', minimum: 1, maximum: 1000, description: "The station's EVSE id (1.6: the connectorId)" },
    ...evseDetailsProperties,
    connectors: { type: 'array', items: connectorWithIdSchema, minItems: 1, maxItems: 10 },
  },
} as const;

const assignStationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['stationId', 'connector'],
  properties: { stationId: stationIdSchema, connector: { ...connectorSpecSchema, description: 'Static data given to every connector of the station' } },
} as const;

export function presentLocation(location: Location): Record<string, unknown> {
  return { ...location, createdAt: location.createdAt.toISOString(), lastUpdated: location.lastUpdated.toISOString() };
}

export function presentEvse(view: EvseView): Record<string, unknown> {
  const { evse, connectors } = view;
  return {
    ...evse,
    status: ocpiEvseStatus(evse, view.live),
    connectors: connectors.map((c) => ({ ...c, lastUpdated: c.lastUpdated.toISOString() })),
    createdAt: evse.createdAt.toISOString(),
    lastUpdated: evse.lastUpdated.toISOString(),
  };
}

function presentView(view: LocationView): Record<string, unknown> {
  return { ...presentLocation(view.location), evses: view.evses.map(presentEvse) };
}

/** Domain refusals → API errors (not found / already exists are mapped by the error handler). */
export function catalogError(error: unknown): unknown {
  if (error instanceof InvalidCatalogInput) return invalidField('body', error.field, error.message);
  if (error instanceof CatalogConflict) return new ApiError('conflict', error.message);
  return error;
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw catalogError(error);
  }
}

export function locationRoutes(api: FastifyInstance, catalog: CatalogApi): void {
  const { locations } = catalog;

  api.post<{ Body: LocationBody }>(
    '/locations',
    { schema: { tags: TAGS, summary: 'Create a location', body: createBody, response: { 201: locationResponse, ...errorResponses(400, 409) } } },
    async (request, reply) => {
      const location = await mapped(locations.create(request.body));
      void reply.code(201).header('location', `/api/v1/locations/${encodeURIComponent(location.id)}`);
      return presentLocation(location);
    },
  );

  api.get<{ Querystring: PageQuery & { countryCode?: string; partyId?: string } }>(
    '/locations',
    { schema: { tags: TAGS, summary: 'List locations (oldest first)', querystring: listQuery, response: { 200: offsetPage(locationResponse), ...errorResponses(400) } } },
    async (request) => {
      const { limit, offset, countryCode, partyId } = request.query;
      const { items, total } = await locations.list({ limit, offset, countryCode, partyId });
      return { items: items.map(presentLocation), limit, offset, nextOffset: offset + items.length < total ? offset + limit : null };
    },
  );

  api.get<{ Params: { id: string } }>(
    '/locations/:id',
    { schema: { tags: TAGS, summary: 'A location with its EVSEs and connectors', params: idParams, response: { 200: locationDetailResponse, ...errorResponses(400, 404) } } },
    async (request) => {
      const view = await locations.view(request.params.id);
      if (!view) throw notFound('location', request.params.id);
      return presentView(view);
    },
  );

  api.put<{ Params: { id: string }; Body: LocationDetails }>(
    '/locations/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Replace the descriptive fields of a location (omitted optional fields reset)',
        params: idParams,
        body: replaceBody,
        response: { 200: locationResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const location = await mapped(locations.update(request.params.id, request.body));
      if (!location) throw notFound('location', request.params.id);
      return presentLocation(location);
    },
  );

  api.delete<{ Params: { id: string } }>(
    '/locations/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a location that has no EVSEs (otherwise remove them and set publish=false)',
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      if (!(await mapped(locations.delete(request.params.id)))) throw notFound('location', request.params.id);
      return reply.code(204).send();
    },
  );

  api.post<{ Params: { id: string }; Body: { stationId: string; connector: ConnectorDefaults } }>(
    '/locations/:id/stations',
    {
      schema: {
        tags: TAGS,
        summary: "Assign every EVSE the station has reported to this location (uid <station>-<evse>, connectors from the station's StatusNotifications)",
        params: idParams,
        body: assignStationBody,
        response: { 200: { type: 'object', properties: { evses: { type: 'array', items: evseResponse } } }, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const views = await mapped(locations.assignStation(request.params.id, request.body.stationId, request.body.connector));
      return { evses: views.map(presentEvse) };
    },
  );

  api.put<{ Params: { id: string; uid: string }; Body: EvseBody }>(
    '/locations/:id/evses/:uid',
    {
      schema: {
        tags: TAGS,
        summary: "Create or replace an EVSE of the location: one EVSE of a station, with its connectors' static data",
        params: evseParams,
        body: evseBody,
        response: { 200: evseResponse, 201: evseResponse, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { id, uid } = request.params;
      const { view, created } = await mapped(locations.putEvse(id, { ...request.body, uid }));
      if (created) void reply.code(201);
      return presentEvse(view);
    },
  );

  api.get<{ Params: { id: string; uid: string } }>(
    '/locations/:id/evses/:uid',
    { schema: { tags: TAGS, summary: 'An EVSE with its connectors and OCPI status', params: evseParams, response: { 200: evseResponse, ...errorResponses(400, 404) } } },
    async (request) => {
      const view = await locations.getEvse(request.params.uid);
      if (!view || view.evse.locationId !== request.params.id) throw notFound('EVSE', request.params.uid);
      return presentEvse(view);
    },
  );

  api.delete<{ Params: { id: string; uid: string } }>(
    '/locations/:id/evses/:uid',
    {
      schema: {
        tags: TAGS,
        summary: 'Remove an EVSE (it stays listed with status REMOVED, as OCPI requires; it can then be assigned elsewhere)',
        params: evseParams,
        response: { 204: { type: 'null', description: 'Removed' }, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const view = await locations.getEvse(request.params.uid);
      if (!view || view.evse.locationId !== request.params.id || !(await locations.removeEvse(request.params.uid))) throw notFound('EVSE', request.params.uid);
      return reply.code(204).send();
    },
  );
}
