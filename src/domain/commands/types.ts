/**
 * Operator commands (CSMS → station) in version-neutral terms. The REST API accepts these; `ocpp/commands`
 * translates each into the OCPP call of the station's version (1.6 RemoteStartTransaction or 2.0.1
 * RequestStartTransaction, ...) and the answer back. `raw` sends any action of the station's version as is
 * (still validated against the official schema).
 */
import type { JsonObject } from '../model.ts';

export interface IdTokenRef {
  idToken: string;
  /** 2.0.1 IdTokenEnumType; ignored for 1.6 (idTag). Default 'ISO14443'. */
  type?: string;
}

export interface VariableRef {
  component: string;
  /** Instance, EVSE and connector of the component (2.0.1 only). */
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable: string;
  variableInstance?: string;
  /** 2.0.1 AttributeEnumType, default 'Actual'. */
  attributeType?: string;
}

export type OperatorCommand =
  | { name: 'reset'; type: 'Immediate' | 'OnIdle'; evseId?: number }
  | { name: 'changeAvailability'; operational: boolean; evseId?: number; connectorId?: number }
  | { name: 'startTransaction'; idToken: IdTokenRef; evseId?: number; remoteStartId?: number; chargingProfile?: JsonObject }
  | { name: 'stopTransaction'; transactionId: string }
  | { name: 'unlockConnector'; evseId: number; connectorId: number }
  | { name: 'triggerMessage'; message: string; evseId?: number; connectorId?: number }
  /** 1.6: GetConfiguration with the variable names as keys (component ignored); none = all. */
  | { name: 'getVariables'; variables: VariableRef[] }
  /** 1.6: one ChangeConfiguration per variable. */
  | { name: 'setVariables'; variables: (VariableRef & { value: string })[] }
  | { name: 'getBaseReport'; reportBase: 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory'; requestId?: number }
  | { name: 'clearCache' }
  | { name: 'sendLocalList'; versionNumber: number; updateType: 'Full' | 'Differential'; tokens?: { idToken: IdTokenRef; status?: string; expiry?: string; groupId?: string }[] }
  | { name: 'getLocalListVersion' }
  | { name: 'reserveNow'; idToken: IdTokenRef; expiry: string; evseId?: number; connectorType?: string; groupId?: string; reservationId?: number }
  | { name: 'cancelReservation'; reservationId: number }
  /** `profile` is in the station's version's ChargingProfile shape. */
  | { name: 'setChargingProfile'; evseId: number; profile: JsonObject }
  | { name: 'clearChargingProfile'; profileId?: number; evseId?: number; purpose?: string; stackLevel?: number }
  | { name: 'getCompositeSchedule'; evseId: number; duration: number; chargingRateUnit?: 'W' | 'A' }
  | { name: 'updateFirmware'; location: string; retrieveDateTime: string; requestId?: number; retries?: number; retryInterval?: number; signingCertificate?: string; signature?: string }
  /** 1.6: GetDiagnostics (or GetLog when the station speaks the Security Whitepaper and logType is SecurityLog). */
  | { name: 'getLog'; location: string; logType?: 'DiagnosticsLog' | 'SecurityLog'; requestId?: number; oldestTimestamp?: string; latestTimestamp?: string }
  | { name: 'dataTransfer'; vendorId: string; messageId?: string; data?: string }
  | { name: 'raw'; action: string; payload: JsonObject };

export type OperatorCommandName = OperatorCommand['name'];

/** What the station answered, with the OCPP messages that were exchanged. */
export interface CommandOutcome {
  /** The OCPP action(s) sent, in order (one for most commands; 1.6 setVariables sends one per variable). */
  calls: { action: string; request: JsonObject; response: JsonObject }[];
  /** The station's status field when the answer has one (Accepted, Rejected, ...), for a quick look. */
  status: string | undefined;
  /**
   * The answer in version-neutral terms where the command has one, so callers need not read `calls` per version:
   * startTransaction { remoteStartId, transactionId? }, getVariables / setVariables / 1.6 getBaseReport
   * { variables: [{ component, variable, ..., attributeType, status, value? }] }, getBaseReport / updateFirmware /
   * getLog { requestId } (getLog also filename; 1.6 GetDiagnostics { fileName }), reserveNow { reservationId },
   * getLocalListVersion { versionNumber }.
   */
  result?: JsonObject;
}

export type CommandFailureKind =
  /** Station not connected (API: 409). */
  | 'offline'
  /** No answer in time (API: 504). */
  | 'timeout'
  /** The station answered CALLERROR (API: 502, with code and description). */
  | 'rejected'
  /** The command is not valid for the station's version or fails the schema (API: 400). */
  | 'invalid'
  /** Unknown station (API: 404). */
  | 'not-found';

export class CommandError extends Error {
  constructor(
    readonly kind: CommandFailureKind,
    message: string,
    /** For 'rejected': the OCPP error code and description the station sent. */
    readonly rpc?: { code: string; description: string; details: JsonObject },
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Port implemented by `ocpp/commands`: translate, send to the station (any node), translate back. */
export interface StationCommandGateway {
  execute(stationId: string, command: OperatorCommand, options: { timeoutMs: number }): Promise<CommandOutcome>;
}

/**
 * Port for several nodes on one database (implemented in `storage` on PostgreSQL): hands the command to the node
 * that holds the station's connection, which runs it on its own connections only. Resolves or throws exactly as
 * that node's gateway did (CommandError of the same kind); 'offline' at once when that node is known to be down
 * (no fresh heartbeat); 'timeout' when no answer comes within timeoutMs, whether the node is slow, died just now,
 * or never picked the command up.
 */
export interface CommandRelay {
  forward(nodeId: string, stationId: string, command: OperatorCommand, options: { timeoutMs: number }): Promise<CommandOutcome>;
}
