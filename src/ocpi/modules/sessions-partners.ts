/**
 * Which partner speaks for which eMSP party, shared by the roaming modules: lists are filtered by the caller's
 * parties (a Hub speaks for every party behind it), pushes go to the partner that is the session's eMSP, or to the
 * Hubs when no partner is.
 */
import type { Partner } from '../../domain/ocpi/model.ts';
import { receiverEndpoint } from '../../domain/ocpi/outbox.ts';
import type { Party } from '../../domain/roaming/model.ts';
import { invalidField } from '../status.ts';
import type { OcpiModuleEnv, OcpiRequestContext } from '../types.ts';

const upper = (p: Party): Party => ({ countryCode: p.countryCode.toUpperCase(), partyId: p.partyId.toUpperCase() });

/** The parties a partner speaks for; undefined for a Hub (any party). */
export function partiesOf(partner: Partner): Party[] | undefined {
  if (partner.roles.some((r) => r.role === 'HUB')) return undefined;
  return partner.roles.map(upper);
}

export function speaksFor(partner: Partner, party: Party): boolean {
  const parties = partiesOf(partner);
  const p = upper(party);
  return parties === undefined || parties.some((q) => q.countryCode === p.countryCode && q.partyId === p.partyId);
}

/** The eMSP party a request acts for: the OCPI-from-* headers (checked by the framework), else the partner's first role. */
export function callerParty(ctx: OcpiRequestContext): Party {
  const remote = ctx.remote;
  if (!remote) throw invalidField('OCPI-from-party-id', 'is required: the partner has no party yet');
  return upper(remote);
}

/** Registered partners that receive `module` objects of the eMSP `emsp`. */
export async function partnersFor(env: Pick<OcpiModuleEnv, 'partnerService'>, emsp: Party, module?: string): Promise<Partner[]> {
  const registered = (await env.partnerService.list()).filter((p) => p.status === 'REGISTERED' && (module === undefined || receiverEndpoint(p, module) !== undefined));
  const own = registered.filter((p) => partiesOf(p) !== undefined && speaksFor(p, emsp));
  return own.length > 0 ? own : registered.filter((p) => partiesOf(p) === undefined);
}
