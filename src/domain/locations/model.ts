/**
 * Locations, version-neutral: the sites a CPO publishes over OCPI, their EVSEs (each one EVSE of a CSMS station,
 * assigned by the operator) and connectors (the static data OCPP does not report: standard, format, power type,
 * limits, tariffs). The OCPI adapter writes 2.2.1 and 2.1.1 JSON from these; live status comes from OCPP.
 */
import type { Availability, ConnectorStatus, JsonObject } from '../model.ts';
import type { DisplayText } from '../tariffs/model.ts';

export const PARKING_TYPES = ['ALONG_MOTORWAY', 'PARKING_GARAGE', 'PARKING_LOT', 'ON_DRIVEWAY', 'ON_STREET', 'UNDERGROUND_GARAGE'] as const;
export type ParkingType = (typeof PARKING_TYPES)[number];

export const CONNECTOR_FORMATS = ['SOCKET', 'CABLE'] as const;
export type ConnectorFormat = (typeof CONNECTOR_FORMATS)[number];

export const POWER_TYPES = ['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC'] as const;
export type PowerType = (typeof POWER_TYPES)[number];

/** OCPI 2.2.1 EVSE status values. */
export const EVSE_STATUSES = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'] as const;
export type EvseStatus = (typeof EVSE_STATUSES)[number];

/** What the operator describes about a site (everything of the OCPI Location but keys, EVSEs and timestamps). */
export interface LocationDetails {
  publish: boolean;
  /** OCPI PublishTokenType objects, only meaningful when publish = false. */
  publishAllowedTo: JsonObject[];
  name: string | null;
  address: string;
  city: string;
  postalCode: string | null;
  state: string | null;
  /** ISO 3166-1 alpha-3. */
  country: string;
  /** Decimal degrees as OCPI writes them (strings, up to 6/7 decimals). */
  latitude: string;
  longitude: string;
  /** IANA zone, e.g. Europe/Amsterdam (tariff restrictions are local to it). */
  timeZone: string;
  parkingType: ParkingType | null;
  relatedLocations: JsonObject[];
  directions: DisplayText[];
  /** OCPI BusinessDetails. */
  operator: JsonObject | null;
  suboperator: JsonObject | null;
  owner: JsonObject | null;
  facilities: string[];
  /** OCPI Hours. */
  openingTimes: JsonObject | null;
  chargingWhenClosed: boolean | null;
  images: JsonObject[];
  energyMix: JsonObject | null;
}

export interface Location extends LocationDetails {
  /** CiString(36). */
  id: string;
  countryCode: string;
  partyId: string;
  createdAt: Date;
  /** Bumped by any change of the location, its EVSEs or connectors (including EVSE status). */
  lastUpdated: Date;
}

export interface EvseDetails {
  /** eMI3 EVSE id (e.g. NL*JOU*E12345*1), null when not set. */
  evseCode: string | null;
  capabilities: string[];
  floorLevel: string | null;
  latitude: string | null;
  longitude: string | null;
  physicalReference: string | null;
  directions: DisplayText[];
  parkingRestrictions: string[];
  images: JsonObject[];
  /** Operator-set status that wins over the live one (PLANNED, BLOCKED, INOPERATIVE), null = live. */
  statusOverride: EvseStatus | null;
}

export interface LocationEvse extends EvseDetails {
  /** CiString(36), unique in the CSMS, stable for the EVSE's life. */
  uid: string;
  locationId: string;
  stationId: string;
  /** The station's EVSE id (OCPP 2.x evseId; for 1.6 the connectorId, one EVSE per connector). */
  evseId: number;
  /** Removed EVSEs stay listed with status REMOVED (OCPI never deletes). */
  removed: boolean;
  createdAt: Date;
  lastUpdated: Date;
}

export interface ConnectorSpec {
  connectorId: number;
  /** OCPI ConnectorType, e.g. IEC_62196_T2, IEC_62196_T2_COMBO, CHADEMO. */
  standard: string;
  format: ConnectorFormat;
  powerType: PowerType;
  maxVoltage: number;
  maxAmperage: number;
  /** W; null = computed by nobody (OCPI optional). */
  maxElectricPower: number | null;
  tariffIds: string[];
  termsAndConditions: string | null;
}

export interface LocationConnector extends ConnectorSpec {
  stationId: string;
  evseId: number;
  lastUpdated: Date;
}

/** What the status mapping needs from OCPP (read live from the station, EVSE and connector tables). */
export interface EvseLiveState {
  stationConnected: boolean;
  availability: Availability | null;
  connectorStatuses: ConnectorStatus[];
}

/** An EVSE with its connectors and live state, as the OCPI module and the API present it. */
export interface EvseView {
  evse: LocationEvse;
  connectors: LocationConnector[];
  live: EvseLiveState;
}

export interface LocationView {
  location: Location;
  evses: EvseView[];
}
