/**
 * What the OCPI use cases need: partner and outbox storage (src/storage/repositories/ocpi-*.ts) and a way to
 * call a partner's credentials and versions endpoints (src/ocpi/client.ts).
 */
import type { JsonValue } from '../model.ts';
import type {
  OcpiVersion,
  OutboxEntry,
  OutboxMethod,
  OutboxStatus,
  Partner,
  PartnerEndpoint,
  PartnerStatus,
  PartyRef,
  PartyRole,
  RequiredEndpoint,
  TokenEncoding,
  TokenSlot,
} from './model.ts';

export interface NewPartner {
  name: string;
  status?: PartnerStatus;
  tokenEncoding: TokenEncoding;
  allowPlainHttp: boolean;
  requiredEndpoints: RequiredEndpoint[];
  ourParty?: PartyRef | null;
  versionsUrl?: string | null;
  /** SHA-256 (hex) of the Token A we issue; none when we register with them. */
  tokenAHash?: string | null;
  initiatedBy?: 'us' | 'them' | null;
}

/**
 * A partial update. Token fields: `...Hash` are SHA-256 hex of tokens the partner sends us (we only verify
 * them); `outboundToken` is the token we send them (kept as given: we must present it; never logged).
 */
export interface PartnerPatch {
  name?: string;
  status?: PartnerStatus;
  version?: OcpiVersion | null;
  versionsUrl?: string | null;
  endpoints?: PartnerEndpoint[];
  roles?: PartyRole[];
  tokenEncoding?: TokenEncoding;
  allowPlainHttp?: boolean;
  requiredEndpoints?: RequiredEndpoint[];
  ourParty?: PartyRef | null;
  initiatedBy?: 'us' | 'them' | null;
  lastSyncAt?: Date | null;
  tokenAHash?: string | null;
  tokenHash?: string | null;
  previousTokenHash?: string | null;
  pendingTokenHash?: string | null;
  outboundToken?: string | null;
}

export interface OcpiPartnerRepository {
  create(partner: NewPartner): Promise<Partner>;
  get(id: string): Promise<Partner | undefined>;
  /** Oldest first. */
  list(): Promise<Partner[]>;
  /** The partner holding this token hash in any slot; `hasPrevious`: a replaced token is still accepted. */
  findByTokenHash(hash: string): Promise<{ partner: Partner; slot: TokenSlot; hasPrevious: boolean } | undefined>;
  update(id: string, patch: PartnerPatch): Promise<Partner | undefined>;
  /**
   * Makes `tokenHash` the current inbound token and keeps the one it replaces as the previous token (valid until
   * the partner uses the new one); clears the pending slot. One statement, so no request sees neither token.
   */
  promoteToken(id: string, tokenHash: string, patch?: PartnerPatch): Promise<Partner | undefined>;
  /** The token we present to this partner (their B or C), undefined when we have none. */
  outboundToken(id: string): Promise<string | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface NewOutboxEntry {
  partnerId: string;
  module: string;
  method: OutboxMethod;
  path: string;
  body?: JsonValue | null;
  fromParty?: PartyRef | null;
}

export interface OutboxFilter {
  partnerId?: string;
  status?: OutboxStatus;
  limit?: number;
  offset?: number;
}

export interface OcpiOutboxRepository {
  /** Appends in the given order (ids increase: delivery order per partner). */
  enqueue(entries: readonly NewOutboxEntry[]): Promise<OutboxEntry[]>;
  /** The oldest pending entry of every partner whose next attempt is due at `now` (heads of the queues). */
  dueHeads(now: Date): Promise<OutboxEntry[]>;
  /** Earliest next attempt of any pending entry. */
  nextAttemptAt(): Promise<Date | undefined>;
  /**
   * Takes a due entry for delivery by moving its next attempt to `until` (a lease: if this process dies, the entry
   * is due again then). False when another worker took it first.
   */
  claim(id: number, now: Date, until: Date): Promise<boolean>;
  markDelivered(id: number, at: Date, responseLocation?: string | null): Promise<void>;
  markRetry(id: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Given up (the partner refused it): the queue moves on. */
  markFailed(id: number, error: string): Promise<void>;
  /** Newest first. */
  list(filter?: OutboxFilter): Promise<OutboxEntry[]>;
}

// ---------------------------------------------------------------- calling a partner (credentials exchange)

/** How to authenticate towards a partner. */
export interface PeerAuth {
  token: string;
  encoding: 'base64' | 'plain';
  allowPlainHttp: boolean;
}

/** Credentials as exchanged, version-neutral (2.1.1's flat fields become one role). */
export interface PeerCredentials {
  token: string;
  url: string;
  roles: PartyRole[];
}

export interface PeerVersion {
  version: string;
  url: string;
}

/** Implemented by src/ocpi/client.ts; failures throw OcpiPeerError (domain/ocpi/errors.ts). */
export interface OcpiPeer {
  getVersions(url: string, auth: PeerAuth): Promise<PeerVersion[]>;
  getVersionDetails(url: string, auth: PeerAuth, version: OcpiVersion): Promise<PartnerEndpoint[]>;
  /** POST or PUT our credentials; resolves with theirs. */
  sendCredentials(method: 'POST' | 'PUT', url: string, auth: PeerAuth, version: OcpiVersion, ours: PeerCredentials): Promise<PeerCredentials>;
  deleteCredentials(url: string, auth: PeerAuth, version: OcpiVersion): Promise<void>;
}
