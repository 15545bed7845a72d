/**
 * OCPI records, version-neutral: roaming partners, their parties and endpoints, and the push outbox. The OCPI
 * adapter (src/ocpi) turns 2.2.1 and 2.1.1 JSON into these and back; storage keeps them.
 */
import type { JsonValue } from '../model.ts';

/** The OCPI versions Joule speaks, in preference order (highest first). */
export const OCPI_VERSIONS = ['2.2.1', '2.1.1'] as const;
export type OcpiVersion = (typeof OCPI_VERSIONS)[number];

/** Module identifiers of OCPI 2.2.1 (2.1.1 has all but chargingprofiles and hubclientinfo). Custom ones need a prefix. */
export type ModuleId = 'cdrs' | 'chargingprofiles' | 'commands' | 'credentials' | 'hubclientinfo' | 'locations' | 'sessions' | 'tariffs' | 'tokens';

/** A module's interface role in 2.2.1 (2.1.1 endpoints have no role). */
export type InterfaceRole = 'SENDER' | 'RECEIVER';

export type PartyRoleName = 'CPO' | 'EMSP' | 'HUB' | 'NAP' | 'NSP' | 'OTHER' | 'SCSP';

export interface BusinessDetails {
  name: string;
  website?: string;
  logo?: { [key: string]: JsonValue };
}

/** A party: country_code (2) + party_id (3), compared case-insensitively (CiString); stored upper case. */
export interface PartyRef {
  countryCode: string;
  partyId: string;
}

export interface PartyRole extends PartyRef {
  role: PartyRoleName;
  businessDetails: BusinessDetails;
}

/** One of a partner's endpoints (role null for 2.1.1). */
export interface PartnerEndpoint {
  identifier: string;
  role: InterfaceRole | null;
  url: string;
}

/**
 * How credentials tokens appear in the Authorization header: 2.2.1 Base64-encodes them, 2.1.1 installations send
 * them as they are. `both` accepts either on input and sends what the partner's version prescribes.
 */
export type TokenEncoding = 'base64' | 'plain' | 'both';

/**
 * PENDING: we issued a Token A (or are registering with them) and no exchange has completed yet;
 * REGISTERED: credentials exchanged; UNREGISTERED: either side deleted the credentials (no traffic any more).
 */
export type PartnerStatus = 'PENDING' | 'REGISTERED' | 'UNREGISTERED';

/** "module" or "module:ROLE" (role ignored in 2.1.1): an endpoint the partner must offer, else 3003. */
export type RequiredEndpoint = string;

export interface Partner {
  id: string;
  /** Operator's label. */
  name: string;
  status: PartnerStatus;
  /** Negotiated version (null before the exchange). */
  version: OcpiVersion | null;
  /** Their versions URL. */
  versionsUrl: string | null;
  endpoints: PartnerEndpoint[];
  /** Their parties (2.2.1 roles; one EMSP-like entry built from the flat 2.1.1 fields). */
  roles: PartyRole[];
  tokenEncoding: TokenEncoding;
  /** http:// URLs of this partner are accepted (tests, closed networks); otherwise only https://. */
  allowPlainHttp: boolean;
  requiredEndpoints: RequiredEndpoint[];
  /** Which of our CPO parties this partner talks to by default (null: the first configured one). */
  ourParty: PartyRef | null;
  /** Who started the credentials exchange. */
  initiatedBy: 'us' | 'them' | null;
  /** Last time we fetched their versions and endpoints. */
  lastSyncAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Which stored token a request authenticated with. `A`: the registration token we issued; `current`: the token
 * of the completed exchange; `previous`: the one before a rotation, valid until the partner uses the new one;
 * `pending`: the token we offered in a rotation we started that is still in flight.
 */
export type TokenSlot = 'A' | 'current' | 'previous' | 'pending';

export type OutboxMethod = 'PUT' | 'PATCH' | 'POST' | 'DELETE';
export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxEntry {
  id: number;
  partnerId: string;
  module: string;
  method: OutboxMethod;
  /** Appended to the partner's RECEIVER endpoint URL of the module, e.g. "/NL/JOU/LOC1". */
  path: string;
  body: JsonValue | null;
  /** Our party the push comes from (OCPI-from-* headers); null: the partner's default party. */
  fromParty: PartyRef | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  /** The Location header of the partner's answer (a POSTed CDR's URL at the eMSP), when it sent one. */
  responseLocation: string | null;
}
