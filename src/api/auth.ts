/**
 * Bearer API key authentication for every /api/v1 route except those marked `config: { public: true }`
 * (health and the OpenAPI document). The key itself is never logged or kept: only its hash is looked up.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../domain/model.ts';
import type { ApiKeyRepository } from '../domain/ports.ts';
import type { Logger } from '../shared/logger.ts';
import { ApiError } from './errors.ts';
import { findApiKey } from './keys.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without an API key. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The API key the request authenticated with. */
    apiKey: ApiKey | null;
  }
}

/** lastUsedAt is written at most this often per key (not one write per request). */
const MARK_USED_EVERY_MS = 60_000;

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  return match?.[1];
}

export function authHook(repo: ApiKeyRepository, logger: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.routeOptions.config.public) return;
    const token = bearerToken(request.headers.authorization);
    const key = token === undefined ? undefined : await findApiKey(repo, token);
    if (!key) {
      void reply.header('www-authenticate', 'Bearer realm="joule"');
      throw new ApiError('unauthorized', token === undefined ? 'missing bearer API key (Authorization: Bearer <key>)' : 'invalid API key');
    }
    request.apiKey = key;
    const now = new Date();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= MARK_USED_EVERY_MS) {
      repo.markUsed(key.id, now).catch((error: unknown) => logger.warn({ err: error, apiKeyId: key.id }, 'could not record API key use'));
    }
  };
}
