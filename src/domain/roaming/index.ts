/**
 * Roaming (OCPI CPO side), version-neutral use cases: partner tokens and their authorization rules, sessions and
 * CDRs derived from transactions, partner commands run through the CommandService. The OCPI adapter
 * (src/ocpi/modules) serves and pushes these; the composition root wires them.
 */
import type { Logger } from '../../shared/logger.ts';
import type { CommandService } from '../commands/service.ts';
import type { DomainEvents } from '../events.ts';
import type { Repositories } from '../ports.ts';
import { RoamingAuthorization } from './authorization.ts';
import { RoamingCommands } from './commands.ts';
import type { TariffLookup } from './cost.ts';
import type { Party } from './model.ts';
import type { LocationDirectory, RoamingRepository } from './ports.ts';
import { RoamingSessions } from './sessions.ts';
import { PartnerTokens } from './tokens.ts';

export { COMMAND_TOKEN_WINDOW_MS, ocpiTypeOf, RoamingAuthorization } from './authorization.ts';
export { activeProfileOf, ocppProfile, profileIdOf, RoamingCommands, type CommandAnswer, type ReserveNowRequest, type RoamingChargingProfile, type StartSessionRequest } from './commands.ts';
export { costOfCharge, type TariffLookup } from './cost.ts';
export { catalogDirectory } from './locations.ts';
export { cdrOf, chargeOf, chargingPeriods, creditOf, intervalsOf, kwhOf, ocpiTime, registerReadings, sessionOf } from './mapper.ts';
export type * from './model.ts';
export type * from './ports.ts';
export { cdrTokenOf, RoamingSessions, unpublishedSite } from './sessions.ts';
export { ocppTypeOf, partyOfSource, PartnerTokens, sourceOf, TOKEN_TYPES } from './tokens.ts';

export interface RoamingDeps {
  repo: RoamingRepository;
  repos: Pick<Repositories, 'transactions' | 'meterValues' | 'tokens' | 'stations' | 'reservations'>;
  events: DomainEvents;
  logger: Logger;
  /** Our CPO party (Session and CDR owner). */
  cpo: Party;
  /** Currency of sessions no tariff prices. */
  currency: string;
  locations?: LocationDirectory;
  tariffs?: TariffLookup;
  pendingTimeoutMs?: number;
  sweepIntervalMs?: number;
  stationTimeoutMs?: number;
  now?: () => Date;
}

export interface Roaming {
  tokens: PartnerTokens;
  /** HubClientInfo: parties behind Hub partners. */
  clientInfos: Pick<RoamingRepository, 'putClientInfo' | 'getClientInfo' | 'listClientInfos'>;
  authorization: RoamingAuthorization;
  sessions: RoamingSessions;
  /** Pulls a partner's token list into the store (set by the OCPI Tokens module). */
  pullTokens: ((partnerId: string, since?: Date) => Promise<{ stored: number; refused: number }>) | undefined;
  /** Set once the CommandService exists (it is built after the OCPP module that needs `authorization`). */
  commands: RoamingCommands | undefined;
  useCommands(commands: CommandService): RoamingCommands;
  start(): void;
  close(): Promise<void>;
}

export function createRoaming(deps: RoamingDeps): Roaming {
  const now = deps.now ?? (() => new Date());
  const sessions = new RoamingSessions({
    repo: deps.repo,
    transactions: deps.repos.transactions,
    meterValues: deps.repos.meterValues,
    tokens: deps.repos.tokens,
    events: deps.events,
    cpo: deps.cpo,
    currency: deps.currency,
    logger: deps.logger,
    locations: deps.locations,
    tariffs: deps.tariffs,
    pendingTimeoutMs: deps.pendingTimeoutMs,
    sweepIntervalMs: deps.sweepIntervalMs,
    now,
  });
  const roaming: Roaming = {
    tokens: new PartnerTokens(deps.repo),
    clientInfos: deps.repo,
    authorization: new RoamingAuthorization({ repo: deps.repo, logger: deps.logger, now }),
    sessions,
    commands: undefined,
    pullTokens: undefined,
    useCommands(commands) {
      roaming.commands = new RoamingCommands({ repo: deps.repo, sessions, commands, stations: deps.repos.stations, reservations: deps.repos.reservations, logger: deps.logger, locations: deps.locations, stationTimeoutMs: deps.stationTimeoutMs });
      return roaming.commands;
    },
    start: () => sessions.start(),
    async close() {
      await roaming.commands?.idle();
      await sessions.close();
    },
  };
  return roaming;
}
