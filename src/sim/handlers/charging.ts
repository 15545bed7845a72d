/**
 * SetChargingProfile / ClearChargingProfile (2.x K01/K10, 1.6 §5.16/§5.5): profiles limit the simulated power at
 * once (sessions.limitsChanged). A TxProfile needs a running transaction (K01.FR.09 / 1.6: Rejected otherwise).
 */
import type { CallContext } from '../../protocol/endpoint.ts';
import type { HandlerRegistry } from '../../protocol/handlers.ts';
import type { ProfilePurpose, StoredProfile } from '../charging-limits.ts';
import type { SimulatedStation } from '../station.ts';
import type { Directory, V16Req, V16Res, V2Req } from './common.ts';
import { stationOf } from './common.ts';

type V2Profile = V2Req<'SetChargingProfile'>['chargingProfile'];
type V16Profile = V16Req<'SetChargingProfile'>['csChargingProfiles'];

const PURPOSES: Record<string, ProfilePurpose> = {
  ChargingStationMaxProfile: 'max',
  ChargePointMaxProfile: 'max',
  ChargingStationExternalConstraints: 'external',
  TxDefaultProfile: 'txDefault',
  TxProfile: 'tx',
};

function time(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** 2.x profile → StoredProfile; undefined for what the simulator does not model (2.1 Dynamic, PriorityCharging...). */
export function fromV2Profile(profile: V2Profile, evseId: number): StoredProfile | undefined {
  const purpose = PURPOSES[profile.chargingProfilePurpose];
  const schedule = profile.chargingSchedule[0];
  if (!purpose || !schedule || profile.chargingProfileKind === 'Dynamic') return undefined;
  const periods = schedule.chargingSchedulePeriod.flatMap((p) => (p.limit === undefined ? [] : [{ startPeriod: p.startPeriod, limit: p.limit, numberPhases: p.numberPhases }]));
  return {
    id: profile.id,
    stackLevel: profile.stackLevel,
    purpose,
    evseId,
    transactionId: profile.transactionId,
    kind: profile.chargingProfileKind,
    recurrency: profile.recurrencyKind,
    startSchedule: time(schedule.startSchedule),
    validFrom: time(profile.validFrom),
    validTo: time(profile.validTo),
    durationS: schedule.duration,
    rateUnit: schedule.chargingRateUnit,
    periods,
  };
}

export function fromV16Profile(profile: V16Profile, connectorId: number, station: SimulatedStation): StoredProfile | undefined {
  const purpose = PURPOSES[profile.chargingProfilePurpose];
  if (!purpose) return undefined;
  const schedule = profile.chargingSchedule;
  const transaction = profile.transactionId === undefined ? undefined : station.sessions.findLegacy(profile.transactionId);
  return {
    id: profile.chargingProfileId,
    stackLevel: profile.stackLevel,
    purpose,
    evseId: connectorId,
    transactionId: transaction?.transactionId ?? (purpose === 'tx' ? station.evse(connectorId)?.session?.transactionId : undefined),
    kind: profile.chargingProfileKind,
    recurrency: profile.recurrencyKind,
    startSchedule: time(schedule.startSchedule),
    validFrom: time(profile.validFrom),
    validTo: time(profile.validTo),
    durationS: schedule.duration,
    rateUnit: schedule.chargingRateUnit,
    periods: schedule.chargingSchedulePeriod,
  };
}

/** Stores the profile if acceptable: a TxProfile needs a transaction on its EVSE. */
export function applyProfile(station: SimulatedStation, profile: StoredProfile | undefined): 'Accepted' | 'Rejected' {
  if (!profile) return 'Rejected';
  if (profile.evseId !== 0 && !station.evse(profile.evseId)) return 'Rejected';
  if (profile.purpose === 'tx') {
    const session = station.evse(profile.evseId)?.session;
    if (!session || (profile.transactionId !== undefined && profile.transactionId !== session.transactionId)) return 'Rejected';
    profile.transactionId = session.transactionId;
  }
  station.limits.set(profile);
  station.sessions.limitsChanged();
  return 'Accepted';
}

export function registerCharging(registry: HandlerRegistry, directory: Directory): void {
  const setV2 = (request: V2Req<'SetChargingProfile'>, context: CallContext): { status: 'Accepted' | 'Rejected' } => {
    const station = stationOf(directory, context);
    return { status: applyProfile(station, fromV2Profile(request.chargingProfile, request.evseId)) };
  };
  const clearV2 = (request: V2Req<'ClearChargingProfile'>, context: CallContext): { status: 'Accepted' | 'Unknown' } => {
    const station = stationOf(directory, context);
    const criteria = request.chargingProfileCriteria;
    const purpose = criteria?.chargingProfilePurpose === undefined ? undefined : PURPOSES[criteria.chargingProfilePurpose];
    const removed = station.limits.clear({ id: request.chargingProfileId, evseId: criteria?.evseId, purpose, stackLevel: criteria?.stackLevel });
    if (removed > 0) station.sessions.limitsChanged();
    return { status: removed > 0 ? 'Accepted' : 'Unknown' };
  };
  registry.on('ocpp2.0.1', 'SetChargingProfile', setV2).on('ocpp2.1', 'SetChargingProfile', setV2);
  registry.on('ocpp2.0.1', 'ClearChargingProfile', clearV2).on('ocpp2.1', 'ClearChargingProfile', clearV2);

  registry.on('ocpp1.6', 'SetChargingProfile', (request, context) => {
    const station = stationOf(directory, context);
    return { status: applyProfile(station, fromV16Profile(request.csChargingProfiles, request.connectorId, station)) };
  });
  registry.on('ocpp1.6', 'ClearChargingProfile', (request, context): V16Res<'ClearChargingProfile'> => {
    const station = stationOf(directory, context);
    const purpose = request.chargingProfilePurpose === undefined ? undefined : PURPOSES[request.chargingProfilePurpose];
    const removed = station.limits.clear({ id: request.id, evseId: request.connectorId, purpose, stackLevel: request.stackLevel });
    if (removed > 0) station.sessions.limitsChanged();
    return { status: removed > 0 ? 'Accepted' : 'Unknown' };
  });
}
