/**
 * OCPP 1.6 messages of a simulated station. Every connector is its own unit (layout.ts), so the 1.6 connectorId
 * is the unit's id; connector 0 is the charge point itself.
 *
 * The transactionId is assigned by the CSMS in the StartTransaction answer; MeterValues and StopTransaction made
 * before it came (offline) are built when they are sent, after the stored StartTransaction was answered.
 */
import type { ActionName, RequestOf, ResponseOf } from '../protocol/generated/index.ts';
import type { JsonObject } from '../protocol/types.ts';
import type { Dialect, UpdateTrigger } from './dialect.ts';
import { iso, json } from './dialect.ts';
import type { ConnectorState, EvseState, Session } from './layout.ts';
import type { EnergyState } from './meter.ts';
import { reading } from './meter.ts';
import type { MeasurandSet } from './samples.ts';
import { measurandsOf, samplesOf } from './samples.ts';
import type { SimulatedStation } from './station.ts';
import type { StopReason } from './types.ts';

type Req<A extends ActionName<'ocpp1.6'>> = RequestOf<'ocpp1.6', A>;
type Res<A extends ActionName<'ocpp1.6'>> = ResponseOf<'ocpp1.6', A>;
type MeterValue = Req<'MeterValues'>['meterValue'][number];
type SampledValue = MeterValue['sampledValue'][number];
type Context = NonNullable<SampledValue['context']>;
type Reason = NonNullable<Req<'StopTransaction'>['reason']>;

const REASONS_16: readonly Reason[] = ['EmergencyStop', 'EVDisconnected', 'HardReset', 'Local', 'Other', 'PowerLoss', 'Reboot', 'Remote', 'SoftReset', 'UnlockCommand', 'DeAuthorized'];
const MAX_SERIAL = 25;

function reason16(reason: StopReason): Reason {
  if (reason === 'ImmediateReset') return 'HardReset';
  return (REASONS_16 as readonly string[]).includes(reason) ? (reason as Reason) : 'Other';
}

function answer<T>(payload: JsonObject | undefined): T | undefined {
  return payload as unknown as T | undefined;
}

export class V16Dialect implements Dialect {
  constructor(private readonly station: SimulatedStation) {}

  bootPayload(): JsonObject {
    const c = this.station.config;
    const payload: Req<'BootNotification'> = {
      chargePointVendor: c.vendor,
      chargePointModel: c.model,
      firmwareVersion: c.firmwareVersion,
      ...(c.identity.length <= MAX_SERIAL ? { chargePointSerialNumber: c.identity } : {}),
    };
    return json(payload);
  }

  connectorStatus(evse: EvseState, connector: ConnectorState): string {
    const session = evse.session;
    if (session) return session.chargingState === 'SuspendedEV' || session.chargingState === 'SuspendedEVSE' ? session.chargingState : 'Charging';
    if (connector.plugged) return evse.finishing ? 'Finishing' : 'Preparing';
    if (!this.station.operative || !evse.operative || !connector.operative) return 'Unavailable';
    return evse.reservation ? 'Reserved' : 'Available';
  }

  stationStatus(): string {
    return this.station.operative ? 'Available' : 'Unavailable';
  }

  async statusNotification(evse: EvseState | undefined, _connector: ConnectorState | undefined, status: string): Promise<boolean> {
    const payload: Req<'StatusNotification'> = {
      connectorId: evse?.id ?? 0,
      errorCode: 'NoError',
      status: status as Req<'StatusNotification'>['status'],
      timestamp: iso(this.station.wallNow()),
    };
    return (await this.station.send('StatusNotification', json(payload))) !== undefined;
  }

  async heartbeat(): Promise<void> {
    await this.station.send('Heartbeat', {});
  }

  async authorize(idToken: string): Promise<string | undefined> {
    const payload: Req<'Authorize'> = { idTag: idToken };
    return answer<Res<'Authorize'>>(await this.station.send('Authorize', json(payload)))?.idTagInfo.status;
  }

  started(session: Session): void {
    const payload: Req<'StartTransaction'> = {
      connectorId: session.evseId,
      idTag: session.idToken,
      meterStart: Math.round(session.meterStartWh),
      timestamp: iso(session.startedAt),
      ...(session.reservationId === undefined ? {} : { reservationId: session.reservationId }),
    };
    this.station.enqueue({
      action: 'StartTransaction',
      payload: json(payload),
      droppable: false,
      onAnswer: (response) => {
        const result = answer<Res<'StartTransaction'>>(response);
        if (!result) return;
        session.legacyId = result.transactionId;
        if (result.idTagInfo.status !== 'Accepted' && !session.ended && this.station.model.textOf('TxCtrlr', 'StopTxOnInvalidId') === 'true') {
          this.station.sessions.stop(session.evseId, 'DeAuthorized');
        }
      },
    });
  }

  updated(session: Session, trigger: UpdateTrigger): void {
    const value = this.meterValue(session.energy, trigger === 'Trigger' ? 'Trigger' : 'Sample.Periodic', 'TxUpdatedMeasurands');
    this.station.enqueue({
      action: 'MeterValues',
      payload: () => (session.legacyId === undefined ? undefined : json<Req<'MeterValues'>>({ connectorId: session.evseId, transactionId: session.legacyId, meterValue: [value] })),
      droppable: trigger === 'MeterValuePeriodic',
    });
  }

  ended(session: Session, reason: StopReason): void {
    const timestamp = iso(this.station.wallNow());
    const meterStop = Math.round(session.energy.registerWh);
    const end = this.meterValue(session.energy, 'Transaction.End', 'TxEndedMeasurands');
    this.station.enqueue({
      action: 'StopTransaction',
      payload: () => {
        if (session.legacyId === undefined) return undefined;
        const payload: Req<'StopTransaction'> = { transactionId: session.legacyId, meterStop, timestamp, reason: reason16(reason), transactionData: [end] };
        if (reason === 'Local') payload.idTag = session.idToken;
        return json(payload);
      },
      droppable: false,
    });
  }

  async meterValues(evse: EvseState): Promise<void> {
    const energy: EnergyState = { registerWh: evse.registerWh, powerW: 0, soc: 0, lastAt: 0 };
    const payload: Req<'MeterValues'> = { connectorId: evse.id, meterValue: [this.meterValue(energy, 'Trigger', 'TxStartedMeasurands')] };
    await this.station.send('MeterValues', json(payload));
  }

  async reservationExpired(): Promise<void> {
    // 1.6 has no ReservationStatusUpdate: the connector's StatusNotification (Reserved → Available) says it.
  }

  private meterValue(energy: EnergyState, context: Context, set: MeasurandSet): MeterValue {
    // The register in whole Wh, as meterStart/meterStop carry it: a sample never reads above the stop that follows.
    const samples = samplesOf({ ...reading(energy), energyWh: Math.round(energy.registerWh) }, measurandsOf(this.station.model, set));
    return {
      timestamp: iso(this.station.wallNow()),
      sampledValue: samples.map((s): SampledValue => ({
        value: String(s.value),
        context,
        measurand: s.measurand,
        unit: s.unit,
        ...(s.location ? { location: s.location } : {}),
      })),
    };
  }
}
