/**
 * A charging profile in either version's shape, made into the shape of the station's version, so an operator can
 * send one profile to a mixed fleet. The two differ in names (chargingProfileId / id, ChargePointMaxProfile /
 * ChargingStationMaxProfile), types (1.6 transactionId is an integer, 2.x a string) and nesting (1.6 has one
 * chargingSchedule object, 2.x a list of schedules with ids). A field the target version has no place for is
 * refused, never dropped: the station would otherwise run a profile other than the one the operator sent.
 */
import type { JsonObject } from '../../domain/model.ts';
import { isJsonObject } from '../../shared/json.ts';
import { invalid } from './values.ts';

const PROFILE_16 = ['chargingProfileId', 'transactionId', 'stackLevel', 'chargingProfilePurpose', 'chargingProfileKind', 'recurrencyKind', 'validFrom', 'validTo', 'chargingSchedule'];
const SCHEDULE_16 = ['duration', 'startSchedule', 'chargingRateUnit', 'chargingSchedulePeriod', 'minChargingRate'];
const PERIOD_16 = ['startPeriod', 'limit', 'numberPhases'];
/** The purposes both versions have, by their 1.6 and 2.x names. */
const PURPOSES: ReadonlyArray<[string, string]> = [
  ['ChargePointMaxProfile', 'ChargingStationMaxProfile'],
  ['TxDefaultProfile', 'TxDefaultProfile'],
  ['TxProfile', 'TxProfile'],
];
const KINDS = ['Absolute', 'Recurring', 'Relative'];

/** Only the listed fields, or invalid naming the first other one. */
function onlyFields(value: JsonObject, allowed: readonly string[], what: string, target: string): JsonObject {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw invalid(`${what}.${extra} has no equivalent in ${target}`);
  return value;
}

/** The profile in the shape of 1.6 (`legacy`) or 2.x; a profile already in that shape is returned as it is. */
export function profileForVersion(profile: JsonObject, legacy: boolean): JsonObject {
  if (legacy && 'id' in profile && !('chargingProfileId' in profile)) return toLegacy(profile);
  if (!legacy && 'chargingProfileId' in profile && !('id' in profile)) return toCurrent(profile);
  return profile;
}

function toLegacy(profile: JsonObject): JsonObject {
  const { id, chargingSchedule, transactionId, chargingProfilePurpose, chargingProfileKind, ...rest } = profile;
  const purpose = PURPOSES.find(([, current]) => current === chargingProfilePurpose)?.[0];
  if (purpose === undefined) throw invalid(`chargingProfilePurpose ${String(chargingProfilePurpose)} has no equivalent in ocpp1.6`);
  if (!KINDS.includes(String(chargingProfileKind))) throw invalid(`chargingProfileKind ${String(chargingProfileKind)} has no equivalent in ocpp1.6`);
  if (!Array.isArray(chargingSchedule) || chargingSchedule.length !== 1 || !isJsonObject(chargingSchedule[0])) {
    throw invalid('ocpp1.6 takes exactly one chargingSchedule');
  }
  const { id: _scheduleId, chargingSchedulePeriod, ...schedule } = chargingSchedule[0];
  if (!Array.isArray(chargingSchedulePeriod)) throw invalid('chargingSchedule needs chargingSchedulePeriod');
  const periods = chargingSchedulePeriod.map((period) => onlyFields(isJsonObject(period) ? period : {}, PERIOD_16, 'chargingSchedulePeriod', 'ocpp1.6'));
  let legacyTransactionId: number | undefined;
  if (transactionId !== undefined) {
    // 1.6 transaction ids are the integers Joule assigned (stored as text).
    if (typeof transactionId !== 'string' || !/^\d{1,10}$/.test(transactionId) || Number(transactionId) > 2 ** 31 - 1) {
      throw invalid(`transactionId ${String(transactionId)} is not an ocpp1.6 transaction id`);
    }
    legacyTransactionId = Number(transactionId);
  }
  return onlyFields(
    {
      chargingProfileId: id ?? null,
      ...(legacyTransactionId === undefined ? {} : { transactionId: legacyTransactionId }),
      chargingProfilePurpose: purpose,
      chargingProfileKind: chargingProfileKind ?? null,
      ...rest,
      chargingSchedule: { ...onlyFields(schedule, SCHEDULE_16, 'chargingSchedule', 'ocpp1.6'), chargingSchedulePeriod: periods },
    },
    PROFILE_16,
    'profile',
    'ocpp1.6',
  );
}

function toCurrent(profile: JsonObject): JsonObject {
  const { chargingProfileId, chargingSchedule, transactionId, chargingProfilePurpose, ...rest } = profile;
  const purpose = PURPOSES.find(([legacy]) => legacy === chargingProfilePurpose)?.[1] ?? chargingProfilePurpose;
  if (!isJsonObject(chargingSchedule)) throw invalid('an ocpp1.6 profile has one chargingSchedule object');
  return {
    id: chargingProfileId ?? null,
    ...(transactionId === undefined ? {} : { transactionId: String(transactionId) }),
    ...(purpose === undefined ? {} : { chargingProfilePurpose: purpose }),
    ...rest,
    // 2.x schedules have an id of their own (unique per station); the profile's id serves.
    chargingSchedule: [{ id: chargingProfileId ?? null, ...chargingSchedule }],
  };
}
