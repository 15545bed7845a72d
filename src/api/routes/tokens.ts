/** /tokens: id tokens (RFID cards, eMAIDs, ...) the CSMS authorizes. A token is keyed by (idToken, type). */
import type { FastifyInstance } from 'fastify';
import type { TokenStatus } from '../../domain/model.ts';
import { ApiError, errorResponses, notFound } from '../errors.ts';
import type { ApiDeps } from '../index.ts';
import { presentToken } from '../presenters.ts';
import { dateTimeSchema, fetchPage, idTokenTypeSchema, idTokenValueSchema, offsetPage, pageQueryProperties, pkSchema, tokenResponse, tokenStatusSchema, type PageQuery } from '../schemas.ts';

const TAGS = ['tokens'];

interface TokenBody {
  idToken: string;
  type: string;
  status: TokenStatus;
  expiry?: string | null;
  groupId?: string | null;
}

type TokenPatchBody = Partial<Pick<TokenBody, 'status' | 'expiry' | 'groupId'>>;

interface TokenListQuery extends PageQuery {
  idToken?: string;
  source?: string;
  groupId?: string;
}

const groupIdSchema = { type: ['string', 'null'], minLength: 1, maxLength: 36 } as const;
const expirySchema = { type: ['string', 'null'], format: dateTimeSchema.format } as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['idToken', 'status'],
  properties: {
    idToken: idTokenValueSchema,
    type: { ...idTokenTypeSchema, default: 'ISO14443', description: '2.0.1 IdTokenEnumType (ISO14443, ISO15693, eMAID, Central, KeyCode, Local, MacAddress, NoAuthorization)' },
    status: tokenStatusSchema,
    expiry: expirySchema,
    groupId: groupIdSchema,
  },
} as const;

const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { status: tokenStatusSchema, expiry: expirySchema, groupId: groupIdSchema },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    idToken: { ...idTokenValueSchema, description: 'Every token with this value, whatever its type (no paging).' },
    source: { type: 'string', minLength: 1, maxLength: 100 },
    groupId: { type: 'string', minLength: 1, maxLength: 36 },
    ...pageQueryProperties,
  },
} as const;

const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: pkSchema } } as const;

const toDate = (value: string | null | undefined): Date | null | undefined => (value === undefined || value === null ? value : new Date(value));

export function tokenRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { tokens } = deps.repos;

  api.post<{ Body: TokenBody }>(
    '/tokens',
    {
      schema: { tags: TAGS, summary: 'Create an id token', body: createBody, response: { 201: tokenResponse, ...errorResponses(400, 409) } },
    },
    async (request, reply) => {
      const { idToken, type, status, expiry, groupId } = request.body;
      if (await tokens.get(idToken, type)) throw new ApiError('already_exists', `id token ${idToken} (${type}) already exists`);
      const token = await tokens.upsert({ idToken, type, status, expiry: toDate(expiry) ?? null, groupId: groupId ?? null, source: 'local' });
      void reply.code(201).header('location', `/api/v1/tokens/${token.id}`);
      return presentToken(token);
    },
  );

  api.get<{ Querystring: TokenListQuery }>(
    '/tokens',
    {
      schema: { tags: TAGS, summary: 'List id tokens', querystring: listQuery, response: { 200: offsetPage(tokenResponse), ...errorResponses(400) } },
    },
    async (request) => {
      const { idToken, source, groupId, limit } = request.query;
      if (idToken !== undefined) {
        const items = (await tokens.findByValue(idToken)).filter((t) => (source === undefined || t.source === source) && (groupId === undefined || t.groupId === groupId));
        return { items: items.map(presentToken), limit, offset: 0, nextOffset: null };
      }
      return fetchPage(request.query, (page) => tokens.list({ ...page, source, groupId }), presentToken);
    },
  );

  api.get<{ Params: { id: number } }>(
    '/tokens/:id',
    { schema: { tags: TAGS, summary: 'An id token', params: idParams, response: { 200: tokenResponse, ...errorResponses(400, 404) } } },
    async (request) => {
      const token = await tokens.getById(request.params.id);
      if (!token) throw notFound('id token', request.params.id);
      return presentToken(token);
    },
  );

  api.patch<{ Params: { id: number }; Body: TokenPatchBody }>(
    '/tokens/:id',
    {
      schema: { tags: TAGS, summary: 'Change status, expiry or group', params: idParams, body: patchBody, response: { 200: tokenResponse, ...errorResponses(400, 404) } },
    },
    async (request) => {
      const current = await tokens.getById(request.params.id);
      if (!current) throw notFound('id token', request.params.id);
      const { status, expiry, groupId } = request.body;
      const token = await tokens.upsert({
        idToken: current.idToken,
        type: current.type,
        source: current.source,
        status: status ?? current.status,
        expiry: expiry === undefined ? current.expiry : toDate(expiry),
        groupId: groupId === undefined ? current.groupId : groupId,
      });
      return presentToken(token);
    },
  );

  api.delete<{ Params: { id: number } }>(
    '/tokens/:id',
    {
      schema: { tags: TAGS, summary: 'Delete an id token', params: idParams, response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 404) } },
    },
    async (request, reply) => {
      const current = await tokens.getById(request.params.id);
      if (!current || !(await tokens.delete(current.idToken, current.type))) throw notFound('id token', request.params.id);
      return reply.code(204).send();
    },
  );
}
