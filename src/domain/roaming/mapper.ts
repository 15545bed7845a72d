/**
 * Transaction → OCPI Session and CDR, pure. Energy comes from the billing register readings the CSMS stored for
 * the transaction (Energy.Active.Import.Register, total, at the outlet; see services/energy.ts), converted to Wh
 * exactly. Charging periods: the time between consecutive readings is charging when the register rose and parking
 * when it did not; consecutive intervals of the same kind form one period, carrying ENERGY (kWh) and TIME (h), or
 * PARKING_TIME (h). Quantities are rounded to the 4 decimals OCPI numbers carry.
 */
import type { MeterSample, Transaction } from '../model.ts';
import { ENERGY_REGISTER, scaleDecimal, toWh } from '../services/energy.ts';
import type { ChargingInterval } from '../tariffs/cost.ts';
import type { AuthMethod, CdrLocation, CdrObject, CdrToken, ChargingPeriod, Party, Price, SessionObject, SessionStatus } from './model.ts';
import type { SiteRef } from './ports.ts';

const HOUR_MS = 3_600_000;

/** OCPI numbers have 4 decimals. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Wh → kWh without binary drift (1005 Wh is exactly 1.005 kWh). */
export function kwhOf(wh: number): number {
  return round4(scaleDecimal(wh, -3) ?? wh / 1000);
}

function hoursBetween(from: Date, to: Date): number {
  return round4(Math.max(0, to.getTime() - from.getTime()) / HOUR_MS);
}

/** RFC 3339 UTC with 'Z', no fractional seconds. */
export function ocpiTime(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface Reading {
  at: Date;
  wh: number;
}

/** The transaction's register readings in time order, bounded by its start and stop values. */
export function registerReadings(transaction: Transaction, samples: readonly MeterSample[]): Reading[] {
  const readings: Reading[] = [];
  if (transaction.meterStartWh !== null && transaction.meterStartAt !== null) readings.push({ at: transaction.meterStartAt, wh: transaction.meterStartWh });
  for (const sample of samples) {
    if (sample.measurand !== ENERGY_REGISTER || sample.phase !== null || (sample.location ?? 'Outlet') !== 'Outlet') continue;
    const wh = toWh(sample.value, sample.unit, 0);
    if (wh !== undefined) readings.push({ at: sample.timestamp, wh });
  }
  if (transaction.meterStopWh !== null && transaction.meterStopAt !== null) readings.push({ at: transaction.meterStopAt, wh: transaction.meterStopWh });
  readings.sort((a, b) => a.at.getTime() - b.at.getTime());
  return readings.filter((r, i) => i === 0 || r.at.getTime() !== (readings[i - 1] as Reading).at.getTime());
}

/**
 * The session from `start` to `end` as stretches of charging (the register rose) and parking (it did not), each
 * with its energy in Wh: the input of the tariff cost function and of the charging periods.
 */
export function intervalsOf(start: Date, end: Date, readings: readonly Reading[]): ChargingInterval[] {
  const raw: ChargingInterval[] = [];
  let previous: Reading = { at: start, wh: readings[0]?.wh ?? 0 };
  for (const reading of readings) {
    if (reading.at.getTime() <= previous.at.getTime()) {
      previous = { at: previous.at, wh: reading.wh };
      continue;
    }
    const wh = Math.max(0, reading.wh - previous.wh);
    raw.push({ start: previous.at, end: reading.at, energyWh: wh, charging: wh > 0 });
    previous = reading;
  }
  if (end.getTime() > previous.at.getTime()) raw.push({ start: previous.at, end, energyWh: 0, charging: false });
  // No energy at all (yet): the whole time counts as charging time, not parking.
  if (raw.every((i) => !i.charging)) return [{ start, end: end.getTime() > start.getTime() ? end : start, energyWh: 0, charging: true }];
  const merged: ChargingInterval[] = [];
  for (const interval of raw) {
    const last = merged.at(-1);
    if (last && last.charging === interval.charging) merged[merged.length - 1] = { ...last, end: interval.end, energyWh: last.energyWh + interval.energyWh };
    else merged.push({ ...interval });
  }
  return merged;
}

/** OCPI charging periods of the intervals: ENERGY (kWh) and TIME (h) while charging, PARKING_TIME (h) otherwise. */
export function chargingPeriods(intervals: readonly ChargingInterval[]): ChargingPeriod[] {
  return intervals.map((i) => ({
    start_date_time: ocpiTime(i.start),
    dimensions: i.charging
      ? [
          { type: 'ENERGY', volume: kwhOf(i.energyWh) },
          { type: 'TIME', volume: hoursBetween(i.start, i.end) },
        ]
      : [{ type: 'PARKING_TIME', volume: hoursBetween(i.start, i.end) }],
  }));
}

/** The sum of a dimension over the periods. */
export function totalOf(periods: readonly ChargingPeriod[], type: 'ENERGY' | 'TIME' | 'PARKING_TIME'): number {
  return round4(periods.reduce((sum, p) => sum + p.dimensions.filter((d) => d.type === type).reduce((s, d) => s + d.volume, 0), 0));
}

/** What identifies a session towards its eMSP, fixed when the session is created. */
export interface SessionIdentity {
  id: string;
  cpo: Party;
  cdrToken: CdrToken;
  authMethod: AuthMethod;
  authorizationReference?: string;
  currency: string;
}

/** A transaction's time span and intervals (an active one ends now). */
export interface Charge {
  start: Date;
  end: Date;
  intervals: ChargingInterval[];
}

export function chargeOf(transaction: Transaction, samples: readonly MeterSample[], now: Date): Charge {
  const start = transaction.startedAt ?? transaction.meterStartAt ?? transaction.createdAt;
  const end = transaction.state === 'completed' ? (transaction.stoppedAt ?? transaction.meterStopAt ?? now) : now;
  return { start, end, intervals: intervalsOf(start, end, registerReadings(transaction, samples)) };
}

export function transactionStatus(transaction: Transaction): SessionStatus {
  return transaction.state === 'completed' ? 'COMPLETED' : 'ACTIVE';
}

/** The Session of a transaction at `now` (`end` of an active one = now). */
export function sessionOf(identity: SessionIdentity, site: SiteRef, transaction: Transaction, charge: Charge, now: Date, cost: Price | undefined): SessionObject {
  const { start, end } = charge;
  return {
    country_code: identity.cpo.countryCode,
    party_id: identity.cpo.partyId,
    id: identity.id,
    start_date_time: ocpiTime(start),
    ...(transaction.state === 'completed' ? { end_date_time: ocpiTime(end) } : {}),
    kwh: kwhOf(Math.max(0, transaction.energyWh ?? 0)),
    cdr_token: identity.cdrToken,
    auth_method: identity.authMethod,
    ...(identity.authorizationReference ? { authorization_reference: identity.authorizationReference } : {}),
    location_id: site.locationId,
    evse_uid: site.evseUid,
    connector_id: site.connectorId,
    currency: identity.currency,
    charging_periods: chargingPeriods(charge.intervals),
    ...(cost ? { total_cost: cost } : {}),
    status: transactionStatus(transaction),
    last_updated: ocpiTime(now),
  };
}

/** A session that exists before its transaction (a START_SESSION the station accepted). */
export function pendingSessionOf(identity: SessionIdentity, site: SiteRef, now: Date): SessionObject {
  return {
    country_code: identity.cpo.countryCode,
    party_id: identity.cpo.partyId,
    id: identity.id,
    start_date_time: ocpiTime(now),
    kwh: 0,
    cdr_token: identity.cdrToken,
    auth_method: identity.authMethod,
    ...(identity.authorizationReference ? { authorization_reference: identity.authorizationReference } : {}),
    location_id: site.locationId,
    evse_uid: site.evseUid,
    connector_id: site.connectorId,
    currency: identity.currency,
    status: 'PENDING',
    last_updated: ocpiTime(now),
  };
}

/** The CDR of a finished session (built from the session's final state). */
export function cdrOf(id: string, session: SessionObject, location: CdrLocation, cost: CdrCost | undefined, now: Date): CdrObject {
  const periods = session.charging_periods && session.charging_periods.length > 0 ? session.charging_periods : [{ start_date_time: session.start_date_time, dimensions: [{ type: 'ENERGY' as const, volume: session.kwh }] }];
  const end = session.end_date_time ?? ocpiTime(now);
  const parking = totalOf(periods, 'PARKING_TIME');
  return {
    country_code: session.country_code,
    party_id: session.party_id,
    id,
    start_date_time: session.start_date_time,
    end_date_time: end,
    session_id: session.id,
    cdr_token: session.cdr_token,
    auth_method: session.auth_method,
    ...(session.authorization_reference ? { authorization_reference: session.authorization_reference } : {}),
    cdr_location: location,
    currency: session.currency,
    charging_periods: periods,
    // Without a tariff that prices the charge the total is 0 (OCPI requires total_cost).
    total_cost: cost?.total ?? { excl_vat: 0 },
    ...(cost?.energy ? { total_energy_cost: cost.energy } : {}),
    ...(cost?.time ? { total_time_cost: cost.time } : {}),
    ...(cost?.parking ? { total_parking_cost: cost.parking } : {}),
    total_energy: session.kwh,
    total_time: hoursBetween(new Date(session.start_date_time), new Date(end)),
    ...(parking > 0 ? { total_parking_time: parking } : {}),
    last_updated: ocpiTime(now),
  };
}

/** What a CDR says about money (from the tariff cost function). */
export interface CdrCost {
  total: Price;
  energy?: Price;
  time?: Price;
  parking?: Price;
}

/** mod_cdrs Credit CDRs: all data of the original, negative total_cost amounts, credit + credit_reference_id. */
export function creditOf(original: CdrObject, id: string, now: Date): CdrObject {
  const negate = (price: Price | undefined): Price | undefined =>
    price && { excl_vat: -price.excl_vat, ...(price.incl_vat === undefined ? {} : { incl_vat: -price.incl_vat }) };
  const credit: CdrObject = { ...original, id, total_cost: negate(original.total_cost) as Price, credit: true, credit_reference_id: original.id, last_updated: ocpiTime(now) };
  for (const key of ['total_energy_cost', 'total_time_cost', 'total_parking_cost'] as const) {
    if (original[key]) credit[key] = negate(original[key]);
  }
  return credit;
}
