/**
 * Roaming records. Roaming in Joule is OCPI, so the objects partners see are kept in their OCPI 2.2.1 shape
 * (snake_case, as on the wire): the domain builds them from transactions, storage keeps them as JSON, and the OCPI
 * layer sends them as they are (2.2.1) or converts them (2.1.1). Everything else is camelCase.
 */

/** A party (CPO or eMSP) as OCPI names it: ISO 3166 alpha-2 country and a 3-character party id, upper case. */
export interface Party {
  countryCode: string;
  partyId: string;
}

export type TokenType = 'AD_HOC_USER' | 'APP_USER' | 'OTHER' | 'RFID';
export type WhitelistType = 'ALWAYS' | 'ALLOWED' | 'ALLOWED_OFFLINE' | 'NEVER';
export type AllowedType = 'ALLOWED' | 'BLOCKED' | 'EXPIRED' | 'NO_CREDIT' | 'NOT_ALLOWED';
export type AuthMethod = 'AUTH_REQUEST' | 'COMMAND' | 'WHITELIST';
export type SessionStatus = 'ACTIVE' | 'COMPLETED' | 'INVALID' | 'PENDING' | 'RESERVATION';

export interface DisplayText {
  language: string;
  text: string;
}

/** OCPI 2.2.1 Token (mod_tokens). */
export interface TokenObject {
  country_code: string;
  party_id: string;
  uid: string;
  type: TokenType;
  contract_id: string;
  visual_number?: string;
  issuer: string;
  group_id?: string;
  valid: boolean;
  whitelist: WhitelistType;
  language?: string;
  default_profile_type?: string;
  energy_contract?: { supplier_name: string; contract_id?: string };
  last_updated: string;
}

/** A partner token as stored: the object plus the id_tokens row stations are authorized against. */
export interface PartnerToken {
  idTokenPk: number;
  token: TokenObject;
}

export interface CdrToken {
  country_code: string;
  party_id: string;
  uid: string;
  type: TokenType;
  contract_id: string;
}

export type CdrDimensionType =
  | 'CURRENT'
  | 'ENERGY'
  | 'ENERGY_EXPORT'
  | 'ENERGY_IMPORT'
  | 'MAX_CURRENT'
  | 'MIN_CURRENT'
  | 'MAX_POWER'
  | 'MIN_POWER'
  | 'PARKING_TIME'
  | 'POWER'
  | 'RESERVATION_TIME'
  | 'STATE_OF_CHARGE'
  | 'TIME';

export interface ChargingPeriod {
  start_date_time: string;
  dimensions: { type: CdrDimensionType; volume: number }[];
  tariff_id?: string;
}

export interface Price {
  excl_vat: number;
  incl_vat?: number;
}

export interface GeoLocation {
  latitude: string;
  longitude: string;
}

/** Where a charge happened, as a CDR carries it (mod_cdrs CdrLocation). */
export interface CdrLocation {
  id: string;
  name?: string;
  address: string;
  city: string;
  postal_code?: string;
  state?: string;
  country: string;
  coordinates: GeoLocation;
  evse_uid: string;
  evse_id: string;
  connector_id: string;
  connector_standard: string;
  connector_format: string;
  connector_power_type: string;
}

/** OCPI 2.2.1 Session (mod_sessions); country_code/party_id are the CPO's (ours). */
export interface SessionObject {
  country_code: string;
  party_id: string;
  id: string;
  start_date_time: string;
  end_date_time?: string;
  kwh: number;
  cdr_token: CdrToken;
  auth_method: AuthMethod;
  authorization_reference?: string;
  location_id: string;
  evse_uid: string;
  connector_id: string;
  meter_id?: string;
  currency: string;
  charging_periods?: ChargingPeriod[];
  total_cost?: Price;
  status: SessionStatus;
  last_updated: string;
}

/** OCPI 2.2.1 CDR (mod_cdrs); immutable once issued. */
export interface CdrObject {
  country_code: string;
  party_id: string;
  id: string;
  start_date_time: string;
  end_date_time: string;
  session_id?: string;
  cdr_token: CdrToken;
  auth_method: AuthMethod;
  authorization_reference?: string;
  cdr_location: CdrLocation;
  meter_id?: string;
  currency: string;
  tariffs?: unknown[];
  charging_periods: ChargingPeriod[];
  total_cost: Price;
  total_energy: number;
  total_energy_cost?: Price;
  total_time: number;
  total_time_cost?: Price;
  total_parking_time?: number;
  total_parking_cost?: Price;
  credit?: boolean;
  credit_reference_id?: string;
  remark?: string;
  last_updated: string;
}

/** A stored session: the object plus what links it to the CSMS. */
export interface RoamingSession {
  id: string;
  /** The eMSP the session is for (the token's owner). */
  emsp: Party;
  transactionPk: number | null;
  stationId: string;
  evseId: number | null;
  connectorId: number | null;
  remoteStartId: number | null;
  tokenUid: string;
  status: SessionStatus;
  /** A PENDING session not started by then becomes INVALID (ocpi/ocpi#524). */
  pendingUntil: Date | null;
  object: SessionObject;
  lastUpdated: Date;
}

export interface RoamingCdr {
  id: string;
  emsp: Party;
  sessionId: string | null;
  credit: boolean;
  object: CdrObject;
  lastUpdated: Date;
}

export type RoamingCommandType = 'START_SESSION' | 'STOP_SESSION' | 'RESERVE_NOW' | 'CANCEL_RESERVATION' | 'UNLOCK_CONNECTOR';

/** OCPI 2.2.1 CommandResultType (2.1.1 CommandResponseType has the same values where they overlap). */
export type CommandResultType =
  | 'ACCEPTED'
  | 'CANCELED_RESERVATION'
  | 'EVSE_OCCUPIED'
  | 'EVSE_INOPERATIVE'
  | 'FAILED'
  | 'NOT_SUPPORTED'
  | 'REJECTED'
  | 'TIMEOUT'
  | 'UNKNOWN_RESERVATION';

/** A command received from a partner, kept until its result has been posted to response_url. */
export interface RoamingCommand {
  id: string;
  emsp: Party;
  command: RoamingCommandType | 'CHARGING_PROFILE';
  responseUrl: string;
  /** The request as received. */
  request: unknown;
  stationId: string | null;
  evseId: number | null;
  connectorId: number | null;
  tokenUid: string | null;
  remoteStartId: number | null;
  sessionId: string | null;
  result: string | null;
  resultSent: boolean;
  createdAt: Date;
}

/** A real-time authorization answered by an eMSP. */
export interface RemoteAuthorizationRecord {
  emsp: Party;
  uid: string;
  tokenType: TokenType;
  allowed: AllowedType;
  authorizationReference: string | null;
  token: TokenObject;
  createdAt: Date;
}

/** A list query on Sender endpoints: filter on last_updated ([from, to)) and page. */
export interface RoamingListFilter {
  /** Only objects for these eMSPs; undefined = all. */
  parties?: readonly Party[];
  /** Only objects of this CPO party of ours (the object's country_code / party_id); undefined = all. */
  cpo?: Party;
  from?: Date;
  to?: Date;
  offset: number;
  limit: number;
}

export interface RoamingPage<T> {
  items: T[];
  total: number;
}

/** HubClientInfo: a party behind a Hub partner and whether it is reachable. */
export interface ClientInfo {
  countryCode: string;
  partyId: string;
  /** The Hub partner that reported it. */
  partnerId: string;
  role: string;
  status: 'CONNECTED' | 'OFFLINE' | 'PLANNED' | 'SUSPENDED';
  lastUpdated: Date;
}
