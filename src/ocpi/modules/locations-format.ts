/**
 * Location, EVSE and Connector JSON for OCPI 2.2.1 and 2.1.1 (mod_locations). Optional fields without a value are
 * left out. 2.1.1 differences: no country_code/party_id/publish; `type` (LocationType, required) from parking_type;
 * postal_code required (empty string when unknown); connectors have voltage/amperage/tariff_id (the first tariff)
 * and only AC_1_PHASE/AC_3_PHASE/DC (2-phase AC is sent as AC_1_PHASE); capabilities and facilities are limited to
 * the 2.1.1 values.
 */
import type { JsonObject, JsonValue } from '../../domain/model.ts';
import type { EvseView, Location, LocationConnector, LocationView, ParkingType } from '../../domain/locations/model.ts';
import { ocpiEvseStatus } from '../../domain/locations/status.ts';
import type { OcpiVersion } from '../types.ts';

const CAPABILITIES_211 = new Set(['CHARGING_PROFILE_CAPABLE', 'CREDIT_CARD_PAYABLE', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'UNLOCK_CAPABLE']);
const FACILITIES_211 = new Set([
  'HOTEL',
  'RESTAURANT',
  'CAFE',
  'MALL',
  'SUPERMARKET',
  'SPORT',
  'RECREATION_AREA',
  'NATURE',
  'MUSEUM',
  'BUS_STOP',
  'TAXI_STAND',
  'TRAIN_STATION',
  'AIRPORT',
  'CARPOOL_PARKING',
  'FUEL_STATION',
  'WIFI',
]);
const LOCATION_TYPE_211: Record<ParkingType, string> = {
  ON_STREET: 'ON_STREET',
  PARKING_GARAGE: 'PARKING_GARAGE',
  UNDERGROUND_GARAGE: 'UNDERGROUND_GARAGE',
  PARKING_LOT: 'PARKING_LOT',
  ALONG_MOTORWAY: 'OTHER',
  ON_DRIVEWAY: 'OTHER',
};

/** Drops undefined, null and empty arrays (optional OCPI fields are omitted rather than sent empty). */
function compact(object: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out;
}

const iso = (date: Date): string => date.toISOString();
const displayTexts = (texts: readonly { language: string; text: string }[]): JsonValue[] => texts.map((t) => ({ language: t.language, text: t.text }));

export function connectorJson(connector: LocationConnector, version: OcpiVersion): JsonObject {
  if (version === '2.1.1') {
    return compact({
      id: String(connector.connectorId),
      standard: connector.standard,
      format: connector.format,
      power_type: connector.powerType === 'AC_2_PHASE' || connector.powerType === 'AC_2_PHASE_SPLIT' ? 'AC_1_PHASE' : connector.powerType,
      voltage: connector.maxVoltage,
      amperage: connector.maxAmperage,
      tariff_id: connector.tariffIds[0],
      terms_and_conditions: connector.termsAndConditions,
      last_updated: iso(connector.lastUpdated),
    });
  }
  return compact({
    id: String(connector.connectorId),
    standard: connector.standard,
    format: connector.format,
    power_type: connector.powerType,
    max_voltage: connector.maxVoltage,
    max_amperage: connector.maxAmperage,
    max_electric_power: connector.maxElectricPower,
    tariff_ids: connector.tariffIds,
    terms_and_conditions: connector.termsAndConditions,
    last_updated: iso(connector.lastUpdated),
  });
}

export function evseJson(view: EvseView, version: OcpiVersion): JsonObject {
  const { evse } = view;
  const capabilities = version === '2.1.1' ? evse.capabilities.filter((c) => CAPABILITIES_211.has(c)) : evse.capabilities;
  return compact({
    uid: evse.uid,
    evse_id: evse.evseCode,
    status: ocpiEvseStatus(evse, view.live),
    capabilities,
    connectors: view.connectors.map((c) => connectorJson(c, version)),
    floor_level: evse.floorLevel,
    coordinates: evse.latitude !== null && evse.longitude !== null ? { latitude: evse.latitude, longitude: evse.longitude } : null,
    physical_reference: evse.physicalReference,
    directions: displayTexts(evse.directions),
    parking_restrictions: evse.parkingRestrictions,
    images: evse.images,
    last_updated: iso(evse.lastUpdated),
  });
}

export function locationJson(view: LocationView, version: OcpiVersion): JsonObject {
  const l: Location = view.location;
  const evses = view.evses.map((e) => evseJson(e, version));
  const common = {
    id: l.id,
    name: l.name,
    address: l.address,
    city: l.city,
    country: l.country,
    coordinates: { latitude: l.latitude, longitude: l.longitude },
    related_locations: l.relatedLocations,
    evses,
    directions: displayTexts(l.directions),
    operator: l.operator,
    suboperator: l.suboperator,
    owner: l.owner,
    time_zone: l.timeZone,
    opening_times: l.openingTimes,
    charging_when_closed: l.chargingWhenClosed,
    images: l.images,
    energy_mix: l.energyMix,
    last_updated: iso(l.lastUpdated),
  };
  if (version === '2.1.1') {
    return compact({
      ...common,
      type: l.parkingType ? LOCATION_TYPE_211[l.parkingType] : 'UNKNOWN',
      postal_code: l.postalCode ?? '',
      facilities: l.facilities.filter((f) => FACILITIES_211.has(f)),
    });
  }
  return compact({
    country_code: l.countryCode,
    party_id: l.partyId,
    publish: l.publish,
    publish_allowed_to: l.publish ? undefined : l.publishAllowedTo,
    ...common,
    postal_code: l.postalCode,
    state: l.state,
    parking_type: l.parkingType,
    facilities: l.facilities,
  });
}
