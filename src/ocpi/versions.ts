/** The versions module: GET /ocpi/versions and GET /ocpi/{version} (details: endpoints of registered modules). */
import type { FastifyInstance } from 'fastify';
import { OCPI_VERSIONS, type OcpiVersion } from '../domain/ocpi/model.ts';
import type { ModuleRegistry } from './registry.ts';
import { ok } from './status.ts';

const CONFIG = { ocpiTokenA: true, ocpiConfigModule: true };

export function versionRoutes(app: FastifyInstance, registry: ModuleRegistry, baseUrl: () => string): void {
  // Every supported version, so partners can plan upgrades (checklist: operational rules).
  app.get('/versions', { config: CONFIG }, async () => ok(OCPI_VERSIONS.map((version) => ({ version, url: `${baseUrl()}/${version}` }))));

  for (const version of OCPI_VERSIONS) {
    app.get(`/${version}`, { config: CONFIG }, async () => ok(versionDetails(registry, version, baseUrl())));
  }
}

export function versionDetails(registry: ModuleRegistry, version: OcpiVersion, base: string) {
  return {
    version,
    endpoints: registry.endpoints(version).map((e) =>
      // 2.1.1 endpoints have no role.
      version === '2.1.1' ? { identifier: e.identifier, url: `${base}${e.path}` } : { identifier: e.identifier, role: e.role, url: `${base}${e.path}` },
    ),
  };
}
