/**
 * Partner tokens (OCPI Tokens, CPO = Receiver): stored as the eMSP sends them, and mirrored into the id token
 * table that station authorization reads, so OCPP Authorize / TransactionEvent / StartTransaction see them. The
 * OCPP type a station reports for an OCPI token type: RFID cards are ISO 14443 (the common case; ISO 15693 cards
 * are found by uid through the external authorizer), app and ad-hoc users are 'Central' (started through the
 * CSMS), OTHER is 'Central' too.
 */
import type { TokenStatus } from '../model.ts';
import type { NewIdToken } from '../ports.ts';
import type { Party, PartnerToken, TokenObject, TokenType } from './model.ts';
import type { RoamingRepository } from './ports.ts';

export const TOKEN_TYPES: readonly TokenType[] = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];

export function ocppTypeOf(type: TokenType): string {
  return type === 'RFID' ? 'ISO14443' : 'Central';
}

/** The id_tokens source of an eMSP's tokens. */
export function sourceOf(emsp: Party): string {
  return `ocpi:${emsp.countryCode.toUpperCase()}-${emsp.partyId.toUpperCase()}`;
}

/** The eMSP of an id_tokens source written by sourceOf; undefined for local tokens. */
export function partyOfSource(source: string): Party | undefined {
  const match = /^ocpi:([A-Z]{2})-([A-Z0-9]{3})$/.exec(source);
  return match ? { countryCode: match[1] as string, partyId: match[2] as string } : undefined;
}

/** valid = false blocks the token for every use (mod_tokens: tokens are never deleted, only invalidated). */
function statusOf(token: TokenObject): TokenStatus {
  return token.valid ? 'Accepted' : 'Blocked';
}

export class PartnerTokens {
  constructor(private readonly repo: RoamingRepository) {}

  /** Stores the token (PUT, or the merged object of a PATCH). Throws AlreadyExistsError on a clash with another owner. */
  async put(token: TokenObject): Promise<{ created: boolean; token: PartnerToken }> {
    const emsp = { countryCode: token.country_code, partyId: token.party_id };
    const idToken: NewIdToken = {
      idToken: token.uid,
      type: ocppTypeOf(token.type),
      status: statusOf(token),
      groupId: token.group_id ?? null,
      source: sourceOf(emsp),
    };
    return this.repo.putToken({ ...token, country_code: emsp.countryCode.toUpperCase(), party_id: emsp.partyId.toUpperCase() }, idToken);
  }

  get(emsp: Party, uid: string, type: TokenType): Promise<PartnerToken | undefined> {
    return this.repo.getToken(emsp, uid, type);
  }
}
