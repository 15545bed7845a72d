/** Which module serves which version: the source of the version details (only registered modules are listed). */
import type { InterfaceRole, OcpiVersion } from '../domain/ocpi/model.ts';
import type { OcpiModule } from './types.ts';

export interface EndpointEntry {
  identifier: string;
  role: InterfaceRole;
  /** Path below /ocpi, e.g. "/2.2.1/locations". */
  path: string;
}

export class ModuleRegistry {
  private readonly modules: OcpiModule[] = [];

  add(module: OcpiModule): void {
    for (const version of module.versions) {
      if (this.modules.some((m) => m.identifier === module.identifier && m.versions.includes(version))) {
        throw new Error(`OCPI module ${module.identifier} is registered twice for ${version}`);
      }
    }
    this.modules.push(module);
  }

  forVersion(version: OcpiVersion): OcpiModule[] {
    return this.modules.filter((m) => m.versions.includes(version));
  }

  all(): readonly OcpiModule[] {
    return this.modules;
  }

  /** The endpoints of a version, credentials first (credentials' role is meaningless: d2 advises SENDER). */
  endpoints(version: OcpiVersion): EndpointEntry[] {
    return this.forVersion(version)
      .map((m) => ({ identifier: m.identifier, role: m.role, path: `/${version}/${m.identifier}` }))
      .sort((a, b) => (a.identifier === 'credentials' ? -1 : b.identifier === 'credentials' ? 1 : a.identifier.localeCompare(b.identifier)));
  }
}
