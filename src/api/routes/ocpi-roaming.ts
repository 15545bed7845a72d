/**
 * Operator entry points of the roaming use cases: pull a partner's token list (POST /ocpi/partners/{id}/tokens/pull),
 * list issued CDRs newest first (GET /ocpi/cdrs) and correct one (POST /ocpi/cdrs/{id}/correct: a credit CDR and
 * a replacement, both pushed to the eMSP by the outbox).
 */
import type { FastifyInstance } from 'fastify';
import { OcpiFailure, OcpiPeerError } from '../../domain/ocpi/errors.ts';
import type { Partner } from '../../domain/ocpi/model.ts';
import type { Roaming, RoamingCdr, RoamingSessions } from '../../domain/roaming/index.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { offsetPage, pageQueryProperties, uuidSchema, type OffsetPage } from '../schemas.ts';
import type { OcpiAdmin } from './ocpi-partners.ts';

/** What these routes need from the roaming use cases (the app passes its Roaming). */
export interface OcpiRoamingApi {
  /** Set once the OCPI Tokens module is mounted; read at request time. */
  readonly pullTokens: Roaming['pullTokens'];
  sessions: Pick<RoamingSessions, 'getCdr' | 'listCdrs' | 'correctCdr'>;
}

const TAGS = ['ocpi'];

function hasTokensSender(partner: Partner): boolean {
  return partner.endpoints.some((e) => e.identifier === 'tokens' && (e.role === 'SENDER' || e.role === null));
}

async function partnerOf(admin: OcpiAdmin, id: string): Promise<Partner> {
  try {
    return await admin.partners.get(id);
  } catch (error) {
    if (error instanceof OcpiFailure && error.kind === 'unknown_partner') throw new ApiError('not_found', `OCPI partner ${id} not found`);
    throw error;
  }
}

const cdrResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    countryCode: { type: 'string', description: 'The eMSP party the CDR is for' },
    partyId: { type: 'string' },
    sessionId: { type: ['string', 'null'] },
    credit: { type: 'boolean' },
    creditReferenceId: { type: ['string', 'null'], description: 'The CDR a credit CDR cancels' },
    startDateTime: { type: 'string' },
    endDateTime: { type: 'string' },
    totalEnergy: { type: 'number', description: 'kWh' },
    totalCost: { type: 'object', properties: { excl_vat: { type: 'number' }, incl_vat: { type: 'number' } } },
    currency: { type: 'string' },
    lastUpdated: { type: 'string' },
    object: { type: 'object', additionalProperties: true, description: 'The OCPI 2.2.1 CDR object as sent' },
  },
} as const;

function presentCdr(c: RoamingCdr) {
  return {
    id: c.id,
    countryCode: c.emsp.countryCode,
    partyId: c.emsp.partyId,
    sessionId: c.sessionId,
    credit: c.credit,
    creditReferenceId: c.object.credit_reference_id ?? null,
    startDateTime: c.object.start_date_time,
    endDateTime: c.object.end_date_time,
    totalEnergy: c.object.total_energy,
    totalCost: c.object.total_cost,
    currency: c.object.currency,
    lastUpdated: c.lastUpdated.toISOString(),
    object: c.object,
  };
}

/** The parties whose CDRs belong to a partner: its roles, or (a Hub) nothing of its own. */
function partiesOf(partner: Partner): { countryCode: string; partyId: string }[] {
  return partner.roles.filter((r) => r.role !== 'HUB').map((r) => ({ countryCode: r.countryCode.toUpperCase(), partyId: r.partyId.toUpperCase() }));
}

interface CdrQuery {
  partnerId?: string;
  limit: number;
  offset: number;
}

export function ocpiRoamingRoutes(api: FastifyInstance, admin: OcpiAdmin, roaming: OcpiRoamingApi): void {
  api.post<{ Params: { id: string } }>(
    '/ocpi/partners/:id/tokens/pull',
    {
      schema: {
        tags: TAGS,
        summary: "Pull the partner's token list (GET on its tokens SENDER endpoint, every page) into the token store",
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidSchema } },
        response: {
          200: {
            type: 'object',
            properties: {
              fetched: { type: 'integer', description: 'Tokens in the partner’s list' },
              stored: { type: 'integer', description: 'Tokens stored (new or replaced)' },
              refused: { type: 'integer', description: 'Tokens not stored (unusable, or of a party the partner does not speak for); logged' },
            },
          },
          ...errorResponses(400, 404, 409, 502),
        },
      },
    },
    async (request) => {
      const partner = await partnerOf(admin, request.params.id);
      if (partner.status !== 'REGISTERED') throw new ApiError('ocpi_state', `OCPI partner ${partner.id} is not registered (${partner.status})`);
      if (!hasTokensSender(partner)) throw new ApiError('ocpi_state', `OCPI partner ${partner.id} has no tokens SENDER endpoint`);
      const pull = roaming.pullTokens;
      if (!pull) throw new ApiError('ocpi_state', 'the OCPI Tokens module is not mounted');
      try {
        const { stored, refused } = await pull(partner.id);
        return { fetched: stored + refused, stored, refused };
      } catch (error) {
        if (error instanceof OcpiPeerError) throw new ApiError('ocpi_partner_failed', `token pull from ${partner.name} failed: ${error.message}`);
        throw error;
      }
    },
  );

  api.get<{ Querystring: CdrQuery }>(
    '/ocpi/cdrs',
    {
      schema: {
        tags: TAGS,
        summary: 'CDRs issued to eMSPs (credit CDRs included), newest first',
        querystring: { type: 'object', additionalProperties: false, properties: { partnerId: { ...uuidSchema, description: 'Only CDRs of this partner’s parties' }, ...pageQueryProperties } },
        response: { 200: offsetPage(cdrResponse), ...errorResponses(400, 404) },
      },
    },
    async (request): Promise<OffsetPage<ReturnType<typeof presentCdr>>> => {
      const { partnerId, limit, offset } = request.query;
      const parties = partnerId === undefined ? undefined : partiesOf(await partnerOf(admin, partnerId));
      // The store lists oldest first (what OCPI GET needs): read the total, then the window counted from the end.
      const { total } = await roaming.sessions.listCdrs({ parties, offset: 0, limit: 1 });
      const end = total - offset;
      if (end <= 0) return { items: [], limit, offset, nextOffset: null };
      const start = Math.max(0, end - limit);
      const page = await roaming.sessions.listCdrs({ parties, offset: start, limit: end - start });
      return { items: page.items.reverse().map(presentCdr), limit, offset, nextOffset: start > 0 ? offset + limit : null };
    },
  );

  api.post<{ Params: { id: string } }>(
    '/ocpi/cdrs/:id/correct',
    {
      schema: {
        tags: TAGS,
        summary: 'Correct an issued CDR: a credit CDR cancels it and a replacement is computed from the transaction as stored now; both are pushed to the eMSP',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 39, pattern: '^[\\u0021-\\u007e]+$' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              creditCdrId: { type: 'string' },
              replacementCdrId: { type: ['string', 'null'], description: 'null when the CDR has no session to recompute from' },
            },
          },
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request) => {
      const original = await roaming.sessions.getCdr(request.params.id);
      if (!original) throw new ApiError('not_found', `CDR ${request.params.id} not found`);
      if (original.credit) throw new ApiError('not_found', `CDR ${request.params.id} is a credit CDR: only issued CDRs are corrected`);
      // The credit CDR's id is derived from the original's: a second correction would collide with the first.
      if (await roaming.sessions.getCdr(`${original.id}-C`)) throw new ApiError('already_exists', `CDR ${original.id} was already corrected (credit CDR ${original.id}-C): correct its replacement instead`);
      const { credit, replacement } = await roaming.sessions.correctCdr(original.id);
      return { creditCdrId: credit.id, replacementCdrId: replacement?.id ?? null };
    },
  );
}
