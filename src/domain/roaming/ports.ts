/**
 * What roaming needs from the rest of the system: its storage (src/storage/repositories/roaming.ts), the
 * Locations directory (which station EVSE is which OCPI location/EVSE/connector), the tariff cost function, and
 * the real-time authorization at an eMSP (implemented over OCPI by src/ocpi).
 */
import type { JsonValue } from '../model.ts';
import type { NewIdToken } from '../ports.ts';
import type {
  AllowedType,
  ClientInfo,
  CdrLocation,
  Party,
  PartnerToken,
  RemoteAuthorizationRecord,
  RoamingCdr,
  RoamingCommand,
  RoamingListFilter,
  RoamingPage,
  RoamingSession,
  SessionObject,
  SessionStatus,
  TokenObject,
  TokenType,
} from './model.ts';

// ---------------------------------------------------------------- storage

export type NewRoamingCommand = Omit<RoamingCommand, 'result' | 'resultSent' | 'createdAt' | 'sessionId' | 'remoteStartId'> & {
  sessionId?: string | null;
  remoteStartId?: number | null;
};

export type NewRoamingSession = Omit<RoamingSession, 'lastUpdated'>;

export interface RoamingSessionPatch {
  transactionPk?: number | null;
  evseId?: number | null;
  connectorId?: number | null;
  status?: SessionStatus;
  pendingUntil?: Date | null;
  object?: SessionObject;
}

/** What plainlyLocal needs to know of a transaction. */
export interface PlainlyLocalQuery {
  id: number;
  stationId: string;
  idToken: string;
  idTokenType: string | null;
}

export interface RoamingRepository {
  /**
   * Stores a partner's token and its id_tokens row (source `ocpi:<CC>-<PID>`) in one database transaction.
   * Throws AlreadyExistsError when the id_tokens row belongs to another source (a local token or another eMSP's).
   */
  putToken(token: TokenObject, idToken: NewIdToken): Promise<{ created: boolean; token: PartnerToken }>;
  getToken(emsp: Party, uid: string, type: TokenType): Promise<PartnerToken | undefined>;
  getTokenByIdTokenPk(idTokenPk: number): Promise<PartnerToken | undefined>;

  recordAuthorization(record: Omit<RemoteAuthorizationRecord, 'createdAt'>): Promise<void>;
  /** The newest ALLOWED real-time authorization of `uid` since `since`. */
  latestAuthorization(uid: string, since: Date): Promise<RemoteAuthorizationRecord | undefined>;

  createCommand(command: NewRoamingCommand): Promise<RoamingCommand>;
  getCommand(id: string): Promise<RoamingCommand | undefined>;
  /** The START_SESSION that opened a session. */
  getCommandBySession(sessionId: string): Promise<RoamingCommand | undefined>;
  updateCommand(id: string, patch: { result?: string | null; resultSent?: boolean; sessionId?: string | null; stationId?: string; evseId?: number | null; remoteStartId?: number | null }): Promise<RoamingCommand | undefined>;
  /** True when a START_SESSION or RESERVE_NOW for this token uid was received since `since`. */
  hasRecentCommandToken(uid: string, since: Date): Promise<boolean>;
  /** The newest such command's eMSP, token and authorization_reference. */
  latestCommandToken(uid: string, since: Date): Promise<{ emsp: Party; token: TokenObject; authorizationReference: string | null } | undefined>;

  putReservation(emsp: Party, reservationId: string, ocppReservationId: number, responseUrl: string): Promise<void>;
  getReservation(emsp: Party, reservationId: string): Promise<{ ocppReservationId: number; responseUrl: string } | undefined>;
  /** The Session the first accepted RESERVE_NOW of this reservation_id opened. */
  getReservationSession(emsp: Party, reservationId: string): Promise<string | undefined>;

  createSession(session: NewRoamingSession): Promise<RoamingSession>;
  updateSession(id: string, patch: RoamingSessionPatch): Promise<RoamingSession | undefined>;
  getSession(id: string): Promise<RoamingSession | undefined>;
  getSessionByTransaction(transactionPk: number): Promise<RoamingSession | undefined>;
  /**
   * The ids of the given transactions that are plainly local, in one query for all of them: no session holds the
   * transaction, no session is waiting for a transaction on its station (PENDING, INVALID or RESERVATION), and its
   * token is stored as a local one (the exact value and type; without a type, or when that is not stored, the
   * value alone with local tokens first).
   */
  plainlyLocal(transactions: readonly PlainlyLocalQuery[]): Promise<Set<number>>;
  /** A session that never had a transaction (a remote start the station refused). */
  deleteSession(id: string): Promise<boolean>;
  /**
   * The session of a remote start or reservation on this station not yet tied to a transaction: PENDING or
   * RESERVATION by token, PENDING or INVALID (timed out: a late start still joins it) by remoteStartId.
   */
  findPendingSession(stationId: string, match: { remoteStartId?: number; tokenUid?: string; evseId?: number | null }): Promise<RoamingSession | undefined>;
  /** PENDING and RESERVATION sessions whose pendingUntil (start timeout, reservation expiry) is before `now`. */
  listExpiredPending(now: Date): Promise<RoamingSession[]>;
  /** Oldest first by last_updated, then creation. */
  listSessions(filter: RoamingListFilter): Promise<RoamingPage<RoamingSession>>;

  /** Throws AlreadyExistsError when the id is taken. */
  insertCdr(cdr: Omit<RoamingCdr, 'lastUpdated'> & { creditReferenceId?: string | null }): Promise<RoamingCdr>;
  getCdr(id: string): Promise<RoamingCdr | undefined>;
  listCdrsOfSession(sessionId: string): Promise<RoamingCdr[]>;
  listCdrs(filter: RoamingListFilter): Promise<RoamingPage<RoamingCdr>>;

  /** Insert or replace by party; `created` tells which. */
  putClientInfo(info: ClientInfo): Promise<{ created: boolean }>;
  getClientInfo(party: Party): Promise<ClientInfo | undefined>;
  listClientInfos(partnerId?: string): Promise<ClientInfo[]>;
}

// ---------------------------------------------------------------- locations and tariffs

/** Where a station's EVSE and connector are published as an OCPI Location. */
export interface SiteRef {
  locationId: string;
  evseUid: string;
  /** OCPI connector id. */
  connectorId: string;
  cdrLocation: CdrLocation;
  /** Tariffs that apply at this connector (the first valid one prices the charge). */
  tariffIds: string[];
  /** IANA time zone of the location (tariff restrictions are local). */
  timeZone: string;
  /** The CPO party that publishes the location (Session and CDR owner); undefined = the default party. */
  cpo?: Party;
}

/** The CSMS side of an OCPI location/EVSE/connector. */
export interface StationPlace {
  stationId: string;
  /** OCPP EVSE id (1.6: connector id); undefined = the station chooses. */
  evseId?: number;
  /** OCPP connector id within the EVSE (2.0.1). */
  connectorId?: number;
}

export interface LocationDirectory {
  /** The published place of a station's EVSE/connector; undefined when it is not published. */
  locate(stationId: string, evseId: number | null, connectorId: number | null): Promise<SiteRef | undefined>;
  /** The station EVSE behind an OCPI location (and EVSE, connector); undefined when unknown. */
  resolve(locationId: string, evseUid?: string, connectorId?: string): Promise<StationPlace | undefined>;
}

// ---------------------------------------------------------------- real-time authorization

export type RemoteAuthorizationResult =
  | { kind: 'answered'; emsp: Party; allowed: AllowedType; token: TokenObject; authorizationReference?: string }
  /** No eMSP knows the token. */
  | { kind: 'unknown' }
  /** The eMSP could not be reached (or answered an error) in time. */
  | { kind: 'unreachable' };

/**
 * Asks an eMSP (`emsp` given) or every eMSP that allows it (`emsp` undefined, for tokens nobody pushed) whether
 * the token may charge, optionally at a location.
 */
export interface RemoteAuthorizer {
  authorize(request: { emsp?: Party; uid: string; type: TokenType; location?: { locationId: string; evseUids: string[] } }): Promise<RemoteAuthorizationResult>;
}

// ---------------------------------------------------------------- listeners (pushes to partners)

/** What roaming tells the OCPI layer; each call must return quickly (queue the HTTP work). */
export interface RoamingListener {
  sessionChanged?(session: RoamingSession): void;
  cdrIssued?(cdr: RoamingCdr): void;
  /** `data`: extra result content (the ActiveChargingProfile of a GET chargingprofiles). */
  commandResult?(command: RoamingCommand, result: string, message?: string, data?: JsonValue): void;
}

