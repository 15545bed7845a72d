/**
 * The OCPI onRequest hook: request/correlation ids, `Authorization: Token …`, Token A scope, and which of our CPO
 * parties (and which of the partner's) the request concerns. Failures are HTTP 401 envelopes; ids are echoed
 * first so even those carry them.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OcpiVersion, Partner, PartyRef } from '../domain/ocpi/model.ts';
import { OCPI_VERSIONS } from '../domain/ocpi/model.ts';
import type { PartnerService } from '../domain/ocpi/partners.ts';
import { sameParty } from '../domain/ocpi/partners.ts';
import { OcpiError, invalidField } from './status.ts';
import type { OurParty } from './types.ts';

/** The token of `Authorization: Token <value>` as sent, and Base64-decoded when that gives a printable token. */
export function tokenCandidates(header: string | undefined): { plain: string; decoded: string | undefined } | undefined {
  if (!header) return undefined;
  const match = /^Token +(\S+) *$/i.exec(header);
  const value = match?.[1];
  if (!value) return undefined;
  let decoded: string | undefined;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (/^[\x21-\x7e]{1,64}$/.test(text)) decoded = text;
  }
  return { plain: value, decoded };
}

/** The version of the URL tree: /ocpi/{version}[/...]. */
export function versionOf(url: string): OcpiVersion | null {
  const segment = /^\/ocpi\/([^/?#]+)/.exec(url)?.[1];
  return OCPI_VERSIONS.find((v) => v === segment) ?? null;
}

const ID = /^[\x21-\x7e]{1,255}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** OCPI-{direction}-country-code and -party-id, both or neither (2001 naming the missing one). */
function routingParty(request: FastifyRequest, direction: 'to' | 'from'): PartyRef | undefined {
  const countryCode = header(request, `ocpi-${direction}-country-code`);
  const partyId = header(request, `ocpi-${direction}-party-id`);
  if (countryCode === undefined && partyId === undefined) return undefined;
  if (countryCode === undefined) throw invalidField(`OCPI-${direction}-country-code`, 'header is required with OCPI-' + direction + '-party-id');
  if (partyId === undefined) throw invalidField(`OCPI-${direction}-party-id`, 'header is required with OCPI-' + direction + '-country-code');
  return { countryCode: countryCode.toUpperCase(), partyId: partyId.toUpperCase() };
}

/** Our party: the OCPI-to-* headers when given, else the partner's default, else the first configured. */
export function resolveOurParty(to: PartyRef | undefined, partner: Partner, parties: readonly OurParty[]): OurParty {
  if (to) {
    const found = parties.find((p) => sameParty(p, to));
    if (!found) throw invalidField('OCPI-to-party-id', `${to.countryCode}/${to.partyId} is not a party on this platform`);
    return found;
  }
  const own = partner.ourParty;
  const preferred = own ? parties.find((p) => sameParty(p, own)) : undefined;
  const first = preferred ?? parties[0];
  if (!first) throw new OcpiError('server_error', 'no OCPI party configured');
  return first;
}

function resolveRemote(request: FastifyRequest, partner: Partner): PartyRef | null {
  const from = routingParty(request, 'from');
  if (from) {
    // A Hub forwards for parties behind it (announced through HubClientInfo), so any FROM is its to give.
    const hub = partner.roles.some((r) => r.role === 'HUB');
    if (!hub && partner.roles.length > 0 && !partner.roles.some((r) => sameParty(r, from))) {
      throw invalidField('OCPI-from-party-id', `${from.countryCode}/${from.partyId} is not a party of this partner`);
    }
    return from;
  }
  const first = partner.roles[0];
  return first ? { countryCode: first.countryCode, partyId: first.partyId } : null;
}

export function authHook(service: PartnerService, parties: readonly OurParty[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const requestId = header(request, 'x-request-id');
    const correlationId = header(request, 'x-correlation-id');
    const ids = { requestId: requestId && ID.test(requestId) ? requestId : randomUUID(), correlationId: correlationId && ID.test(correlationId) ? correlationId : randomUUID() };
    void reply.header('x-request-id', ids.requestId).header('x-correlation-id', ids.correlationId);

    const candidates = tokenCandidates(request.headers.authorization);
    if (!candidates) throw new OcpiError('unauthorized', 'missing Authorization: Token <credentials token>');
    const auth = await service.authenticate(candidates);
    if (!auth) throw new OcpiError('unauthorized', 'unknown credentials token');
    const config = request.routeOptions.config;
    // Token A, or a token of an exchange still in progress: versions and credentials only.
    if ((auth.slot === 'A' || auth.partner.status !== 'REGISTERED') && !config.ocpiTokenA) {
      throw new OcpiError('unauthorized', 'this token is only valid for the versions and credentials modules');
    }
    const version = versionOf(request.url);
    const functional = !config.ocpiTokenA && !config.ocpiConfigModule;
    const party = resolveOurParty(functional ? routingParty(request, 'to') : undefined, auth.partner, parties);
    const remote = functional ? resolveRemote(request, auth.partner) : null;
    if (functional && version !== '2.1.1') {
      // The response swaps the routing headers: it comes from our party and goes to the caller.
      void reply.header('ocpi-from-country-code', party.countryCode).header('ocpi-from-party-id', party.partyId);
      if (remote) void reply.header('ocpi-to-country-code', remote.countryCode).header('ocpi-to-party-id', remote.partyId);
    }
    request.ocpi = { version, partner: auth.partner, tokenSlot: auth.slot, token: auth.token, party, remote, ...ids };
  };
}
