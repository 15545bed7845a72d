/**
 * /tariffs: tariffs published over OCPI (pushed to partners on every PUT and DELETE), their assignment to
 * connectors, and a cost preview (the same computeCost the CDRs use).
 */
import type { FastifyInstance } from 'fastify';
import { isValidTimeZone } from '../../domain/tariffs/local-time.ts';
import { computeCost, type ChargingInterval, type SessionCost } from '../../domain/tariffs/cost.ts';
import type { Tariff, TariffInput } from '../../domain/tariffs/model.ts';
import { ApiError, errorResponses, invalidField, notFound } from '../errors.ts';
import { offsetPage, pageQueryProperties, stationIdSchema, type PageQuery } from '../schemas.ts';
import { catalogIdSchema, costResponse, countryCodeSchema, evseResponse, partyIdSchema, tariffBodyProperties, tariffResponse } from './catalog-schemas.ts';
import { catalogError, presentEvse, type CatalogApi } from './locations.ts';

const TAGS = ['tariffs'];

type TariffBody = Omit<TariffInput, 'id' | 'startDateTime' | 'endDateTime'> & { startDateTime: string | null; endDateTime: string | null };

const bodyRequired = ['countryCode', 'partyId', 'currency', 'elements'] as const;
const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', ...bodyRequired],
  properties: { id: catalogIdSchema, ...tariffBodyProperties },
} as const;
const replaceBody = { type: 'object', additionalProperties: false, required: [...bodyRequired], properties: tariffBodyProperties } as const;
const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: catalogIdSchema } } as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { countryCode: countryCodeSchema, partyId: partyIdSchema, ...pageQueryProperties },
} as const;

const connectorRef = {
  type: 'object',
  additionalProperties: false,
  required: ['stationId', 'evseId', 'connectorId'],
  properties: { stationId: stationIdSchema, evseId: { type: 'integer', minimum: 1, maximum: 1000 }, connectorId: { type: 'integer', minimum: 1, maximum: 1000 } },
} as const;
const assignBody = {
  type: 'object',
  additionalProperties: false,
  required: ['connectors'],
  properties: { connectors: { type: 'array', items: connectorRef, minItems: 1, maxItems: 500 } },
} as const;

interface CostBody {
  timeZone: string;
  start?: string;
  intervals: { start: string; end: string; energyWh: number; charging: boolean; powerKw?: number; currentA?: number }[];
}

const costBody = {
  type: 'object',
  additionalProperties: false,
  required: ['timeZone', 'intervals'],
  properties: {
    timeZone: { type: 'string', minLength: 1, maxLength: 255, description: 'IANA zone of the location' },
    start: { type: 'string', format: 'date-time', description: 'Session start (default: start of the first interval)' },
    intervals: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end', 'energyWh', 'charging'],
        properties: {
          start: { type: 'string', format: 'date-time' },
          end: { type: 'string', format: 'date-time' },
          energyWh: { type: 'number', minimum: 0, maximum: 10_000_000 },
          charging: { type: 'boolean', description: 'false: connected but not charging (PARKING_TIME)' },
          powerKw: { type: 'number', minimum: 0, maximum: 10_000 },
          currentA: { type: 'number', minimum: 0, maximum: 10_000 },
        },
      },
    },
  },
} as const;

/** Longest session a preview computes (the cost walks minute boundaries of clock-restricted tariffs). */
const MAX_PREVIEW_MS = 31 * 24 * 3_600_000;

export function presentTariff(tariff: Tariff): Record<string, unknown> {
  return {
    ...tariff,
    startDateTime: tariff.startDateTime?.toISOString() ?? null,
    endDateTime: tariff.endDateTime?.toISOString() ?? null,
    createdAt: tariff.createdAt.toISOString(),
    lastUpdated: tariff.lastUpdated.toISOString(),
  };
}

function presentCost(cost: SessionCost): Record<string, unknown> {
  return { ...cost, periods: cost.periods.map((p) => ({ ...p, start: p.start.toISOString(), end: p.end.toISOString() })) };
}

function toInput(id: string, body: TariffBody): TariffInput {
  return { ...body, id, startDateTime: body.startDateTime === null ? null : new Date(body.startDateTime), endDateTime: body.endDateTime === null ? null : new Date(body.endDateTime) };
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw catalogError(error);
  }
}

export function tariffRoutes(api: FastifyInstance, catalog: CatalogApi): void {
  const { tariffs, locations } = catalog;

  api.post<{ Body: TariffBody & { id: string } }>(
    '/tariffs',
    { schema: { tags: TAGS, summary: 'Create a tariff', body: createBody, response: { 201: tariffResponse, ...errorResponses(400, 409) } } },
    async (request, reply) => {
      const { id, ...body } = request.body;
      if (await tariffs.get(id)) throw new ApiError('already_exists', `tariff ${id} already exists`);
      const { tariff } = await mapped(tariffs.put(toInput(id, body)));
      void reply.code(201).header('location', `/api/v1/tariffs/${encodeURIComponent(id)}`);
      return presentTariff(tariff);
    },
  );

  api.put<{ Params: { id: string }; Body: TariffBody }>(
    '/tariffs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Create or replace a tariff (pushed to partners)',
        params: idParams,
        body: replaceBody,
        response: { 200: tariffResponse, 201: tariffResponse, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { tariff, created } = await mapped(tariffs.put(toInput(request.params.id, request.body)));
      if (created) void reply.code(201);
      return presentTariff(tariff);
    },
  );

  api.get<{ Querystring: PageQuery & { countryCode?: string; partyId?: string } }>(
    '/tariffs',
    { schema: { tags: TAGS, summary: 'List tariffs (oldest first)', querystring: listQuery, response: { 200: offsetPage(tariffResponse), ...errorResponses(400) } } },
    async (request) => {
      const { limit, offset, countryCode, partyId } = request.query;
      const { items, total } = await tariffs.list({ limit, offset, countryCode, partyId });
      return { items: items.map(presentTariff), limit, offset, nextOffset: offset + items.length < total ? offset + limit : null };
    },
  );

  api.get<{ Params: { id: string } }>(
    '/tariffs/:id',
    { schema: { tags: TAGS, summary: 'A tariff', params: idParams, response: { 200: tariffResponse, ...errorResponses(400, 404) } } },
    async (request) => {
      const tariff = await tariffs.get(request.params.id);
      if (!tariff) throw notFound('tariff', request.params.id);
      return presentTariff(tariff);
    },
  );

  api.delete<{ Params: { id: string } }>(
    '/tariffs/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a tariff (also taken off every connector; partners get a DELETE)',
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      if (!(await tariffs.delete(request.params.id))) throw notFound('tariff', request.params.id);
      return reply.code(204).send();
    },
  );

  api.post<{ Params: { id: string }; Body: { connectors: { stationId: string; evseId: number; connectorId: number }[] } }>(
    '/tariffs/:id/connectors',
    {
      schema: {
        tags: TAGS,
        summary: 'Add the tariff to connectors of EVSEs assigned to a location',
        params: idParams,
        body: assignBody,
        response: { 200: { type: 'object', properties: { evses: { type: 'array', items: evseResponse } } }, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const touched = await mapped(locations.assignTariff(request.params.id, request.body.connectors));
      const views = await Promise.all(touched.map((ref) => locations.getEvse(ref.uid)));
      return { evses: views.filter((v) => v !== undefined).map(presentEvse) };
    },
  );

  api.post<{ Params: { id: string }; Body: CostBody }>(
    '/tariffs/:id/cost',
    {
      schema: {
        tags: TAGS,
        summary: 'What a session would cost under this tariff (OCPI 2.2.1 rules; see docs/api.md)',
        params: idParams,
        body: costBody,
        response: { 200: costResponse, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const tariff = await tariffs.get(request.params.id);
      if (!tariff) throw notFound('tariff', request.params.id);
      const { timeZone, start, intervals } = request.body;
      if (!isValidTimeZone(timeZone)) throw invalidField('body', 'timeZone', `unknown time zone ${timeZone}`);
      const parsed: ChargingInterval[] = intervals.map((i) => ({ ...i, start: new Date(i.start), end: new Date(i.end) }));
      let previousEnd = -Infinity;
      parsed.forEach((interval, index) => {
        if (interval.end < interval.start) throw invalidField('body', `intervals.${index}.end`, 'must not be before start');
        if (interval.start.getTime() < previousEnd) throw invalidField('body', `intervals.${index}.start`, 'intervals must be in order and must not overlap');
        previousEnd = interval.end.getTime();
      });
      const sessionStart = start ? new Date(start) : (parsed[0]?.start ?? new Date());
      if (previousEnd - sessionStart.getTime() > MAX_PREVIEW_MS) throw invalidField('body', 'intervals', 'a preview covers at most 31 days');
      try {
        return presentCost(computeCost(tariff, { start: sessionStart, intervals: parsed, timeZone }));
      } catch (error) {
        if (error instanceof RangeError) throw invalidField('body', 'intervals', error.message);
        throw error;
      }
    },
  );
}
