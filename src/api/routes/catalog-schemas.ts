/**
 * JSON schemas shared by /locations and /tariffs: OCPI-derived value rules (so what reaches the database can be
 * published to partners unchanged) and the response shapes.
 */
import { CONNECTOR_FORMATS, EVSE_STATUSES, PARKING_TYPES, POWER_TYPES } from '../../domain/locations/model.ts';
import { DAYS_OF_WEEK, TARIFF_DIMENSIONS, TARIFF_TYPES } from '../../domain/tariffs/model.ts';

/** OCPI CiString(n): printable ASCII. Ids additionally exclude '/', '?', '#' and spaces (they go into URLs). */
export const catalogIdSchema = { type: 'string', minLength: 1, maxLength: 36, pattern: '^[\\u0021-\\u007e]+$', not: { pattern: '[/?#%]' } } as const;
export const countryCodeSchema = { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 of the CPO party' } as const;
export const partyIdSchema = { type: 'string', pattern: '^[A-Za-z0-9]{3}$', description: 'OCPI party id of the CPO' } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const ntext = (max: number) => ({ type: ['string', 'null'], minLength: 1, maxLength: max }) as const;
const jsonObject = { type: 'object', additionalProperties: true } as const;
const displayText = {
  type: 'object',
  additionalProperties: false,
  required: ['language', 'text'],
  properties: { language: { type: 'string', pattern: '^[a-z]{2}$' }, text: text(512) },
} as const;
const latitude = { type: 'string', pattern: '^-?([0-8]?[0-9]|90)\\.[0-9]{1,7}$', description: 'Decimal degrees, e.g. "52.089444"' } as const;
const longitude = { type: 'string', pattern: '^-?([0-9]{1,2}|1[0-7][0-9]|180)\\.[0-9]{1,7}$', description: 'Decimal degrees, e.g. "5.110278"' } as const;

export const locationDetailsProperties = {
  publish: { type: 'boolean', default: true },
  publishAllowedTo: { type: 'array', items: jsonObject, maxItems: 100, default: [] },
  name: { ...ntext(255), default: null },
  address: text(45),
  city: text(45),
  postalCode: { ...ntext(10), default: null },
  state: { ...ntext(20), default: null },
  country: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 3166-1 alpha-3' },
  latitude,
  longitude,
  timeZone: { ...text(255), description: 'IANA time zone, e.g. Europe/Amsterdam' },
  parkingType: { type: ['string', 'null'], enum: [...PARKING_TYPES, null], default: null },
  relatedLocations: { type: 'array', items: jsonObject, maxItems: 50, default: [] },
  directions: { type: 'array', items: displayText, maxItems: 20, default: [] },
  operator: { type: ['object', 'null'], additionalProperties: true, default: null },
  suboperator: { type: ['object', 'null'], additionalProperties: true, default: null },
  owner: { type: ['object', 'null'], additionalProperties: true, default: null },
  facilities: { type: 'array', items: { type: 'string', pattern: '^[A-Z_]{2,40}$' }, uniqueItems: true, maxItems: 40, default: [] },
  openingTimes: { type: ['object', 'null'], additionalProperties: true, default: null, description: 'OCPI Hours object' },
  chargingWhenClosed: { type: ['boolean', 'null'], default: null },
  images: { type: 'array', items: jsonObject, maxItems: 20, default: [] },
  energyMix: { type: ['object', 'null'], additionalProperties: true, default: null },
} as const;

export const locationDetailsRequired = ['address', 'city', 'country', 'latitude', 'longitude', 'timeZone'] as const;

export const connectorSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['standard', 'format', 'powerType', 'maxVoltage', 'maxAmperage'],
  properties: {
    standard: { type: 'string', pattern: '^[A-Z0-9_]{2,40}$', description: 'OCPI ConnectorType, e.g. IEC_62196_T2, IEC_62196_T2_COMBO, CHADEMO' },
    format: { type: 'string', enum: [...CONNECTOR_FORMATS] },
    powerType: { type: 'string', enum: [...POWER_TYPES] },
    maxVoltage: { type: 'integer', minimum: 1, maximum: 2000 },
    maxAmperage: { type: 'integer', minimum: 1, maximum: 2000 },
    maxElectricPower: { type: ['integer', 'null'], minimum: 1, maximum: 2_000_000, default: null, description: 'W' },
    tariffIds: { type: 'array', items: catalogIdSchema, uniqueItems: true, maxItems: 20, default: [] },
    termsAndConditions: { type: ['string', 'null'], format: 'uri', maxLength: 255, default: null },
  },
} as const;

export const connectorWithIdSchema = {
  ...connectorSpecSchema,
  required: ['connectorId', ...connectorSpecSchema.required],
  properties: { connectorId: { type: 'integer', minimum: 1, maximum: 1000 }, ...connectorSpecSchema.properties },
} as const;

export const evseDetailsProperties = {
  evseCode: { type: ['string', 'null'], pattern: '^[A-Z]{2}\\*?[A-Z0-9]{3}\\*?E[A-Z0-9][A-Z0-9*]{0,30}$', maxLength: 48, description: 'eMI3 EVSE id; default <CC>*<PID>*E<station>*<evseId>' },
  capabilities: { type: 'array', items: { type: 'string', pattern: '^[A-Z_]{2,40}$' }, uniqueItems: true, maxItems: 20 },
  floorLevel: ntext(4),
  latitude: { ...latitude, type: ['string', 'null'] },
  longitude: { ...longitude, type: ['string', 'null'] },
  physicalReference: ntext(16),
  directions: { type: 'array', items: displayText, maxItems: 20 },
  parkingRestrictions: { type: 'array', items: { type: 'string', pattern: '^[A-Z_]{2,40}$' }, uniqueItems: true, maxItems: 10 },
  images: { type: 'array', items: jsonObject, maxItems: 20 },
  statusOverride: { type: ['string', 'null'], enum: ['BLOCKED', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', null], description: 'Wins over the live status; null = live' },
} as const;

// ---------------------------------------------------------------- tariffs

const hhmm = { type: 'string', pattern: '^([0-1][0-9]|2[0-3]):[0-5][0-9]$' } as const;
const ymd = { type: 'string', pattern: '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' } as const;
const nonNegative = { type: 'number', minimum: 0, maximum: 1_000_000 } as const;

export const priceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['exclVat'],
  properties: { exclVat: nonNegative, inclVat: nonNegative },
} as const;

export const tariffElementSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['priceComponents'],
  properties: {
    priceComponents: {
      type: 'array',
      minItems: 1,
      maxItems: 4,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'price', 'stepSize'],
        properties: {
          type: { type: 'string', enum: [...TARIFF_DIMENSIONS] },
          price: { ...nonNegative, description: 'Excl. VAT, per kWh (ENERGY), per hour (TIME, PARKING_TIME) or per session (FLAT)' },
          vat: { type: 'number', minimum: 0, maximum: 100, description: 'Percentage; absent = no VAT applies' },
          stepSize: { type: 'integer', minimum: 0, maximum: 86_400_000, description: 'Wh (ENERGY) or seconds (TIME, PARKING_TIME)' },
        },
      },
    },
    restrictions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        startTime: hhmm,
        endTime: hhmm,
        startDate: ymd,
        endDate: ymd,
        minKwh: nonNegative,
        maxKwh: nonNegative,
        minCurrent: nonNegative,
        maxCurrent: nonNegative,
        minPower: nonNegative,
        maxPower: nonNegative,
        minDuration: { type: 'integer', minimum: 0, maximum: 31_536_000 },
        maxDuration: { type: 'integer', minimum: 0, maximum: 31_536_000 },
        dayOfWeek: { type: 'array', items: { type: 'string', enum: [...DAYS_OF_WEEK] }, uniqueItems: true, minItems: 1, maxItems: 7 },
        reservation: { type: 'string', enum: ['RESERVATION', 'RESERVATION_EXPIRES'] },
      },
    },
  },
} as const;

export const tariffBodyProperties = {
  countryCode: countryCodeSchema,
  partyId: partyIdSchema,
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' },
  type: { type: ['string', 'null'], enum: [...TARIFF_TYPES, null], default: null },
  altText: { type: 'array', items: displayText, maxItems: 20, default: [] },
  altUrl: { type: ['string', 'null'], format: 'uri', maxLength: 255, default: null },
  minPrice: { anyOf: [priceSchema, { type: 'null' }], default: null },
  maxPrice: { anyOf: [priceSchema, { type: 'null' }], default: null },
  elements: { type: 'array', minItems: 1, maxItems: 100, items: tariffElementSchema },
  startDateTime: { type: ['string', 'null'], format: 'date-time', default: null },
  endDateTime: { type: ['string', 'null'], format: 'date-time', default: null },
  energyMix: { type: ['object', 'null'], additionalProperties: true, default: null },
} as const;

// ---------------------------------------------------------------- responses

const anyObject = { type: 'object', additionalProperties: true } as const;
const nstr = { type: ['string', 'null'] } as const;
const date = { type: 'string', format: 'date-time' } as const;

export const connectorResponse = {
  type: 'object',
  properties: {
    connectorId: { type: 'integer' },
    standard: { type: 'string' },
    format: { type: 'string' },
    powerType: { type: 'string' },
    maxVoltage: { type: 'integer' },
    maxAmperage: { type: 'integer' },
    maxElectricPower: { type: ['integer', 'null'] },
    tariffIds: { type: 'array', items: { type: 'string' } },
    termsAndConditions: nstr,
    lastUpdated: date,
  },
} as const;

export const evseResponse = {
  type: 'object',
  properties: {
    uid: { type: 'string' },
    locationId: { type: 'string' },
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    evseCode: nstr,
    status: { type: 'string', enum: [...EVSE_STATUSES], description: 'OCPI status, derived from OCPP (docs/api.md)' },
    statusOverride: nstr,
    removed: { type: 'boolean' },
    capabilities: { type: 'array', items: { type: 'string' } },
    floorLevel: nstr,
    latitude: nstr,
    longitude: nstr,
    physicalReference: nstr,
    directions: { type: 'array', items: anyObject },
    parkingRestrictions: { type: 'array', items: { type: 'string' } },
    images: { type: 'array', items: anyObject },
    connectors: { type: 'array', items: connectorResponse },
    createdAt: date,
    lastUpdated: date,
  },
} as const;

export const locationResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    publish: { type: 'boolean' },
    publishAllowedTo: { type: 'array', items: anyObject },
    name: nstr,
    address: { type: 'string' },
    city: { type: 'string' },
    postalCode: nstr,
    state: nstr,
    country: { type: 'string' },
    latitude: { type: 'string' },
    longitude: { type: 'string' },
    timeZone: { type: 'string' },
    parkingType: nstr,
    relatedLocations: { type: 'array', items: anyObject },
    directions: { type: 'array', items: anyObject },
    operator: { type: ['object', 'null'], additionalProperties: true },
    suboperator: { type: ['object', 'null'], additionalProperties: true },
    owner: { type: ['object', 'null'], additionalProperties: true },
    facilities: { type: 'array', items: { type: 'string' } },
    openingTimes: { type: ['object', 'null'], additionalProperties: true },
    chargingWhenClosed: { type: ['boolean', 'null'] },
    images: { type: 'array', items: anyObject },
    energyMix: { type: ['object', 'null'], additionalProperties: true },
    createdAt: date,
    lastUpdated: date,
  },
} as const;

export const locationDetailResponse = {
  type: 'object',
  properties: { ...locationResponse.properties, evses: { type: 'array', items: evseResponse } },
} as const;

const amount = { type: 'object', properties: { exclVat: { type: 'number' }, inclVat: { type: 'number' } } } as const;

export const tariffResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    currency: { type: 'string' },
    type: nstr,
    altText: { type: 'array', items: anyObject },
    altUrl: nstr,
    minPrice: { type: ['object', 'null'], properties: amount.properties },
    maxPrice: { type: ['object', 'null'], properties: amount.properties },
    elements: { type: 'array', items: anyObject },
    startDateTime: { type: ['string', 'null'], format: 'date-time' },
    endDateTime: { type: ['string', 'null'], format: 'date-time' },
    energyMix: { type: ['object', 'null'], additionalProperties: true },
    createdAt: date,
    lastUpdated: date,
  },
} as const;

export const costResponse = {
  type: 'object',
  properties: {
    currency: { type: 'string' },
    energy: amount,
    time: amount,
    parkingTime: amount,
    flat: amount,
    total: amount,
    minPriceApplied: { type: 'boolean' },
    maxPriceApplied: { type: 'boolean' },
    totalEnergyKwh: { type: 'number' },
    chargingHours: { type: 'number' },
    parkingHours: { type: 'number' },
    billedEnergyKwh: { type: 'number' },
    billedChargingHours: { type: 'number' },
    billedParkingHours: { type: 'number' },
    periods: { type: 'array', items: anyObject },
  },
} as const;
