/**
 * OCPP 2.0.1 / 2.1 messages of a simulated station. Payloads are typed as 2.0.1 requests, which are valid 2.1
 * requests too (2.1 only adds fields and enum values to these messages).
 *
 * TransactionEvent: seqNo counts per transaction from 0 (E §1.3.1-2); timestamp is when the event happened, also
 * when it is sent later; `offline: true` marks events that happened while the station had no connection (E04).
 */
import type { ActionName, Ocpp201, RequestOf, ResponseOf } from '../protocol/generated/index.ts';
import type { JsonObject } from '../protocol/types.ts';
import type { BootReason, Dialect, StartTrigger, UpdateTrigger } from './dialect.ts';
import { iso, json } from './dialect.ts';
import type { ConnectorState, EvseState, Session } from './layout.ts';
import type { EnergyState } from './meter.ts';
import { reading } from './meter.ts';
import type { MeasurandSet } from './samples.ts';
import { measurandsOf, samplesOf } from './samples.ts';
import type { SimulatedStation } from './station.ts';
import type { StopReason } from './types.ts';

type Req<A extends ActionName<'ocpp2.0.1'>> = RequestOf<'ocpp2.0.1', A>;
type Res<A extends ActionName<'ocpp2.0.1'>> = ResponseOf<'ocpp2.0.1', A>;
type Context = Ocpp201.ReadingContextEnumType;

/** 2.0.1 serialNumber is at most 25 characters; a longer identity is left out. */
const MAX_SERIAL = 25;

const ENDED_TRIGGER: Partial<Record<StopReason, Ocpp201.TriggerReasonEnumType>> = {
  Remote: 'RemoteStop',
  Local: 'StopAuthorized',
  EVDisconnected: 'EVCommunicationLost',
  ImmediateReset: 'ResetCommand',
  HardReset: 'ResetCommand',
  SoftReset: 'ResetCommand',
  Reboot: 'ResetCommand',
  DeAuthorized: 'Deauthorized',
  EnergyLimitReached: 'EnergyLimitReached',
  TimeLimitReached: 'TimeLimitReached',
  UnlockCommand: 'UnlockCommand',
  StoppedByEV: 'EVDeparted',
};

const STOPPED_REASON: Partial<Record<StopReason, Ocpp201.ReasonEnumType>> = {
  HardReset: 'ImmediateReset',
  SoftReset: 'ImmediateReset',
  UnlockCommand: 'Other',
};

function stoppedReason(reason: StopReason): Ocpp201.ReasonEnumType {
  return STOPPED_REASON[reason] ?? (reason as Ocpp201.ReasonEnumType);
}

/** Reads a validated answer as its 2.0.1 type. */
function answer<T>(payload: JsonObject | undefined): T | undefined {
  return payload as unknown as T | undefined;
}

export class V2Dialect implements Dialect {
  constructor(private readonly station: SimulatedStation) {}

  bootPayload(reason: BootReason): JsonObject {
    const c = this.station.config;
    const payload: Req<'BootNotification'> = {
      reason,
      chargingStation: { vendorName: c.vendor, model: c.model, firmwareVersion: c.firmwareVersion, ...(c.identity.length <= MAX_SERIAL ? { serialNumber: c.identity } : {}) },
    };
    return json(payload);
  }

  connectorStatus(evse: EvseState, connector: ConnectorState): string {
    if (connector.plugged) return 'Occupied';
    if (evse.session || !this.station.operative || !evse.operative || !connector.operative) return 'Unavailable';
    return evse.reservation ? 'Reserved' : 'Available';
  }

  stationStatus(): undefined {
    return undefined;
  }

  async statusNotification(evse: EvseState | undefined, connector: ConnectorState | undefined, status: string): Promise<boolean> {
    if (!evse || !connector) return false;
    const payload: Req<'StatusNotification'> = {
      timestamp: iso(this.station.wallNow()),
      connectorStatus: status as Ocpp201.ConnectorStatusEnumType,
      evseId: evse.id,
      connectorId: connector.id,
    };
    return (await this.station.send('StatusNotification', json(payload))) !== undefined;
  }

  async heartbeat(): Promise<void> {
    await this.station.send('Heartbeat', {});
  }

  async authorize(idToken: string, type: string): Promise<string | undefined> {
    const payload: Req<'Authorize'> = { idToken: { idToken, type: type as Ocpp201.IdTokenEnumType } };
    return answer<Res<'Authorize'>>(await this.station.send('Authorize', json(payload)))?.idTokenInfo.status;
  }

  started(session: Session, trigger: StartTrigger): void {
    const payload: Req<'TransactionEvent'> = {
      ...this.header(session, 'Started', trigger, session.startedAt),
      evse: { id: session.evseId, connectorId: session.connectorId },
      idToken: { idToken: session.idToken, type: session.idTokenType as Ocpp201.IdTokenEnumType },
      meterValue: [this.meterValue(session.energy, 'Transaction.Begin', 'TxStartedMeasurands', session.startedAt)],
      ...(session.reservationId === undefined ? {} : { reservationId: session.reservationId }),
    };
    if (session.remoteStartId !== undefined) payload.transactionInfo.remoteStartId = session.remoteStartId;
    this.station.enqueue({
      action: 'TransactionEvent',
      payload: json(payload),
      droppable: false,
      onAnswer: (response) => {
        // E01.FR.10 / C15: a token the CSMS does not accept ends the transaction (StopTxOnInvalidId).
        const status = answer<Res<'TransactionEvent'>>(response)?.idTokenInfo?.status;
        if (status !== undefined && status !== 'Accepted' && !session.ended && this.station.model.textOf('TxCtrlr', 'StopTxOnInvalidId') === 'true') {
          this.station.sessions.stop(session.evseId, 'DeAuthorized');
        }
      },
    });
  }

  updated(session: Session, trigger: UpdateTrigger): void {
    const now = this.station.wallNow();
    const payload: Req<'TransactionEvent'> = {
      ...this.header(session, 'Updated', trigger, now),
      meterValue: [this.meterValue(session.energy, trigger === 'Trigger' ? 'Trigger' : 'Sample.Periodic', 'TxUpdatedMeasurands', now)],
    };
    this.station.enqueue({ action: 'TransactionEvent', payload: json(payload), droppable: trigger === 'MeterValuePeriodic' });
  }

  ended(session: Session, reason: StopReason): void {
    const now = this.station.wallNow();
    const trigger = ENDED_TRIGGER[reason] ?? 'AbnormalCondition';
    const payload: Req<'TransactionEvent'> = {
      ...this.header(session, 'Ended', trigger, now),
      meterValue: [this.meterValue(session.energy, 'Transaction.End', 'TxEndedMeasurands', now)],
    };
    payload.transactionInfo.stoppedReason = stoppedReason(reason);
    payload.transactionInfo.timeSpentCharging = Math.round(session.chargingS);
    if (trigger === 'StopAuthorized') payload.idToken = { idToken: session.idToken, type: session.idTokenType as Ocpp201.IdTokenEnumType };
    this.station.enqueue({ action: 'TransactionEvent', payload: json(payload), droppable: false });
  }

  async meterValues(evse: EvseState): Promise<void> {
    const energy: EnergyState = { registerWh: evse.registerWh, powerW: 0, soc: 0, lastAt: 0 };
    const now = this.station.wallNow();
    const value = this.meterValue(energy, 'Trigger', 'TxStartedMeasurands', now);
    const payload: Req<'MeterValues'> = { evseId: evse.id, meterValue: [value] };
    await this.station.send('MeterValues', json(payload));
  }

  async reservationExpired(reservationId: number): Promise<void> {
    const payload: Req<'ReservationStatusUpdate'> = { reservationId, reservationUpdateStatus: 'Expired' };
    await this.station.send('ReservationStatusUpdate', json(payload));
  }

  private header(session: Session, eventType: Ocpp201.TransactionEventEnumType, trigger: Ocpp201.TriggerReasonEnumType, at: number): Req<'TransactionEvent'> {
    return {
      eventType,
      timestamp: iso(at),
      triggerReason: trigger,
      seqNo: session.seqNo++,
      transactionInfo: { transactionId: session.transactionId, chargingState: session.chargingState },
      ...(this.station.connected ? {} : { offline: true }),
    };
  }

  private meterValue(energy: EnergyState, context: Context, set: MeasurandSet, at: number): Ocpp201.MeterValueType {
    const samples = samplesOf(reading(energy), measurandsOf(this.station.model, set));
    return {
      timestamp: iso(at),
      sampledValue: samples.map((s) => ({
        value: s.value,
        context,
        measurand: s.measurand,
        unitOfMeasure: { unit: s.unit },
        ...(s.location ? { location: s.location } : {}),
      })),
    };
  }
}
