/**
 * Default identifiers of an EVSE when the operator gives none:
 * - uid (OCPI CiString(36), our key): "<stationId>-<evseId>" when that fits 36 characters; otherwise the operator
 *   must choose one.
 * - evse_id (eMI3, "<country>*<operator>*E<outlet>"): "<CC>*<PID>*E<station>*<evseId>" with the station id upper
 *   cased and stripped to A–Z/0–9 (eMI3 allows only those and "*"), when the outlet id "<station>*<evseId>" fits
 *   eMI3's 31 characters; otherwise none (OCPI makes evse_id optional).
 */

export const MAX_UID_LENGTH = 36;
/** eMI3: the power outlet id after "E" is 1–31 characters (letters, digits, "*"). */
export const MAX_OUTLET_ID_LENGTH = 31;

/** eMI3 EVSE ID syntax (country, operator id, "E", outlet id with letters, digits and "*"). */
export const EVSE_CODE_PATTERN = /^[A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9][A-Z0-9*]{0,30}$/;

export function defaultEvseUid(stationId: string, evseId: number): string | undefined {
  const uid = `${stationId}-${evseId}`;
  return uid.length <= MAX_UID_LENGTH ? uid : undefined;
}

export function defaultEvseCode(countryCode: string, partyId: string, stationId: string, evseId: number): string | undefined {
  const outlet = stationId.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (outlet === '') return undefined;
  const outletId = `${outlet}*${evseId}`;
  return outletId.length <= MAX_OUTLET_ID_LENGTH ? `${countryCode.toUpperCase()}*${partyId.toUpperCase()}*E${outletId}` : undefined;
}
