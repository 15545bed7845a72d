/**
 * Authorization of roaming tokens for OCPP Authorize / TransactionEvent / StartTransaction, plugged into the
 * AuthorizationService as its ExternalAuthorizer. OCPI whitelist rules (mod_tokens WhitelistType):
 * - ALWAYS, ALLOWED: the stored token decides (we choose the whitelist for ALLOWED: no round trip);
 * - ALLOWED_OFFLINE: real-time authorization at the eMSP; when it cannot be reached, the stored token decides;
 * - NEVER: real-time authorization only; unreachable = not allowed.
 * A token that is not stored is authorized in real time at the eMSPs. A token received in a START_SESSION or
 * RESERVE_NOW in the last 15 minutes is accepted without asking (mod_commands: the eMSP already did). Real-time
 * answers are recorded (authorization_reference) for the Session and CDR, and never cached by stations.
 */
import type { Logger } from '../../shared/logger.ts';
import type { IdToken, TokenStatus } from '../model.ts';
import type { ExternalAuthorizer, TokenDecision } from '../services/authorization.ts';
import type { AllowedType, Party, TokenType } from './model.ts';
import type { RemoteAuthorizationResult, RemoteAuthorizer, RoamingRepository } from './ports.ts';
import { partyOfSource } from './tokens.ts';

/** mod_commands: no real-time authorization of a command's token for 15 minutes. */
export const COMMAND_TOKEN_WINDOW_MS = 15 * 60_000;

const STATUS_OF: Record<AllowedType, TokenStatus> = {
  ALLOWED: 'Accepted',
  BLOCKED: 'Blocked',
  EXPIRED: 'Expired',
  NO_CREDIT: 'NoCredit',
  NOT_ALLOWED: 'NotAtThisLocation',
};

/** The OCPI token type of an OCPP IdTokenEnumType (1.6 idTags, which have none, are RFID cards). */
export function ocpiTypeOf(ocppType: string | undefined): TokenType {
  if (ocppType === undefined || ocppType === 'ISO14443' || ocppType === 'ISO15693') return 'RFID';
  if (ocppType === 'Central') return 'APP_USER';
  return 'OTHER';
}

export interface RoamingAuthorizationDeps {
  repo: RoamingRepository;
  logger: Logger;
  now: () => Date;
}

export class RoamingAuthorization {
  private remote: RemoteAuthorizer | undefined;

  constructor(private readonly deps: RoamingAuthorizationDeps) {}

  /** The OCPI layer plugs in real-time authorization once partners exist. */
  setRemote(remote: RemoteAuthorizer | undefined): void {
    this.remote = remote;
  }

  readonly authorizer: ExternalAuthorizer = async (idToken, type, known) => {
    const now = this.deps.now();
    if (await this.deps.repo.hasRecentCommandToken(idToken, new Date(now.getTime() - COMMAND_TOKEN_WINDOW_MS))) {
      return { status: 'Accepted', cacheExpiry: now, type: known?.type ?? type ?? null, groupId: known?.groupId ?? null };
    }
    return known ? this.known(known, type) : this.unknown(idToken, type);
  };

  private async known(known: IdToken, type: string | undefined): Promise<TokenDecision | undefined> {
    const emsp = partyOfSource(known.source);
    const partner = emsp && (await this.deps.repo.getTokenByIdTokenPk(known.id));
    if (!emsp || !partner || !partner.token.valid) return undefined;
    const { whitelist } = partner.token;
    if (whitelist === 'ALWAYS' || whitelist === 'ALLOWED') return undefined;
    const result = await this.ask({ emsp, uid: known.idToken, type: partner.token.type });
    if (result.kind === 'answered') return this.decision(result, known.type);
    if (result.kind === 'unreachable' && whitelist === 'ALLOWED_OFFLINE') return undefined;
    return { status: 'Invalid', type: type ?? known.type, cacheExpiry: this.deps.now() };
  }

  private async unknown(idToken: string, type: string | undefined): Promise<TokenDecision | undefined> {
    const result = await this.ask({ uid: idToken, type: ocpiTypeOf(type) });
    return result.kind === 'answered' ? this.decision(result, type ?? null) : undefined;
  }

  private async ask(request: { emsp?: Party; uid: string; type: TokenType }): Promise<RemoteAuthorizationResult> {
    if (!this.remote) return { kind: 'unreachable' };
    try {
      const result = await this.remote.authorize(request);
      if (result.kind === 'answered') {
        await this.deps.repo.recordAuthorization({
          emsp: result.emsp,
          uid: request.uid,
          tokenType: result.token.type,
          allowed: result.allowed,
          authorizationReference: result.authorizationReference ?? null,
          token: result.token,
        });
      }
      return result;
    } catch (error) {
      this.deps.logger.warn({ err: error, uid: request.uid }, 'real-time authorization failed');
      return { kind: 'unreachable' };
    }
  }

  /** A real-time answer holds for this request only: the station must not cache it. */
  private decision(result: Extract<RemoteAuthorizationResult, { kind: 'answered' }>, type: string | null): TokenDecision {
    return { status: STATUS_OF[result.allowed], groupId: result.token.group_id ?? null, cacheExpiry: this.deps.now(), type };
  }
}
