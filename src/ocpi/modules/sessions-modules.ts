/** The roaming modules (sessions, cdrs, tokens, commands, chargingprofiles, hubclientinfo) over the domain's Roaming. */
import type { Roaming } from '../../domain/roaming/index.ts';
import type { OcpiModule } from '../types.ts';
import { createCdrsModule } from './cdrs.ts';
import { createChargingProfilesModule } from './chargingprofiles.ts';
import { createCommandsModule } from './commands.ts';
import { createHubClientInfoModule } from './hubclientinfo.ts';
import { createSessionsModule } from './sessions.ts';
import { createTokensModule } from './tokens.ts';

export function createRoamingModules(roaming: Roaming): OcpiModule[] {
  const deps = { roaming };
  return [createSessionsModule(deps), createCdrsModule(deps), createTokensModule(deps), createCommandsModule(deps), createChargingProfilesModule(deps), createHubClientInfoModule(deps)];
}
