/**
 * Version-neutral CSMS records: what the domain reads from and writes to storage, whatever OCPP version the
 * station speaks. Read models use `null` for "not known" (as stored); inputs use optional fields.
 * Energy is always in Wh (a JS number: exact for every decimal up to 15 significant digits; stored as NUMERIC).
 */
import type { JsonObject, JsonValue } from '../shared/json.ts';

export type { JsonObject, JsonPrimitive, JsonValue } from '../shared/json.ts';

/** WebSocket subprotocol names, which double as version identifiers (same strings as the protocol layer). */
export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

/** How the server treats schema violations from this station; null = the server's default. */
export type Strictness = 'strict' | 'lenient';

/** BootNotification answer a station last got (2.0.1 RegistrationStatusEnumType = 1.6 RegistrationStatus). */
export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export interface Station {
  /** The charging station identity (last path segment of its WebSocket URL). */
  id: string;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  /** Subprotocol negotiated on the last connection. */
  ocppVersion: OcppVersion | null;
  /** OCPP security profile 0–3 (0 = no authentication, for test setups only). */
  securityProfile: number;
  /** Hash of the Basic-auth password (profiles 1 and 2); never the password itself. */
  passwordHash: string | null;
  registrationStatus: RegistrationStatus;
  /** Subprotocols this station may use; empty = any the server supports. */
  allowedVersions: OcppVersion[];
  /** Subprotocol assumed for a station that offers none. */
  fallbackVersion: OcppVersion | null;
  strictness: Strictness | null;
  /** Signed messages (OCPP-J Part 4 §7): accept and verify `<Action>-Signed` CALLs, sign the replies. */
  signedMessages: boolean;
  /** PEM certificate(s) this station signs with; its signed messages are verified against them. */
  signingCertificate: string | null;
  lastSeenAt: Date | null;
  connected: boolean;
  /** Which server node holds the connection (cluster deployments). */
  nodeId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** EVSE availability as last set by ChangeAvailability or reported by the station. */
export type Availability = 'Operative' | 'Inoperative';

export interface Evse {
  stationId: string;
  /** 0 = the whole station. */
  evseId: number;
  availability: Availability;
  updatedAt: Date;
}

/** Version-neutral connector status (2.0.1 set); 1.6 Preparing, Charging, SuspendedEV(SE) and Finishing map to Occupied. */
export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

export interface Connector {
  stationId: string;
  evseId: number;
  connectorId: number;
  status: ConnectorStatus;
  /** The status as the station sent it (e.g. 1.6 'Charging'), for display. */
  ocppStatus: string | null;
  /** 1.6 ChargePointErrorCode ('NoError' is stored as null). */
  errorCode: string | null;
  /** Station time of the StatusNotification this status came from. */
  updatedAt: Date;
}

/** 2.0.1 AuthorizationStatusEnumType values a token can hold. */
export type TokenStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'NoCredit' | 'NotAllowedTypeOut' | 'NotAtThisLocation' | 'NotAtThisTime' | 'Unknown';

export interface IdToken {
  id: number;
  idToken: string;
  /** 2.0.1 IdTokenEnumType (1.6 idTags are stored with the type the domain chooses, e.g. 'ISO14443'). */
  type: string;
  status: TokenStatus;
  expiry: Date | null;
  groupId: string | null;
  /** 'local' or the roaming partner it came from (e.g. 'ocpi:NL-ABC'). */
  source: string;
  createdAt: Date;
  updatedAt: Date;
}

export type TransactionState = 'active' | 'completed';

export interface Transaction {
  /** Storage key (not sent to stations). */
  id: number;
  stationId: string;
  /** The station's transactionId (2.0.1) or the 1.6 integer we assigned, as text. */
  transactionId: string;
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  idTokenType: string | null;
  /** Earliest start time any event reported. */
  startedAt: Date | null;
  stoppedAt: Date | null;
  /** Earliest Energy.Active.Import.Register reading of the transaction, in Wh, and its time. */
  meterStartWh: number | null;
  meterStartAt: Date | null;
  /** Latest reading, in Wh, and its time (the stop value once the transaction has ended). */
  meterStopWh: number | null;
  meterStopAt: Date | null;
  /** meterStop − meterStart, computed by the database (exact NUMERIC arithmetic). */
  energyWh: number | null;
  stopReason: string | null;
  state: TransactionState;
  /** 2.0.1 ChargingStateEnumType of the event with the highest seqNo. */
  chargingState: string | null;
  /** 2.0.1 remoteStartId linking a RequestStartTransaction to this transaction. */
  remoteStartId: number | null;
  /** Highest seqNo applied so far. */
  lastSeqNo: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One stored TransactionEvent (2.0.1) or 1.6 Start/Stop/MeterValues message mapped to one. */
export interface TransactionEventRecord {
  transactionPk: number;
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  triggerReason: string | null;
  timestamp: Date;
  offline: boolean;
  payload: JsonValue;
  receivedAt: Date;
}

export interface MeterSample {
  id: number;
  /** Storage key of the transaction, when the sample belongs to one. */
  transactionPk: number | null;
  stationId: string;
  evseId: number | null;
  timestamp: Date;
  /** e.g. 'Energy.Active.Import.Register' (the default when the station sends none). */
  measurand: string;
  phase: string | null;
  unit: string | null;
  context: string | null;
  location: string | null;
  /** The value as sent, in `unit` (not converted). */
  value: number;
  /** 2.0.1 signedMeterValue, kept verbatim for calibration-law checks. */
  signed: JsonValue | null;
}

export type NewMeterSample = Omit<MeterSample, 'id' | 'transactionPk' | 'phase' | 'unit' | 'context' | 'location' | 'signed' | 'evseId' | 'measurand'> & {
  evseId?: number | null;
  measurand?: string;
  phase?: string | null;
  unit?: string | null;
  context?: string | null;
  location?: string | null;
  signed?: JsonValue | null;
};

/**
 * One device model attribute (2.0.1 component/variable/attribute), or a 1.6 configuration key stored as
 * component 'OCPP16', variable = key, attributeType 'Actual'.
 */
export interface DeviceVariable {
  stationId: string;
  component: string;
  componentInstance: string | null;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string | null;
  /** 'Actual' | 'Target' | 'MinSet' | 'MaxSet'. */
  attributeType: string;
  value: string | null;
  /** 'ReadOnly' | 'WriteOnly' | 'ReadWrite' (1.6 readonly=true → 'ReadOnly'). */
  mutability: string | null;
  /** Everything else the station reported (variableCharacteristics, constant, persistent...). */
  data: JsonValue | null;
  updatedAt: Date;
}

/** The component 1.6 configuration keys are stored under. */
export const OCPP16_CONFIG_COMPONENT = 'OCPP16';

export type ReservationStatus = 'Pending' | 'Accepted' | 'Rejected' | 'Faulted' | 'Occupied' | 'Unavailable' | 'Cancelled' | 'Expired' | 'Used';

export interface Reservation {
  /** The reservationId sent to the station (assigned by storage). */
  id: number;
  stationId: string;
  /** 1.6 connectorId or 2.0.1 evseId; null = any. */
  evseId: number | null;
  connectorType: string | null;
  idToken: string;
  idTokenType: string | null;
  groupId: string | null;
  expiry: Date;
  status: ReservationStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type ChargingProfileStatus = 'Pending' | 'Accepted' | 'Rejected' | 'Cleared';

export interface ChargingProfileRecord {
  stationId: string;
  /** 0 = the whole station. */
  evseId: number;
  /** The chargingProfileId (unique per station). */
  profileId: number;
  stackLevel: number;
  /** e.g. 'TxDefaultProfile', 'TxProfile', 'ChargingStationMaxProfile' (1.6 ChargePointMaxProfile). */
  purpose: string;
  kind: string;
  transactionId: string | null;
  validFrom: Date | null;
  validTo: Date | null;
  /** The profile exactly as sent, in the station's version's shape. */
  profile: JsonObject;
  status: ChargingProfileStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type Direction = 'in' | 'out';

export interface MessageLogEntry {
  id: number;
  stationId: string;
  direction: Direction;
  /** OCPP-J message type: 2 CALL, 3 CALLRESULT, 4 CALLERROR, 5 CALLRESULTERROR, 6 SEND. */
  messageType: number;
  messageId: string;
  /** The action (for results: the action of the call they answer), when known. */
  action: string | null;
  payload: JsonValue;
  createdAt: Date;
  /**
   * The answer we gave to a CALL the station sent, logged with it as one exchange: CALLRESULT (3) or CALLERROR (4),
   * its payload as logged for those types (for a CALLERROR `{errorCode, errorDescription, errorDetails}`), and
   * when we sent it. Null for everything else: our own CALLs and the station's answers to them, SENDs,
   * CALLRESULTERRORs, and a CALL whose answer was not logged with it.
   */
  response: MessageLogResponse | null;
}

export interface MessageLogResponse {
  messageType: number;
  payload: JsonValue;
  createdAt: Date;
}

/**
 * createdAt (of the entry and of its response) defaults to the time the entry is enqueued. `payloadJson`, when
 * given, is the payload's JSON text exactly as it crossed the wire (so it is known to be valid JSON): the log stores
 * it instead of serializing `payload` again, which on the hot path was the log's largest cost in the CSMS.
 */
export type NewMessageLogEntry = Omit<MessageLogEntry, 'id' | 'createdAt' | 'action' | 'response'> & {
  action?: string | null;
  createdAt?: Date;
  payloadJson?: string;
  response?: (Omit<MessageLogResponse, 'createdAt'> & { createdAt?: Date; payloadJson?: string }) | null;
};

export interface ApiKey {
  id: string;
  name: string;
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  hash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type CommandJobStatus = 'pending' | 'sent' | 'completed' | 'failed' | 'timeout';

export interface CommandJob {
  id: string;
  stationId: string;
  action: string;
  request: JsonValue;
  status: CommandJobStatus;
  response: JsonValue | null;
  /** { code, description, details } of a CALLERROR, or our own failure (offline, timeout). */
  error: JsonValue | null;
  webhookUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}
