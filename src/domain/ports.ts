/**
 * Storage ports: what the domain needs from persistence. src/storage implements them on PostgreSQL/PGlite;
 * the domain depends only on these interfaces. Every method that resolves has durably committed its writes,
 * except MessageLogRepository.enqueue (write-behind by design).
 */
import type {
  ApiKey,
  Availability,
  ChargingProfileRecord,
  ChargingProfileStatus,
  CommandJob,
  CommandJobStatus,
  Connector,
  ConnectorStatus,
  DeviceVariable,
  Evse,
  IdToken,
  JsonObject,
  JsonValue,
  MessageLogEntry,
  MeterSample,
  NewMessageLogEntry,
  NewMeterSample,
  OcppVersion,
  RegistrationStatus,
  Reservation,
  ReservationStatus,
  Station,
  Strictness,
  TokenStatus,
  Transaction,
  TransactionEventRecord,
  TransactionState,
} from './model.ts';
import type { LocationRepository } from './locations/ports.ts';
import type { TariffRepository } from './tariffs/ports.ts';

/** Offset pagination shared by the list methods; limit defaults to 100 and is capped at 1000. */
export interface Page {
  limit?: number;
  offset?: number;
}

// ---------------------------------------------------------------- stations

export interface NewStation {
  id: string;
  securityProfile?: number;
  passwordHash?: string | null;
  registrationStatus?: RegistrationStatus;
  allowedVersions?: OcppVersion[];
  fallbackVersion?: OcppVersion | null;
  strictness?: Strictness | null;
  signedMessages?: boolean;
  signingCertificate?: string | null;
  vendor?: string | null;
  model?: string | null;
  serialNumber?: string | null;
  firmwareVersion?: string | null;
}

export type StationPatch = Partial<Omit<NewStation, 'id'>> & { ocppVersion?: OcppVersion | null; lastSeenAt?: Date | null };

export interface ConnectorStatusUpdate {
  evseId: number;
  connectorId: number;
  status: ConnectorStatus;
  ocppStatus?: string | null;
  errorCode?: string | null;
  /** Station time of the report; an older report than the stored one is ignored (offline replay). */
  at: Date;
}

export interface StationRepository {
  get(id: string): Promise<Station | undefined>;
  list(filter?: Page & { connected?: boolean }): Promise<Station[]>;
  /** Throws AlreadyExistsError when the id is taken. */
  create(station: NewStation): Promise<Station>;
  /** Undefined when the station does not exist. */
  update(id: string, patch: StationPatch): Promise<Station | undefined>;
  /** Deletes the station and everything that belongs to it except the message log. */
  delete(id: string): Promise<boolean>;
  /** A connection was accepted on `nodeId`. */
  markConnected(id: string, nodeId: string, ocppVersion: OcppVersion, at: Date): Promise<void>;
  /** The connection closed; ignored when the station has meanwhile reconnected on another node. */
  markDisconnected(id: string, nodeId: string, at: Date): Promise<void>;
  /** At start: every station this node held is disconnected (its process died). Returns how many. */
  disconnectAll(nodeId: string): Promise<number>;
  /** Sets last_seen for many stations at once (callers batch heartbeats/messages). */
  touch(ids: readonly string[], at: Date): Promise<void>;

  /** True when applied, false when a newer status is already stored. Creates the EVSE row if needed. */
  updateConnectorStatus(stationId: string, update: ConnectorStatusUpdate): Promise<boolean>;
  listConnectors(stationId: string): Promise<Connector[]>;
  setEvseAvailability(stationId: string, evseId: number, availability: Availability): Promise<void>;
  listEvses(stationId: string): Promise<Evse[]>;
}

// ---------------------------------------------------------------- id tokens

export interface NewIdToken {
  idToken: string;
  type: string;
  status: TokenStatus;
  expiry?: Date | null;
  groupId?: string | null;
  source?: string;
}

export interface TokenRepository {
  get(idToken: string, type: string): Promise<IdToken | undefined>;
  getById(id: number): Promise<IdToken | undefined>;
  /** All tokens with this value whatever their type (1.6 idTags carry no type); local ones first. */
  findByValue(idToken: string): Promise<IdToken[]>;
  list(filter?: Page & { source?: string; groupId?: string }): Promise<IdToken[]>;
  /** Insert or replace by (idToken, type). */
  upsert(token: NewIdToken): Promise<IdToken>;
  delete(idToken: string, type: string): Promise<boolean>;
}

// ---------------------------------------------------------------- transactions

/** A register reading already converted to Wh by the domain (Energy.Active.Import.Register, no phase). */
export interface EnergyReading {
  timestamp: Date;
  wh: number;
}

/**
 * One transaction message, applied atomically and idempotently. Field rules make the result independent of the
 * order events arrive in: the transaction row is created by whichever event comes first; startedAt keeps the
 * earliest value, the meter start/stop the earliest/latest reading by time, state 'completed' is final, and the
 * other fields are taken from the event with the highest seqNo that sets them.
 */
export interface TransactionEventInput {
  stationId: string;
  transactionId: string;
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  triggerReason?: string | null;
  timestamp: Date;
  offline?: boolean;
  /**
   * The message as received, without its meter values: those are stored once, as `meterValues` samples. (The
   * message log keeps the whole frame.)
   */
  payload: JsonValue;
  evseId?: number | null;
  connectorId?: number | null;
  idToken?: string | null;
  idTokenType?: string | null;
  startedAt?: Date | null;
  stoppedAt?: Date | null;
  stopReason?: string | null;
  chargingState?: string | null;
  remoteStartId?: number | null;
  /** Defaults to 'completed' for Ended, 'active' otherwise. */
  state?: TransactionState;
  /** Readings that bound the energy: the earliest and latest by time update meter start/stop. */
  energy?: readonly EnergyReading[];
  /** Every sampled value of the message (stored as meter values of the transaction). */
  meterValues?: readonly NewMeterSample[];
}

export interface ApplyEventResult {
  /** True when (transaction, seqNo) was already stored: nothing was written. */
  duplicate: boolean;
  transaction: Transaction;
}

/** 1.6 StartTransaction: the same fields as an event, minus the id we assign. */
export type LegacyStartInput = Omit<TransactionEventInput, 'transactionId' | 'eventType' | 'seqNo' | 'startedAt'> & {
  connectorId: number;
  idToken: string;
  meterStartWh: number;
};

export interface TransactionFilter extends Page {
  stationId?: string;
  state?: TransactionState;
  idToken?: string;
  /** Started at or after. */
  from?: Date;
  /** Started before. */
  to?: Date;
}

export interface TransactionRepository {
  applyEvent(event: TransactionEventInput): Promise<ApplyEventResult>;
  /**
   * Assigns the next 1.6 transactionId (an int32) and applies the start as event seqNo 0, in one database
   * transaction. A retried StartTransaction (same station, connector, idTag and timestamp) gets the same id back
   * with duplicate = true.
   */
  startLegacy(start: LegacyStartInput): Promise<ApplyEventResult>;
  get(stationId: string, transactionId: string): Promise<Transaction | undefined>;
  getById(id: number): Promise<Transaction | undefined>;
  /** Newest first. */
  list(filter?: TransactionFilter): Promise<Transaction[]>;
  /** Active transactions of a station (optionally on one EVSE). */
  listActive(stationId: string, evseId?: number): Promise<Transaction[]>;
  /** In seqNo order. */
  listEvents(transactionPk: number): Promise<TransactionEventRecord[]>;
}

// ---------------------------------------------------------------- meter values

export interface MeterValueRepository {
  /**
   * Samples not tied to a transaction (transaction samples go through TransactionRepository.applyEvent). The
   * station is not checked (callers store samples of connected, hence known, stations).
   */
  insert(samples: readonly NewMeterSample[]): Promise<void>;
  /** In time order. */
  listForTransaction(transactionPk: number): Promise<MeterSample[]>;
  list(filter: Page & { stationId: string; evseId?: number; measurand?: string; from?: Date; to?: Date }): Promise<MeterSample[]>;
}

// ---------------------------------------------------------------- device model

export interface DeviceVariableInput {
  component: string;
  componentInstance?: string | null;
  evseId?: number | null;
  connectorId?: number | null;
  variable: string;
  variableInstance?: string | null;
  attributeType?: string;
  value?: string | null;
  mutability?: string | null;
  data?: JsonValue | null;
}

export type VariableKey = Pick<DeviceVariableInput, 'component' | 'componentInstance' | 'evseId' | 'connectorId' | 'variable' | 'variableInstance' | 'attributeType'>;

export interface DeviceModelRepository {
  /** Insert or replace each variable (NotifyReport parts, GetConfiguration, accepted SetVariables). */
  upsert(stationId: string, variables: readonly DeviceVariableInput[]): Promise<void>;
  get(stationId: string, key: VariableKey): Promise<DeviceVariable | undefined>;
  list(stationId: string, filter?: { component?: string; variable?: string }): Promise<DeviceVariable[]>;
  /** Before storing a full base report. Returns how many were removed. */
  clear(stationId: string): Promise<number>;
}

// ---------------------------------------------------------------- message log

export interface MessageLogFilter extends Page {
  stationId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Entries with an id below this one (keyset pagination, newest first). */
  beforeId?: number;
}

export interface MessageLogRepository {
  /** Writes the entries in one statement; resolves once they are stored. */
  append(entries: readonly NewMessageLogEntry[]): Promise<void>;
  /** Write-behind: buffers the entry and writes it with others shortly after (never blocks the caller). */
  enqueue(entry: NewMessageLogEntry): void;
  /** Writes everything enqueued so far. */
  flush(): Promise<void>;
  /** Newest first. */
  list(filter?: MessageLogFilter): Promise<MessageLogEntry[]>;
  /** Deletes the oldest entries created before `olderThan`, at most `limit` (default 10,000). Returns how many. */
  prune(olderThan: Date, limit?: number): Promise<number>;
}

// ---------------------------------------------------------------- API keys

export interface ApiKeyRepository {
  create(key: { name: string; hash: string }): Promise<ApiKey>;
  findByHash(hash: string): Promise<ApiKey | undefined>;
  markUsed(id: string, at: Date): Promise<void>;
  list(): Promise<ApiKey[]>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}

// ---------------------------------------------------------------- command jobs

export interface CommandJobRepository {
  create(job: { id?: string; stationId: string; action: string; request: JsonValue; webhookUrl?: string | null }): Promise<CommandJob>;
  get(id: string): Promise<CommandJob | undefined>;
  update(id: string, patch: { status: CommandJobStatus; response?: JsonValue | null; error?: JsonValue | null }): Promise<CommandJob | undefined>;
  /** Newest first. */
  list(filter?: Page & { stationId?: string; status?: readonly CommandJobStatus[] }): Promise<CommandJob[]>;
}

// ---------------------------------------------------------------- reservations

export interface NewReservation {
  stationId: string;
  evseId?: number | null;
  connectorType?: string | null;
  idToken: string;
  idTokenType?: string | null;
  groupId?: string | null;
  expiry: Date;
}

export interface ReservationRepository {
  /** Assigns the reservationId; status starts as 'Pending' (sent, not yet answered). */
  create(reservation: NewReservation): Promise<Reservation>;
  get(id: number): Promise<Reservation | undefined>;
  setStatus(id: number, status: ReservationStatus): Promise<Reservation | undefined>;
  /** Pending or Accepted reservations of a station. */
  listActive(stationId: string): Promise<Reservation[]>;
  /** Marks Pending/Accepted reservations whose expiry is before `now` as Expired and returns them. */
  expire(now: Date): Promise<Reservation[]>;
}

// ---------------------------------------------------------------- charging profiles

export type ChargingProfileInput = Omit<ChargingProfileRecord, 'createdAt' | 'updatedAt' | 'status' | 'transactionId' | 'validFrom' | 'validTo'> & {
  status?: ChargingProfileStatus;
  transactionId?: string | null;
  validFrom?: Date | null;
  validTo?: Date | null;
  profile: JsonObject;
};

/** ClearChargingProfile criteria; all given fields must match. */
export interface ChargingProfileCriteria {
  profileId?: number;
  evseId?: number;
  purpose?: string;
  stackLevel?: number;
}

export interface ChargingProfileRepository {
  /** Insert or replace by (station, profileId), as a station replaces a profile with the same id. */
  upsert(profile: ChargingProfileInput): Promise<ChargingProfileRecord>;
  setStatus(stationId: string, profileId: number, status: ChargingProfileStatus): Promise<void>;
  list(stationId: string, criteria?: ChargingProfileCriteria): Promise<ChargingProfileRecord[]>;
  /** Deletes the matching profiles; returns how many. */
  delete(stationId: string, criteria?: ChargingProfileCriteria): Promise<number>;
}

// ---------------------------------------------------------------- all of them

export interface Repositories {
  stations: StationRepository;
  tokens: TokenRepository;
  transactions: TransactionRepository;
  meterValues: MeterValueRepository;
  deviceModel: DeviceModelRepository;
  messageLog: MessageLogRepository;
  apiKeys: ApiKeyRepository;
  commandJobs: CommandJobRepository;
  reservations: ReservationRepository;
  chargingProfiles: ChargingProfileRepository;
  locations: LocationRepository;
  tariffs: TariffRepository;
}
