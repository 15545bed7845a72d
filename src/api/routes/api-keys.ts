/** /api-keys: list, create (the plain key is returned once), delete. */
import type { FastifyInstance } from 'fastify';
import { errorResponses, notFound } from '../errors.ts';
import type { ApiDeps } from '../index.ts';
import { createApiKey } from '../keys.ts';
import { presentApiKey } from '../presenters.ts';
import { apiKeyResponse, uuidSchema } from '../schemas.ts';

const TAGS = ['api-keys'];
const keyNameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[\\u0020-\\u007e]+$' } as const;

export function apiKeyRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { apiKeys } = deps.repos;

  api.get(
    '/api-keys',
    {
      schema: {
        tags: TAGS,
        summary: 'List API keys (never the keys themselves)',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: apiKeyResponse } } }, ...errorResponses() },
      },
    },
    async () => ({ items: (await apiKeys.list()).map(presentApiKey) }),
  );

  api.post<{ Body: { name: string } }>(
    '/api-keys',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an API key; the response holds the key, which cannot be shown again',
        body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: keyNameSchema } },
        response: {
          201: { type: 'object', properties: { ...apiKeyResponse.properties, key: { type: 'string', description: 'Shown only in this response' } } },
          ...errorResponses(400),
        },
      },
    },
    async (request, reply) => {
      const { record, key } = await createApiKey(apiKeys, request.body.name);
      deps.logger.info({ apiKeyId: record.id, name: record.name, by: request.apiKey?.id }, 'API key created');
      void reply.code(201).header('location', `/api/v1/api-keys/${record.id}`).header('cache-control', 'no-store');
      return { ...presentApiKey(record), key };
    },
  );

  api.delete<{ Params: { id: string } }>(
    '/api-keys/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete (revoke) an API key',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidSchema } },
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      if (!(await apiKeys.delete(request.params.id))) throw notFound('API key', request.params.id);
      deps.logger.info({ apiKeyId: request.params.id, by: request.apiKey?.id }, 'API key deleted');
      return reply.code(204).send();
    },
  );
}
