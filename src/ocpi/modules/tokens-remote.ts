/**
 * Real-time authorization at eMSPs (mod_tokens Sender interface "POST {tokens}/{token_uid}/authorize?type=") for
 * the domain's RemoteAuthorizer port, and pulling a partner's token list.
 * - A token of a known eMSP is asked there; a token nobody pushed is asked at every registered partner with a
 *   tokens SENDER endpoint at once; the first in registration order that knows it decides.
 * - "Unknown" is HTTP 404 or OCPI 2004 (both appear in 2.2.1 implementations; 2.1.1 answers 2000 or 404).
 * - Any other failure (transport, timeout, 3xxx) is "unreachable": ALLOWED_OFFLINE tokens then fall back to the
 *   whitelist.
 * The answer's token (2.2.1) is used for the Session's cdr_token; a 2.1.1 answer has none, so one is built from
 * the uid and the partner's party.
 */
import { OcpiPeerError } from '../../domain/ocpi/errors.ts';
import type { Partner } from '../../domain/ocpi/model.ts';
import type { Party, TokenObject, TokenType } from '../../domain/roaming/model.ts';
import type { RemoteAuthorizationResult, RemoteAuthorizer } from '../../domain/roaming/ports.ts';
import type { PartnerTokens } from '../../domain/roaming/tokens.ts';
import type { OcpiModuleEnv } from '../types.ts';
import { partiesOf, speaksFor } from './sessions-partners.ts';
import { authorizationInfoFrom, tokenFromJson } from './tokens-format.ts';

function hasTokensSender(partner: Partner): boolean {
  return partner.endpoints.some((e) => e.identifier === 'tokens' && (e.role === 'SENDER' || e.role === null));
}

function isUnknown(error: unknown): boolean {
  return error instanceof OcpiPeerError && (error.details.httpStatus === 404 || error.details.ocpiStatus === 2004);
}

type AuthorizeRequest = Parameters<RemoteAuthorizer['authorize']>[0];

export class OcpiRemoteAuthorizer implements RemoteAuthorizer {
  constructor(private readonly env: Pick<OcpiModuleEnv, 'partners' | 'partnerService' | 'logger'>) {}

  async authorize(request: AuthorizeRequest): Promise<RemoteAuthorizationResult> {
    const partners = (await this.env.partnerService.list()).filter((p) => p.status === 'REGISTERED' && hasTokensSender(p) && (request.emsp === undefined || speaksFor(p, request.emsp)));
    // All asked at once, so the station waits for one partner timeout at most; the first partner (registration
    // order) that knows the token decides.
    const outcomes = await Promise.all(partners.map((partner) => this.ask(partner, request)));
    const answered = outcomes.find((o): o is Extract<RemoteAuthorizationResult, { kind: 'answered' }> => o.kind === 'answered');
    if (answered) return answered;
    return outcomes.some((o) => o.kind === 'unreachable') ? { kind: 'unreachable' } : { kind: 'unknown' };
  }

  private async ask(partner: Partner, request: AuthorizeRequest): Promise<RemoteAuthorizationResult> {
    try {
      const body = request.location ? { location_id: request.location.locationId, evse_uids: request.location.evseUids } : undefined;
      const response = await this.env.partners.call(partner.id, {
        method: 'POST',
        module: 'tokens',
        role: 'SENDER',
        path: `/${encodeURIComponent(request.uid)}/authorize`,
        query: { type: partner.version === '2.1.1' && request.type !== 'RFID' ? 'OTHER' : request.type },
        ...(body ? { body } : {}),
        acceptOcpiErrors: true,
      });
      const status = response.envelope.status_code;
      if (status === 2004 || (status === 2000 && partner.version === '2.1.1')) return { kind: 'unknown' };
      const info = status === 1000 ? authorizationInfoFrom(response.envelope.data, partner.version) : undefined;
      if (!info) return { kind: 'unreachable' };
      const owner = this.ownerOf(partner, request.emsp, info.token);
      const token = info.token
        ? tokenFromJson({ whitelist: 'NEVER', issuer: partner.name, ...info.token, last_updated: (info.token.last_updated as string | undefined) ?? new Date().toISOString() }, '2.2.1', owner)
        : this.placeholder(owner, request.uid, request.type, partner.name);
      return { kind: 'answered', emsp: owner, allowed: info.allowed, token, ...(info.authorizationReference ? { authorizationReference: info.authorizationReference } : {}) };
    } catch (error) {
      if (isUnknown(error)) return { kind: 'unknown' };
      this.env.logger.warn({ partnerId: partner.id, reason: error instanceof Error ? error.message : String(error) }, 'real-time authorization: partner not reachable');
      return { kind: 'unreachable' };
    }
  }

  /** Pulls the partner's tokens (GET list, following Link) into the token store; returns how many were stored. */
  async pull(partnerId: string, tokens: PartnerTokens, since?: Date): Promise<{ stored: number; refused: number }> {
    const partner = await this.env.partnerService.get(partnerId);
    const version = partner.version ?? '2.2.1';
    const list = await this.env.partners.getAll<Record<string, unknown>>(partnerId, 'tokens', since ? { date_from: since.toISOString() } : {});
    let stored = 0;
    let refused = 0;
    for (const item of list) {
      try {
        const owner = version === '2.1.1' ? this.ownerOf(partner, undefined, undefined) : { countryCode: String(item.country_code), partyId: String(item.party_id) };
        if (!speaksFor(partner, owner)) throw new Error(`token of party ${owner.countryCode}/${owner.partyId} the partner does not speak for`);
        await tokens.put(tokenFromJson(item, version, owner));
        stored++;
      } catch (error) {
        refused++;
        this.env.logger.warn({ partnerId, uid: item.uid, reason: error instanceof Error ? error.message : String(error) }, 'pulled token not stored');
      }
    }
    return { stored, refused };
  }

  private ownerOf(partner: Partner, asked: Party | undefined, token: Record<string, unknown> | undefined): Party {
    if (token && typeof token.country_code === 'string' && typeof token.party_id === 'string') return { countryCode: token.country_code.toUpperCase(), partyId: token.party_id.toUpperCase() };
    if (asked) return asked;
    const first = partiesOf(partner)?.[0] ?? partner.roles[0];
    return first ? { countryCode: first.countryCode.toUpperCase(), partyId: first.partyId.toUpperCase() } : { countryCode: 'XX', partyId: 'XXX' };
  }

  private placeholder(owner: Party, uid: string, type: TokenType, issuer: string): TokenObject {
    return { country_code: owner.countryCode, party_id: owner.partyId, uid, type, contract_id: uid, issuer, valid: true, whitelist: 'NEVER', last_updated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }
}
