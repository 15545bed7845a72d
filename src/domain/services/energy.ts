/**
 * Meter readings in version-neutral form, and the money-path arithmetic on them: which readings bound a
 * transaction's energy, and their conversion to Wh without binary rounding.
 *
 * Billing rule (2.0.1 J02.FR.17, E04.FR.07-08; 1.6 §3.6): a transaction's energy is its last minus its first
 * Energy.Active.Import.Register reading (the register is never "rebased" to 0 at start, so the reading itself is
 * a lifetime total; only the difference is the session). The storage layer keeps the earliest and latest reading
 * per transaction (TransactionRepository.applyEvent); this module decides which samples are such readings and
 * converts them to Wh.
 */
import type { EnergyReading } from '../ports.ts';
import type { JsonValue, NewMeterSample } from '../model.ts';

export const ENERGY_REGISTER = 'Energy.Active.Import.Register';

/** One sampled value as any OCPP version reports it (2.x SampledValue, 1.6 sampledValue). */
export interface SampledReading {
  timestamp: Date;
  /** 2.x sends a number, 1.6 a decimal string. */
  value: number | string;
  /** Absent = Energy.Active.Import.Register (J01.FR.07-10; 1.6 §7.31). */
  measurand?: string | null;
  phase?: string | null;
  /** Absent = Wh for energy measurands. */
  unit?: string | null;
  /** 2.x unitOfMeasure.multiplier: the value is value × 10^multiplier in `unit` (default 0). */
  multiplier?: number | null;
  context?: string | null;
  location?: string | null;
  /** 2.x signedMeterValue, kept verbatim for calibration-law export (E02.FR.14, J02.FR.21-22). */
  signed?: JsonValue | null;
}

/**
 * `value` × 10^`exponent`, computed by moving the decimal point in the digits, so that 1.005 kWh is exactly
 * 1005 Wh (1.005 * 1000 in binary floating point is 1004.9999999999999). Undefined when `value` is not a finite
 * decimal number.
 */
export function scaleDecimal(value: number | string, exponent: number): number | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || !Number.isInteger(exponent)) return undefined;
  const [, sign = '', whole = '', fraction = '', exp] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = whole + fraction;
  const point = whole.length + exponent + (exp === undefined ? 0 : Number(exp));
  let shifted: string;
  if (point <= 0) shifted = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) shifted = digits + '0'.repeat(point - digits.length);
  else shifted = `${digits.slice(0, point)}.${digits.slice(point)}`;
  const result = Number(`${sign === '-' ? '-' : ''}${shifted}`);
  return Number.isFinite(result) ? result : undefined;
}

/** Powers of ten from an energy unit to Wh; only units that are energy (case-insensitive). */
const ENERGY_UNITS: Record<string, number> = { wh: 0, kwh: 3, mwh: 6 };

/** The reading in Wh, or undefined when its unit is not an energy unit or its value no number. */
export function toWh(value: number | string, unit: string | null | undefined, multiplier: number | null | undefined): number | undefined {
  const exponent = ENERGY_UNITS[(unit ?? 'Wh').toLowerCase()];
  if (exponent === undefined) return undefined;
  return scaleDecimal(value, exponent + (multiplier ?? 0));
}

/**
 * True for a reading that bounds the transaction's energy: the total (no phase) active import register at the
 * outlet (the default location; Inlet and EV are other meters and never billed, J03.FR.04).
 */
export function isBillingRegister(reading: SampledReading): boolean {
  return (
    (reading.measurand ?? ENERGY_REGISTER) === ENERGY_REGISTER &&
    (reading.phase ?? null) === null &&
    (reading.location ?? 'Outlet') === 'Outlet'
  );
}

/** The billing register readings among `readings`, converted to Wh (unconvertible ones are left out). */
export function energyReadings(readings: readonly SampledReading[]): EnergyReading[] {
  const result: EnergyReading[] = [];
  for (const reading of readings) {
    if (!isBillingRegister(reading)) continue;
    const wh = toWh(reading.value, reading.unit, reading.multiplier);
    if (wh !== undefined) result.push({ timestamp: reading.timestamp, wh });
  }
  return result;
}

/**
 * Every reading as a stored sample. The multiplier is applied (exactly), so `value` is in `unit`; energy
 * measurands without a unit get the spec default 'Wh' so nobody has to know the default later.
 */
export function meterSamples(stationId: string, evseId: number | null, readings: readonly SampledReading[]): NewMeterSample[] {
  const samples: NewMeterSample[] = [];
  for (const reading of readings) {
    const value = scaleDecimal(reading.value, reading.multiplier ?? 0);
    if (value === undefined) continue;
    const measurand = reading.measurand ?? ENERGY_REGISTER;
    samples.push({
      stationId,
      evseId,
      timestamp: reading.timestamp,
      measurand,
      phase: reading.phase ?? null,
      unit: reading.unit ?? (measurand.startsWith('Energy.') ? 'Wh' : null),
      context: reading.context ?? null,
      location: reading.location ?? null,
      value,
      signed: reading.signed ?? null,
    });
  }
  return samples;
}
