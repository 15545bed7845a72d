/**
 * The charging profiles the Local Controller sends for local smart charging (Part 4 §6.1), spelled for the
 * station's version:
 * - 1.6 (§5.16, §3.13.2): SetChargingProfile { connectorId: 0, csChargingProfiles } with purpose
 *   ChargePointMaxProfile;
 * - 2.0.1 / 2.1 (K01): SetChargingProfile { evseId: 0, chargingProfile } with purpose ChargingStationMaxProfile.
 * Both limit the whole station (connector / EVSE 0). A station-wide maximum is what makes the site invariant hold
 * physically: a session that starts at a station shares that station's limit until the LC has recomputed, whereas
 * a TxDefaultProfile would hand every new session a full share at once.
 */
import type { RequestOf } from '../protocol/generated/index.ts';
import type { JsonObject, JsonValue, OcppVersion } from '../protocol/types.ts';
import { isJsonObject } from '../shared/json.ts';

export type RateUnit = 'W' | 'A';

export interface ProfileSettings {
  /** chargingProfileId / id of the LC's profile at every station. */
  profileId: number;
  stackLevel: number;
  unit: RateUnit;
}

/** Limits are handled in tenths (0.1 W or 0.1 A): integers add up exactly, and 1.6 allows one decimal. */
export function fromTenths(tenths: number): number {
  return tenths / 10;
}

export function toTenths(limit: number): number {
  return Math.floor(limit * 10 + 1e-9);
}

/** The SetChargingProfile request that sets a station-wide maximum of `tenths` / 10 `unit`. */
export function stationMaxProfile(version: OcppVersion, settings: ProfileSettings, tenths: number, now: Date): JsonObject {
  const limit = fromTenths(tenths);
  const startSchedule = now.toISOString();
  if (version === 'ocpp1.6') {
    const request: RequestOf<'ocpp1.6', 'SetChargingProfile'> = {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: settings.profileId,
        stackLevel: settings.stackLevel,
        chargingProfilePurpose: 'ChargePointMaxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { startSchedule, chargingRateUnit: settings.unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
      },
    };
    return request as unknown as JsonObject;
  }
  const request: RequestOf<'ocpp2.0.1', 'SetChargingProfile'> = {
    evseId: 0,
    chargingProfile: {
      id: settings.profileId,
      stackLevel: settings.stackLevel,
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: settings.profileId, startSchedule, chargingRateUnit: settings.unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] }],
    },
  };
  return request as unknown as JsonObject;
}

/** The first period's limit of a station-wide maximum profile the CSMS sends to the LC's own identity (§6.2). */
export function readStationMaxLimit(version: OcppVersion, request: JsonObject): { limit: number; unit: RateUnit } | undefined {
  const profile = version === 'ocpp1.6' ? request.csChargingProfiles : request.chargingProfile;
  if (!isJsonObject(profile)) return undefined;
  const purpose = profile.chargingProfilePurpose;
  if (purpose !== 'ChargePointMaxProfile' && purpose !== 'ChargingStationMaxProfile') return undefined;
  const schedules: JsonValue | undefined = profile.chargingSchedule;
  const schedule = Array.isArray(schedules) ? schedules[0] : schedules;
  if (!isJsonObject(schedule)) return undefined;
  const unit = schedule.chargingRateUnit;
  const periods = schedule.chargingSchedulePeriod;
  const first = Array.isArray(periods) ? periods[0] : undefined;
  const limit = isJsonObject(first) ? first.limit : undefined;
  if ((unit !== 'W' && unit !== 'A') || typeof limit !== 'number' || !(limit >= 0)) return undefined;
  return { limit, unit };
}
