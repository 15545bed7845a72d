/**
 * /ocpi/partners and /ocpi/outbox: the operator's view of OCPI roaming partners. Create a partner with a Token A
 * (they register with us), register with a partner from its versions URL and Token A, rotate our token, refresh
 * their endpoints, unregister, and watch the push outbox. Tokens we send partners are never returned; a Token A is
 * shown once, in the response that creates it.
 */
import type { FastifyInstance } from 'fastify';
import { OcpiFailure, type OcpiFailureKind } from '../../domain/ocpi/errors.ts';
import type { OutboxEntry, Partner, TokenEncoding } from '../../domain/ocpi/model.ts';
import type { OcpiOutbox } from '../../domain/ocpi/outbox.ts';
import type { PartnerService } from '../../domain/ocpi/partners.ts';
import { ApiError, errorResponses, type ApiErrorCode } from '../errors.ts';
import { httpUrlSchema, uuidSchema } from '../schemas.ts';

export interface OcpiAdmin {
  partners: PartnerService;
  outbox: OcpiOutbox;
  /** Our versions URL, handed to partners with their Token A. */
  versionsUrl(): string;
}

const TAGS = ['ocpi'];

const FAILURE_CODES: Record<OcpiFailureKind, ApiErrorCode> = {
  unknown_partner: 'not_found',
  invalid: 'validation_failed',
  already_registered: 'ocpi_state',
  not_registered: 'ocpi_state',
  unreachable: 'ocpi_partner_failed',
  unsupported_version: 'ocpi_partner_failed',
  missing_endpoints: 'ocpi_partner_failed',
  insecure_url: 'ocpi_partner_failed',
};

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OcpiFailure) throw new ApiError(FAILURE_CODES[error.kind], error.message);
    throw error;
  }
}

const partyRef = {
  type: 'object',
  additionalProperties: false,
  required: ['countryCode', 'partyId'],
  properties: { countryCode: { type: 'string', pattern: '^[A-Za-z]{2}$' }, partyId: { type: 'string', pattern: '^[A-Za-z0-9]{3}$' } },
} as const;

const settingsProperties = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  tokenEncoding: { type: 'string', enum: ['base64', 'plain', 'both'], description: 'Authorization token encoding: 2.2.1 base64, 2.1.1 installations plain; both = accept either, send per version' },
  allowPlainHttp: { type: 'boolean', description: 'Allow http:// URLs for this partner (tests, closed networks)' },
  requiredEndpoints: { type: 'array', maxItems: 20, items: { type: 'string', pattern: '^[a-z][a-z0-9_-]*(:(SENDER|RECEIVER))?$' }, description: 'e.g. ["tokens:SENDER", "cdrs"]: missing → registration refused (3003)' },
  ourParty: { ...partyRef, description: 'Which of our CPO parties speaks to this partner (default: the first configured)' },
} as const;

const partnerResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['PENDING', 'REGISTERED', 'UNREGISTERED'] },
    version: { type: ['string', 'null'] },
    versionsUrl: { type: ['string', 'null'] },
    endpoints: { type: 'array', items: { type: 'object', properties: { identifier: { type: 'string' }, role: { type: ['string', 'null'] }, url: { type: 'string' } } } },
    roles: {
      type: 'array',
      items: { type: 'object', properties: { role: { type: 'string' }, countryCode: { type: 'string' }, partyId: { type: 'string' }, businessDetails: { type: 'object', additionalProperties: true } } },
    },
    tokenEncoding: { type: 'string' },
    allowPlainHttp: { type: 'boolean' },
    requiredEndpoints: { type: 'array', items: { type: 'string' } },
    ourParty: { type: ['object', 'null'], properties: { countryCode: { type: 'string' }, partyId: { type: 'string' } } },
    initiatedBy: { type: ['string', 'null'] },
    lastSyncAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const outboxResponse = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    partnerId: { type: 'string' },
    module: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string' },
    body: {},
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string' },
    lastError: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    deliveredAt: { type: ['string', 'null'] },
    responseLocation: { type: ['string', 'null'], description: "The partner's Location header (e.g. a POSTed CDR's URL)" },
  },
} as const;

function presentPartner(p: Partner) {
  return {
    ...p,
    lastSyncAt: p.lastSyncAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

function presentEntry(e: OutboxEntry) {
  return {
    ...e,
    nextAttemptAt: e.nextAttemptAt.toISOString(),
    createdAt: e.createdAt.toISOString(),
    deliveredAt: e.deliveredAt?.toISOString() ?? null,
  };
}

interface Settings {
  name: string;
  tokenEncoding?: TokenEncoding;
  allowPlainHttp?: boolean;
  requiredEndpoints?: string[];
  ourParty?: { countryCode: string; partyId: string };
}

const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidSchema } } as const;
const one = { 200: partnerResponse, ...errorResponses(400, 404, 409, 502) };

export function ocpiPartnerRoutes(api: FastifyInstance, ocpi: OcpiAdmin): void {
  const { partners } = ocpi;

  api.get('/ocpi/partners', { schema: { tags: TAGS, summary: 'List OCPI partners (version, roles, endpoints, last sync)', response: { 200: { type: 'object', properties: { items: { type: 'array', items: partnerResponse } } }, ...errorResponses() } } }, async () => ({
    items: (await partners.list()).map(presentPartner),
  }));

  api.post<{ Body: Settings }>(
    '/ocpi/partners',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a partner and its Token A (shown once): give it, with versionsUrl, to the partner, which then registers with us',
        body: { type: 'object', additionalProperties: false, required: ['name'], properties: settingsProperties },
        response: { 201: { type: 'object', properties: { partner: partnerResponse, tokenA: { type: 'string' }, versionsUrl: { type: 'string' } } }, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { partner, tokenA } = await mapped(() => partners.createWithTokenA(request.body));
      void reply.code(201).header('cache-control', 'no-store').header('location', `/api/v1/ocpi/partners/${partner.id}`);
      return { partner: presentPartner(partner), tokenA, versionsUrl: ocpi.versionsUrl() };
    },
  );

  api.post<{ Body: Settings & { versionsUrl: string; tokenA: string } }>(
    '/ocpi/partners/register',
    {
      schema: {
        tags: TAGS,
        summary: "Register with a partner: we fetch its versions with its Token A, POST our credentials and keep its token",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'versionsUrl', 'tokenA'],
          properties: { ...settingsProperties, versionsUrl: httpUrlSchema, tokenA: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[\\u0021-\\u007e]+$' } },
        },
        response: { 201: partnerResponse, ...errorResponses(400, 409, 502) },
      },
    },
    async (request, reply) => {
      const partner = await mapped(() => partners.registerWith(request.body));
      void reply.code(201).header('location', `/api/v1/ocpi/partners/${partner.id}`);
      return presentPartner(partner);
    },
  );

  api.get<{ Params: { id: string } }>('/ocpi/partners/:id', { schema: { tags: TAGS, summary: 'One partner', params: idParams, response: one } }, async (request) =>
    presentPartner(await mapped(() => partners.get(request.params.id))),
  );

  api.patch<{ Params: { id: string }; Body: Partial<Settings> }>(
    '/ocpi/partners/:id',
    { schema: { tags: TAGS, summary: 'Change a partner’s settings', params: idParams, body: { type: 'object', additionalProperties: false, properties: settingsProperties }, response: one } },
    async (request) => presentPartner(await mapped(() => partners.updateSettings(request.params.id, request.body))),
  );

  api.post<{ Params: { id: string } }>(
    '/ocpi/partners/:id/token-a',
    {
      schema: {
        tags: TAGS,
        summary: 'A new Token A for a partner that has not registered (the previous one stops working)',
        params: idParams,
        response: { 200: { type: 'object', properties: { partner: partnerResponse, tokenA: { type: 'string' }, versionsUrl: { type: 'string' } } }, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { partner, tokenA } = await mapped(() => partners.renewTokenA(request.params.id));
      void reply.header('cache-control', 'no-store');
      return { partner: presentPartner(partner), tokenA, versionsUrl: ocpi.versionsUrl() };
    },
  );

  api.post<{ Params: { id: string } }>(
    '/ocpi/partners/:id/rotate',
    { schema: { tags: TAGS, summary: 'Rotate our token: PUT new credentials to the partner (the old token works until the exchange completes)', params: idParams, response: one } },
    async (request) => presentPartner(await mapped(() => partners.rotate(request.params.id))),
  );

  api.post<{ Params: { id: string } }>(
    '/ocpi/partners/:id/refresh',
    { schema: { tags: TAGS, summary: 'Re-fetch the partner’s versions and endpoints', params: idParams, response: one } },
    async (request) => presentPartner(await mapped(() => partners.refresh(request.params.id))),
  );

  api.post<{ Params: { id: string } }>(
    '/ocpi/partners/:id/unregister',
    {
      schema: {
        tags: TAGS,
        summary: 'Unregister: DELETE our credentials at the partner and stop all traffic (local state is cleared even if the partner cannot be reached)',
        params: idParams,
        response: { 200: { type: 'object', properties: { partner: partnerResponse, remote: { type: 'string', enum: ['ok', 'failed'] }, error: { type: 'string' } } }, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const result = await mapped(() => partners.unregister(request.params.id));
      return { ...result, partner: presentPartner(result.partner) };
    },
  );

  api.delete<{ Params: { id: string } }>(
    '/ocpi/partners/:id',
    { schema: { tags: TAGS, summary: 'Delete a partner record (and its outbox); unregister first to tell the partner', params: idParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 404) } } },
    async (request, reply) => {
      if (!(await partners.remove(request.params.id))) throw new ApiError('not_found', `OCPI partner ${request.params.id} not found`);
      return reply.code(204).send();
    },
  );

  api.get<{ Querystring: { partnerId?: string; status?: 'pending' | 'delivered' | 'failed'; limit?: number; offset?: number } }>(
    '/ocpi/outbox',
    {
      schema: {
        tags: TAGS,
        summary: 'The OCPI push outbox, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            partnerId: uuidSchema,
            status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: outboxResponse } } }, ...errorResponses(400) },
      },
    },
    async (request) => ({ items: (await ocpi.outbox.list(request.query)).map(presentEntry) }),
  );
}
