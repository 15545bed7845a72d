/**
 * Tariffs, version-neutral (the OCPI 2.2.1 Tariff object in camelCase; the OCPI adapter writes the 2.2.1 and 2.1.1
 * JSON from it). Prices are excl. VAT per unit: ENERGY per kWh, TIME and PARKING_TIME per hour, FLAT per session.
 */
import type { JsonObject } from '../model.ts';

export const TARIFF_DIMENSIONS = ['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'] as const;
export type TariffDimension = (typeof TARIFF_DIMENSIONS)[number];

export const TARIFF_TYPES = ['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR'] as const;
export type TariffType = (typeof TARIFF_TYPES)[number];

export const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export type ReservationRestriction = 'RESERVATION' | 'RESERVATION_EXPIRES';

export interface PriceComponent {
  type: TariffDimension;
  /** Per unit, excl. VAT. */
  price: number;
  /** VAT percentage; undefined = no VAT applies (different from 0). */
  vat?: number;
  /** Billing block: Wh for ENERGY, seconds for TIME and PARKING_TIME, ignored for FLAT. */
  stepSize: number;
}

/** All set fields must hold (logical AND). Times and dates are local to the location's time zone. */
export interface TariffRestrictions {
  /** "HH:MM", inclusive. */
  startTime?: string;
  /** "HH:MM", exclusive; before startTime = wraps past midnight. */
  endTime?: string;
  /** "YYYY-MM-DD", inclusive. */
  startDate?: string;
  /** "YYYY-MM-DD", exclusive. */
  endDate?: string;
  minKwh?: number;
  maxKwh?: number;
  minCurrent?: number;
  maxCurrent?: number;
  minPower?: number;
  maxPower?: number;
  /** Seconds since the session started, inclusive. */
  minDuration?: number;
  /** Seconds since the session started, exclusive. */
  maxDuration?: number;
  dayOfWeek?: DayOfWeek[];
  reservation?: ReservationRestriction;
}

export interface TariffElement {
  priceComponents: PriceComponent[];
  restrictions?: TariffRestrictions;
}

export interface Price {
  exclVat: number;
  /** Undefined when no component of the amount declares VAT. */
  inclVat?: number;
}

export interface DisplayText {
  language: string;
  text: string;
}

export interface Tariff {
  /** CiString(36), unique per CPO party. */
  id: string;
  countryCode: string;
  partyId: string;
  /** ISO 4217. */
  currency: string;
  type: TariffType | null;
  altText: DisplayText[];
  altUrl: string | null;
  minPrice: Price | null;
  maxPrice: Price | null;
  elements: TariffElement[];
  startDateTime: Date | null;
  endDateTime: Date | null;
  energyMix: JsonObject | null;
  createdAt: Date;
  lastUpdated: Date;
}

export type TariffInput = Omit<Tariff, 'createdAt' | 'lastUpdated'>;
