/**
 * Posts the asynchronous result of a partner's command to its response_url (mod_commands CommandResult, 2.1.1
 * CommandResponse; mod_charging_profiles ChargingProfileResult / ActiveChargingProfileResult / ClearProfileResult).
 * Sent once, not queued or retried (transport_and_format: messages SHOULD NOT be queued); failures are logged.
 */
import type { JsonValue } from '../../domain/model.ts';
import type { OcpiVersion } from '../../domain/ocpi/model.ts';
import type { Roaming } from '../../domain/roaming/index.ts';
import type { RoamingCommand } from '../../domain/roaming/model.ts';
import type { OcpiModuleEnv } from '../types.ts';
import { partnersFor } from './sessions-partners.ts';

export type ResultKind = 'command' | 'set_profile' | 'get_profile' | 'clear_profile';

/** 2.1.1 CommandResponseType has fewer values: everything that is not a success or a timeout is a rejection. */
function result211(result: string): string {
  if (result === 'ACCEPTED' || result === 'TIMEOUT' || result === 'NOT_SUPPORTED' || result === 'UNKNOWN_SESSION') return result;
  return 'REJECTED';
}

function profileResult(result: string): string {
  return result === 'ACCEPTED' || result === 'UNKNOWN' ? result : 'REJECTED';
}

export function resultBody(kind: ResultKind, version: OcpiVersion, result: string, message?: string, data?: JsonValue): Record<string, unknown> {
  if (kind === 'command') {
    if (version === '2.1.1') return { result: result211(result) };
    return { result, ...(message ? { message: [{ language: 'en', text: message.slice(0, 512) }] } : {}) };
  }
  const mapped = profileResult(result);
  return { result: mapped, ...(kind === 'get_profile' && mapped === 'ACCEPTED' && data !== undefined ? { profile: data } : {}) };
}

export class CommandResultPoster {
  private readonly origins = new Map<string, { partnerId: string; kind: ResultKind }>();

  constructor(
    roaming: Roaming,
    private readonly env: OcpiModuleEnv,
  ) {
    roaming.sessions.subscribe({
      commandResult: (command, result, message, data) => {
        void this.post(command, result, message, data).catch((error: unknown) => env.logger.error({ err: error, command: command.id }, 'command result not posted'));
      },
    });
  }

  /** Which partner sent the command (results go back to it) and what kind of result it expects. */
  remember(commandId: string, partnerId: string, kind: ResultKind): void {
    this.origins.set(commandId, { partnerId, kind });
  }

  private async post(command: RoamingCommand, result: string, message?: string, data?: JsonValue): Promise<void> {
    const origin = this.origins.get(command.id);
    // A command from before a restart: its eMSP's partner.
    const partnerId = origin?.partnerId ?? (await partnersFor(this.env, command.emsp))[0]?.id;
    if (partnerId === undefined) {
      this.env.logger.warn({ command: command.id }, 'command result: no partner to send it to');
      return;
    }
    const kind = command.command === 'CHARGING_PROFILE' ? (origin?.kind ?? 'set_profile') : 'command';
    const partner = await this.env.partnerService.get(partnerId);
    const body = resultBody(kind, partner.version ?? '2.2.1', result, message, data);
    if (command.command !== 'RESERVE_NOW' || result !== 'CANCELED_RESERVATION') this.origins.delete(command.id);
    try {
      await this.env.partners.call(partnerId, { method: 'POST', url: command.responseUrl, body, to: command.emsp, acceptOcpiErrors: true });
    } catch (error) {
      this.env.logger.warn({ partnerId, command: command.id, result, reason: error instanceof Error ? error.message : String(error) }, 'command result could not be delivered');
    }
  }
}

const posters = new WeakMap<Roaming, CommandResultPoster>();

/** One poster per roaming instance, shared by the commands and chargingprofiles modules. */
export function resultPoster(roaming: Roaming, env: OcpiModuleEnv): CommandResultPoster {
  let poster = posters.get(roaming);
  if (!poster) {
    poster = new CommandResultPoster(roaming, env);
    posters.set(roaming, poster);
  }
  return poster;
}
