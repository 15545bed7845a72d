/**
 * Authorization of id tokens (2.0.1 block C, 1.6 §4.1/§4.8), version-neutral: the token table decides, and an
 * optional external authorizer (e.g. OCPI real-time authorization at the token's eMSP) is asked about tokens the
 * table does not know. The OCPP handlers turn the decision into idTokenInfo (2.x) or idTagInfo (1.6).
 */
import type { IdToken, TokenStatus } from '../model.ts';
import type { TokenRepository } from '../ports.ts';

/** What the CSMS answers about a token. */
export interface TokenDecision {
  status: TokenStatus;
  /** Group the token belongs to (C01.FR.06, C09.FR.02: returned as groupIdToken / 1.6 parentIdTag). */
  groupId?: string | null;
  /** Until when the station may cache the answer (C10.FR.08: cacheExpiryDateTime; 1.6 expiryDate). */
  cacheExpiry?: Date | null;
  /** The token's type as the CSMS knows it (1.6 idTags carry none). */
  type?: string | null;
}

/**
 * Real-time authorization hook for tokens the token table does not know, and for roaming partners' tokens (source
 * ≠ 'local', passed as `known`) whose owner sets rules such as OCPI whitelist types. `type` is the 2.x
 * IdTokenEnumType, and undefined for 1.6 idTags. Undefined = no opinion (the table decides: Unknown if absent).
 */
export type ExternalAuthorizer = (idToken: string, type: string | undefined, known?: IdToken) => Promise<TokenDecision | undefined>;

/** C02.FR.01-02: a start button sends type NoAuthorization with an empty idToken; the CSMS answers Accepted. */
export const NO_AUTHORIZATION = 'NoAuthorization';

export interface AuthorizationServiceDeps {
  tokens: TokenRepository;
  authorizer?: ExternalAuthorizer;
  now?: () => Date;
}

export class AuthorizationService {
  private readonly now: () => Date;

  constructor(private readonly deps: AuthorizationServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** 2.x: the token is identified by (idToken, type); additionalInfo plays no part (errata C01.FR.25). */
  async authorize(idToken: string, type: string): Promise<TokenDecision> {
    if (type === NO_AUTHORIZATION) return { status: 'Accepted', type };
    const token = await this.deps.tokens.get(idToken, type);
    if (token) return (await this.partner(token, type)) ?? this.decide(token);
    return (await this.external(idToken, type)) ?? { status: 'Unknown', type };
  }

  /** 1.6: an idTag has no type; a local token with that value wins over a roaming partner's (findByValue order). */
  async authorizeIdTag(idTag: string): Promise<TokenDecision> {
    const [token] = await this.deps.tokens.findByValue(idTag);
    if (token) return (await this.partner(token, undefined)) ?? this.decide(token);
    return (await this.external(idTag, undefined)) ?? { status: 'Unknown' };
  }

  /** The table's status, except that an Accepted token past its expiry is Expired. */
  private decide(token: IdToken): TokenDecision {
    const expired = token.expiry !== null && token.expiry.getTime() <= this.now().getTime();
    return {
      status: token.status === 'Accepted' && expired ? 'Expired' : token.status,
      groupId: token.groupId,
      cacheExpiry: token.expiry,
      type: token.type,
    };
  }

  /** A roaming partner's token: its owner's rules first (local tokens never leave the table). */
  private async partner(token: IdToken, type: string | undefined): Promise<TokenDecision | undefined> {
    return token.source === 'local' || !this.deps.authorizer ? undefined : this.deps.authorizer(token.idToken, type, token);
  }

  private async external(idToken: string, type: string | undefined): Promise<TokenDecision | undefined> {
    return this.deps.authorizer ? this.deps.authorizer(idToken, type) : undefined;
  }
}
