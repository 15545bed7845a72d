/**
 * Operator REST API under /api/v1 (OpenAPI 3.1 at /api/v1/openapi.json, Swagger UI at /docs).
 *
 * Everything under /api/v1 lives in one encapsulated Fastify plugin with its own validator compiler (strict:
 * unknown fields are refused, every failing field reported), error and not-found handlers (the error catalogue
 * in errors.ts) and the bearer API key hook, so other mounts on the same server (OCPI, the OCPP upgrades) are
 * untouched. docs/api.md describes the API for operators.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { CommandOutcome, OperatorCommand } from '../domain/commands/types.ts';
import type { EventSource } from '../domain/events.ts';
import type { CommandJob, CommandJobStatus } from '../domain/model.ts';
import type { Page, Repositories } from '../domain/ports.ts';
import type { Logger } from '../shared/logger.ts';
import { authHook } from './auth.ts';
import { API_ERRORS, errorHandler, notFoundHandler } from './errors.ts';
import { createApiKey } from './keys.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { ocpiPartnerRoutes, type OcpiAdmin } from './routes/ocpi-partners.ts';
import { ocpiRoamingRoutes, type OcpiRoamingApi } from './routes/ocpi-roaming.ts';
import { commandRoutes } from './routes/commands.ts';
import { EventStreams, eventRoutes } from './routes/events.ts';
import { locationRoutes, type CatalogApi } from './routes/locations.ts';
import { stationRoutes } from './routes/stations.ts';
import { tariffRoutes } from './routes/tariffs.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { transactionRoutes } from './routes/transactions.ts';
import { createValidatorCompiler } from './validation.ts';

export const API_PREFIX = '/api/v1';

/** What the API needs from the domain's CommandService (src/domain/commands/service.ts). */
export interface ApiCommandService {
  /** Waits for the station's answer; throws CommandError. */
  run(stationId: string, command: OperatorCommand, options?: { timeoutMs?: number }): Promise<CommandOutcome>;
  /** Stores a job and runs the command in the background (calling webhookUrl with the job when it ends). */
  submit(stationId: string, command: OperatorCommand, options?: { timeoutMs?: number; webhookUrl?: string }): Promise<CommandJob>;
  getJob(id: string): Promise<CommandJob | undefined>;
  /** Newest first. */
  listJobs(filter?: Page & { stationId?: string; status?: readonly CommandJobStatus[] }): Promise<CommandJob[]>;
}

export interface ApiDeps {
  repos: Repositories;
  /** The live stream's events: this node's, and on several nodes the others' too. */
  events: EventSource;
  commands: ApiCommandService;
  logger: Logger;
  /** OCPI partner administration (absent when OCPI is disabled). */
  ocpi?: OcpiAdmin;
  /** Roaming use cases for operators: token pull, CDR list and correction (served with `ocpi`). */
  ocpiRoaming?: OcpiRoamingApi;
  /** Locations and tariffs (/locations, /tariffs); absent: those routes are not served. */
  catalog?: CatalogApi;
  /** Interval of the comment lines that keep event streams open through proxies (default 15 s). */
  sseKeepAliveMs?: number;
}

const DESCRIPTION = `Operator API of the Joule CSMS.

Authenticate every request (except \`/api/v1/health\` and this document) with \`Authorization: Bearer <API key>\`.
Keys are created with \`joule apikey create <name>\` or \`POST /api/v1/api-keys\`; the first start prints one.

Errors are JSON \`{ error, message, fields?, rpc? }\`; codes: ${Object.entries(API_ERRORS)
  .map(([code, e]) => `\`${code}\` (${e.status})`)
  .join(', ')}.`;

export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Joule operator API', version: '1.0.0', description: DESCRIPTION },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key (jk_...)' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'stations', description: 'Charging stations, their EVSEs, connectors and device model' },
        { name: 'tokens', description: 'Id tokens (RFID cards, eMAIDs, ...)' },
        { name: 'transactions', description: 'Charging sessions with meter values and energy' },
        { name: 'locations', description: 'Sites, their EVSEs and connectors, as published over OCPI' },
        { name: 'tariffs', description: 'Tariffs published over OCPI, their assignment to connectors, cost previews' },
        { name: 'messages', description: 'The OCPP message log' },
        { name: 'commands', description: 'Remote control of stations (synchronous or as jobs)' },
        { name: 'events', description: 'Live event stream' },
        { name: 'api-keys', description: 'API keys' },
        { name: 'ocpi', description: 'OCPI roaming partners and the push outbox' },
        { name: 'system', description: 'Health and documentation' },
      ],
    },
    // Only the operator API is documented here (other mounts on this server have their own documents).
    transform: ({ schema, url }) => ({ schema: url.startsWith(API_PREFIX) ? schema : { ...schema, hide: true }, url }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const streams = new EventStreams();
  await app.register(
    async (api) => {
      api.setValidatorCompiler(createValidatorCompiler());
      // Bodies are JSON only (Fastify would otherwise hand text/plain bodies to the validator as strings).
      api.removeContentTypeParser('text/plain');
      api.setErrorHandler(errorHandler(deps.logger));
      api.setNotFoundHandler(notFoundHandler);
      api.decorateRequest('apiKey', null);
      api.addHook('onRequest', authHook(deps.repos.apiKeys, deps.logger));
      // Event streams never end by themselves: end them so closing the server does not wait for the clients.
      api.addHook('preClose', (done) => {
        streams.closeAll();
        done();
      });

      api.get(
        '/health',
        {
          config: { public: true },
          schema: {
            tags: ['system'],
            summary: 'Liveness (no authentication)',
            security: [],
            response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } },
          },
        },
        async () => ({ status: 'ok' as const }),
      );
      api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

      stationRoutes(api, deps);
      tokenRoutes(api, deps);
      transactionRoutes(api, deps);
      commandRoutes(api, deps);
      eventRoutes(api, deps, streams);
      apiKeyRoutes(api, deps);
      if (deps.catalog) {
        locationRoutes(api, deps.catalog);
        tariffRoutes(api, deps.catalog);
      }
      if (deps.ocpi) ocpiPartnerRoutes(api, deps.ocpi);
      if (deps.ocpi && deps.ocpiRoaming) ocpiRoamingRoutes(api, deps.ocpi, deps.ocpiRoaming);
    },
    { prefix: API_PREFIX },
  );
}

/** On a first start without any API key, creates one named 'initial' and returns it (undefined when keys exist). */
export async function ensureInitialApiKey(deps: ApiDeps): Promise<string | undefined> {
  if ((await deps.repos.apiKeys.count()) > 0) return undefined;
  const { record, key } = await createApiKey(deps.repos.apiKeys, 'initial');
  // The key itself is printed once by the caller, never logged.
  deps.logger.info({ apiKeyId: record.id }, "created the initial API key 'initial'");
  return key;
}
