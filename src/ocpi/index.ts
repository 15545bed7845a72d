/**
 * OCPI under /ocpi: one encapsulated Fastify plugin with its own JSON-only body parser, error and not-found
 * handlers (every answer, errors included, is an OCPI envelope) and the token hook, so the REST API and the OCPP
 * upgrades on the same server are untouched. README.md in this folder is the module authors' guide.
 */
import type { FastifyInstance } from 'fastify';
import type { OcpiOutbox } from '../domain/ocpi/outbox.ts';
import type { PartnerService } from '../domain/ocpi/partners.ts';
import type { Logger } from '../shared/logger.ts';
import { authHook } from './auth.ts';
import type { OcpiClient } from './client.ts';
import { credentialsModule } from './credentials.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { PartnerCaller } from './partner-caller.ts';
import { ModuleRegistry } from './registry.ts';
import type { OcpiModule, OcpiModuleEnv, OurParty } from './types.ts';
import { versionRoutes } from './versions.ts';

export const OCPI_PREFIX = '/ocpi';

export interface OcpiDeps {
  partnerService: PartnerService;
  outbox: OcpiOutbox;
  client: OcpiClient;
  parties: readonly OurParty[];
  pageLimit: number;
  logger: Logger;
  /** Public absolute URL of /ocpi (no trailing slash). */
  baseUrl(): string;
  /** Functional modules (credentials is built in). */
  modules?: readonly OcpiModule[];
}

/** Mounts OCPI on `app`; returns the module environment (for the outbox worker and tests). */
export async function registerOcpi(app: FastifyInstance, deps: OcpiDeps): Promise<OcpiModuleEnv> {
  const registry = new ModuleRegistry();
  registry.add(credentialsModule);
  for (const module of deps.modules ?? []) registry.add(module);
  const env: OcpiModuleEnv = {
    logger: deps.logger,
    pageLimit: deps.pageLimit,
    parties: deps.parties,
    outbox: deps.outbox,
    partners: new PartnerCaller(deps.partnerService, deps.client, deps.parties),
    partnerService: deps.partnerService,
    baseUrl: deps.baseUrl,
  };

  await app.register(
    async (ocpi) => {
      ocpi.setErrorHandler(errorHandler(deps.logger));
      ocpi.setNotFoundHandler(notFoundHandler);
      ocpi.removeContentTypeParser('text/plain');
      ocpi.decorateRequest('ocpi', null);
      ocpi.addHook('onRequest', authHook(deps.partnerService, deps.parties));
      versionRoutes(ocpi, registry, deps.baseUrl);
      for (const module of registry.all()) {
        for (const version of module.versions) {
          await ocpi.register(async (scoped) => module.register(scoped, version, env), { prefix: `/${version}/${module.identifier}` });
        }
      }
    },
    { prefix: OCPI_PREFIX },
  );
  return env;
}

export type { OcpiModule, OcpiModuleEnv, OcpiRequestContext, OurParty } from './types.ts';
export { ocpiContext } from './types.ts';
