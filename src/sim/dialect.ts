/**
 * What differs between OCPP 1.6 and 2.x in the messages a simulated station sends. The station and its sessions
 * are version-neutral and call a Dialect; dialect-v16.ts and dialect-v2.ts build the typed payloads.
 */
import type { JsonObject } from '../protocol/types.ts';
import type { ConnectorState, EvseState, Session } from './layout.ts';
import type { StopReason } from './types.ts';

export type BootReason = 'PowerUp' | 'RemoteReset' | 'Triggered' | 'LocalReset' | 'ApplicationReset';
export type StartTrigger = 'Authorized' | 'CablePluggedIn' | 'RemoteStart';
export type UpdateTrigger = 'MeterValuePeriodic' | 'Trigger' | 'ChargingStateChanged' | 'ChargingRateChanged';

export interface Dialect {
  bootPayload(reason: BootReason): JsonObject;
  /** The status a connector has now, in this version's vocabulary. */
  connectorStatus(evse: EvseState, connector: ConnectorState): string;
  /** 1.6 only: the status of connector 0 (the charge point itself); undefined on 2.x. */
  stationStatus(): string | undefined;
  /** Sends one StatusNotification (1.6: `evse` undefined for connector 0); true when it was answered. */
  statusNotification(evse: EvseState | undefined, connector: ConnectorState | undefined, status: string): Promise<boolean>;
  heartbeat(): Promise<void>;
  /** Authorize; the token's status, or undefined when no answer came. */
  authorize(idToken: string, type: string): Promise<string | undefined>;
  /** Queue the transaction start (TransactionEvent Started / StartTransaction). */
  started(session: Session, trigger: StartTrigger): void;
  /** Queue a transaction update with meter values (TransactionEvent Updated / MeterValues with transactionId). */
  updated(session: Session, trigger: UpdateTrigger): void;
  /** Queue the transaction end (TransactionEvent Ended / StopTransaction). */
  ended(session: Session, reason: StopReason): void;
  /** Meter values outside a transaction (TriggerMessage MeterValues on an idle EVSE). */
  meterValues(evse: EvseState): Promise<void>;
  /** A reservation ran out (2.x ReservationStatusUpdate Expired; nothing on 1.6). */
  reservationExpired(reservationId: number): Promise<void>;
}

/** A typed payload as the JsonObject the station client sends (it validates against the schema anyway). */
export function json<T extends object>(payload: T): JsonObject {
  return payload as unknown as JsonObject;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
