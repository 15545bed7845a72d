/**
 * The physical state of a simulated station: EVSEs with connectors, what is plugged in, what is available or
 * reserved, and the session running on each EVSE. On 1.6 every connector is its own EVSE here (1.6 has no EVSE
 * level), numbered 1..N in the same order, so the session logic is the same for every version.
 */
import type { Task } from './scheduler.ts';
import type { EnergyState } from './meter.ts';

export interface ConnectorState {
  id: number;
  plugged: boolean;
  operative: boolean;
  /** The status last sent in a StatusNotification (undefined: never sent on this boot). */
  reported: string | undefined;
}

export interface Reservation {
  id: number;
  idToken: string;
  /** Wall-clock ms. */
  expiresAt: number;
  expiry: Task;
}

export type ChargingState = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

export interface Session {
  /** 2.x transactionId (a UUID); on 1.6 a local key until the CSMS assigns `legacyId`. */
  transactionId: string;
  legacyId: number | undefined;
  evseId: number;
  connectorId: number;
  idToken: string;
  idTokenType: string;
  /** Next 2.x seqNo of this transaction (E §1.3.1). */
  seqNo: number;
  /** Wall-clock ms. */
  startedAt: number;
  meterStartWh: number;
  remoteStartId: number | undefined;
  reservationId: number | undefined;
  chargingState: ChargingState;
  /** Seconds spent with power flowing (2.x timeSpentCharging). */
  chargingS: number;
  energy: EnergyState;
  meterTask: Task | undefined;
  endTask: Task | undefined;
  ended: boolean;
}

export interface EvseState {
  id: number;
  connectors: ConnectorState[];
  operative: boolean;
  /** ChangeAvailability(Inoperative) arrived during a session: applied when it ends (Scheduled). */
  pendingInoperative: boolean;
  reservation: Reservation | undefined;
  session: Session | undefined;
  /** A token authorized for the next session on this EVSE (before the EV is plugged in). */
  authorized: { idToken: string; type: string; remote: boolean; remoteStartId: number | undefined } | undefined;
  /** A session ended and the EV is still plugged in (1.6 Finishing). */
  finishing: boolean;
  /** Cumulative Energy.Active.Import.Register of this EVSE in Wh. */
  registerWh: number;
}

/** 2.x: EVSEs with `connectorsPerEvse` connectors each; 1.6: `evses × connectorsPerEvse` single-connector units. */
export function buildLayout(evses: number, connectorsPerEvse: number, legacy: boolean, initialRegisterWh = 0): EvseState[] {
  const units = legacy ? evses * connectorsPerEvse : evses;
  const perUnit = legacy ? 1 : connectorsPerEvse;
  return Array.from({ length: units }, (_, index) => ({
    id: index + 1,
    connectors: Array.from({ length: perUnit }, (__, c) => ({ id: c + 1, plugged: false, operative: true, reported: undefined })),
    operative: true,
    pendingInoperative: false,
    reservation: undefined,
    session: undefined,
    authorized: undefined,
    finishing: false,
    registerWh: initialRegisterWh,
  }));
}

/** The connector an EV is plugged into on this EVSE, if any. */
export function pluggedConnector(evse: EvseState): ConnectorState | undefined {
  return evse.connectors.find((c) => c.plugged);
}

/** Free for a new session: operative, nothing plugged, no session. */
export function isIdle(evse: EvseState, stationOperative: boolean): boolean {
  return stationOperative && evse.operative && evse.session === undefined && pluggedConnector(evse) === undefined;
}
