/**
 * The cost of a charging session under a tariff (OCPI 2.2.1 mod_tariffs and mod_cdrs "step_size"). Pure: no I/O.
 *
 * Rules, as Joule applies them:
 * - The session is cut into segments wherever something a restriction looks at can change: the caller's
 *   intervals, every minute boundary when the tariff has time-of-day / day / date restrictions (UTC offsets are
 *   whole minutes), the min/max_duration instants and the instants the cumulative energy crosses min/max_kwh
 *   (energy is assumed to flow evenly within an interval).
 * - In each segment, per dimension (ENERGY, TIME, PARKING_TIME), the price component used is the one of the FIRST
 *   tariff element, in list order, whose restrictions all hold and that has a component of that dimension. No such
 *   element: that dimension is free in the segment. Elements with a `reservation` restriction describe
 *   reservation costs and never apply to a charging session.
 * - TIME is billed only while the EV charges, PARKING_TIME only while it is connected and not charging.
 * - FLAT is billed once: the FLAT component of the first element that applies in the first segment where any
 *   element with a FLAT component applies.
 * - Restrictions are evaluated at the start of a segment: min_* inclusive, max_* exclusive; time and day in the
 *   location's time zone; end_time before start_time wraps past midnight, end_time "00:00" means end of day;
 *   day_of_week is the local day of the instant (also after midnight in a wrapping window). Power defaults to
 *   the interval's energy / duration; current is only known when the caller gives it (a min/max_current
 *   restriction never holds otherwise).
 * - step_size counts once per session over the dimension's total: ENERGY is rounded up (in Wh) with the step of
 *   the last ENERGY component used and the extra billed at that component's price. Time: when any parking was
 *   billed, only the parking total is rounded (step of the last PARKING_TIME component); otherwise the charging
 *   time total with the step of the last TIME component.
 * - VAT per component (`vat` absent = none: incl = excl). min_price / max_price clamp the total (excl. VAT; the
 *   incl. VAT total becomes the bound's incl_vat, or its excl_vat when it has none).
 * - Amounts are rounded to 4 decimals (OCPI `number`) only at the end.
 */
import { localTime, parseTimeOfDay, type LocalTime } from './local-time.ts';
import type { PriceComponent, Tariff, TariffElement, TariffRestrictions } from './model.ts';

/** One stretch of the session with constant state. Intervals must be in time order and must not overlap. */
export interface ChargingInterval {
  start: Date;
  end: Date;
  /** Energy delivered in the interval (Wh), assumed to flow evenly over it. */
  energyWh: number;
  /** true: the EV was charging (TIME); false: connected but not charging (PARKING_TIME). */
  charging: boolean;
  /** Average power (kW); defaults to energyWh / duration. */
  powerKw?: number;
  /** Sum of the current over all phases (A), when known. */
  currentA?: number;
}

export interface SessionFacts {
  /** Session start: min/max_duration count from here. */
  start: Date;
  intervals: readonly ChargingInterval[];
  /** IANA time zone of the location. */
  timeZone: string;
}

/** A money amount; incl_vat is always given (equal to excl_vat where no VAT applies). */
export interface Amount {
  exclVat: number;
  inclVat: number;
}

/** One CDR-style charging period: a stretch where the same price components applied. */
export interface CostPeriod {
  start: Date;
  end: Date;
  /** Measured (not step-rounded) volumes: ENERGY in kWh, TIME and PARKING_TIME in hours. */
  dimensions: { type: 'ENERGY' | 'TIME' | 'PARKING_TIME'; volume: number }[];
  /** Index of the tariff element used per dimension (absent: free in this period). */
  elements: { energy?: number; time?: number; parkingTime?: number };
}

export interface SessionCost {
  currency: string;
  energy: Amount;
  time: Amount;
  parkingTime: Amount;
  flat: Amount;
  /** Sum of the dimensions, clamped to min_price / max_price. */
  total: Amount;
  minPriceApplied: boolean;
  maxPriceApplied: boolean;
  /** Measured totals. */
  totalEnergyKwh: number;
  chargingHours: number;
  parkingHours: number;
  /** Billed totals after step_size (kWh, hours). */
  billedEnergyKwh: number;
  billedChargingHours: number;
  billedParkingHours: number;
  periods: CostPeriod[];
}

const ZERO: Amount = { exclVat: 0, inclVat: 0 };
const MINUTE_MS = 60_000;

type Dim = 'ENERGY' | 'TIME' | 'PARKING_TIME';

interface Segment {
  start: number;
  end: number;
  energyWh: number;
  charging: boolean;
  powerKw: number | undefined;
  currentA: number | undefined;
  /** Cumulative energy (Wh) and duration (s) at the start of the segment. */
  energyBeforeWh: number;
  elapsedS: number;
}

interface Use {
  component: PriceComponent;
  element: number;
}

interface Billed {
  use: Use | undefined;
  /** Wh or seconds. */
  volume: number;
}

function hasClockRestriction(r: TariffRestrictions | undefined): boolean {
  return !!r && (r.startTime !== undefined || r.endTime !== undefined || r.startDate !== undefined || r.endDate !== undefined || r.dayOfWeek !== undefined);
}

function timeOfDayHolds(r: TariffRestrictions, minute: number): boolean {
  if (r.startTime === undefined && r.endTime === undefined) return true;
  const start = r.startTime === undefined ? 0 : parseTimeOfDay(r.startTime);
  let end = r.endTime === undefined ? 1440 : parseTimeOfDay(r.endTime);
  if (end === 0 && start > 0) return minute >= start; // "00:00" = until the end of the day
  if (end === 0) end = 1440;
  if (start === end) return true;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

function restrictionsHold(r: TariffRestrictions | undefined, s: Segment, local: () => LocalTime): boolean {
  if (!r) return true;
  if (r.reservation !== undefined) return false;
  if (r.minKwh !== undefined && s.energyBeforeWh < r.minKwh * 1000) return false;
  if (r.maxKwh !== undefined && s.energyBeforeWh >= r.maxKwh * 1000) return false;
  if (r.minDuration !== undefined && s.elapsedS < r.minDuration) return false;
  if (r.maxDuration !== undefined && s.elapsedS >= r.maxDuration) return false;
  if (r.minPower !== undefined && !(s.powerKw !== undefined && s.powerKw >= r.minPower)) return false;
  if (r.maxPower !== undefined && !(s.powerKw !== undefined && s.powerKw < r.maxPower)) return false;
  if (r.minCurrent !== undefined && !(s.currentA !== undefined && s.currentA >= r.minCurrent)) return false;
  if (r.maxCurrent !== undefined && !(s.currentA !== undefined && s.currentA < r.maxCurrent)) return false;
  if (hasClockRestriction(r)) {
    const t = local();
    if (r.dayOfWeek !== undefined && r.dayOfWeek.length > 0 && !r.dayOfWeek.includes(t.dayOfWeek)) return false;
    if (r.startDate !== undefined && t.date < r.startDate) return false;
    if (r.endDate !== undefined && t.date >= r.endDate) return false;
    if (!timeOfDayHolds(r, t.minuteOfDay)) return false;
  }
  return true;
}

/** Instants inside (from, to) where the applicable elements may change. */
function cutPoints(tariff: Tariff, sessionStart: number, interval: ChargingInterval, energyBeforeWh: number): number[] {
  const from = interval.start.getTime();
  const to = interval.end.getTime();
  const points = new Set<number>();
  const inside = (t: number): void => {
    if (t > from && t < to) points.add(t);
  };
  const restrictions = tariff.elements.map((e) => e.restrictions).filter((r): r is TariffRestrictions => r !== undefined);
  if (restrictions.some(hasClockRestriction)) {
    for (let t = Math.floor(from / MINUTE_MS) * MINUTE_MS + MINUTE_MS; t < to; t += MINUTE_MS) points.add(t);
  }
  const rateWhPerMs = to > from ? interval.energyWh / (to - from) : 0;
  for (const r of restrictions) {
    for (const d of [r.minDuration, r.maxDuration]) if (d !== undefined) inside(sessionStart + d * 1000);
    if (rateWhPerMs > 0) {
      for (const kwh of [r.minKwh, r.maxKwh]) if (kwh !== undefined) inside(from + (kwh * 1000 - energyBeforeWh) / rateWhPerMs);
    }
  }
  return [...points].sort((a, b) => a - b);
}

function firstApplicable(elements: readonly TariffElement[], type: PriceComponent['type'], s: Segment, local: () => LocalTime): Use | undefined {
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i] as TariffElement;
    const component = element.priceComponents.find((c) => c.type === type);
    if (component && restrictionsHold(element.restrictions, s, local)) return { component, element: i };
  }
  return undefined;
}

function amountOf(component: PriceComponent, units: number): Amount {
  const exclVat = component.price * units;
  return { exclVat, inclVat: component.vat === undefined ? exclVat : exclVat * (1 + component.vat / 100) };
}

function add(a: Amount, b: Amount): Amount {
  return { exclVat: a.exclVat + b.exclVat, inclVat: a.inclVat + b.inclVat };
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;
const roundAmount = (a: Amount): Amount => ({ exclVat: round4(a.exclVat), inclVat: round4(a.inclVat) });
/** Drops floating noise (115.20000000001) before rounding up to a step. */
const clean = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Adds to the last priced entry what rounding the dimension's total up to that entry's step_size adds. */
function applyStep(entries: Billed[]): void {
  const last = entries.findLast((e) => e.use !== undefined);
  const step = last?.use?.component.stepSize ?? 0;
  if (!last || step <= 0) return;
  const total = clean(entries.reduce((sum, e) => sum + e.volume, 0));
  const rounded = Math.ceil(total / step) * step;
  last.volume += rounded - total;
}

function unitsOf(dim: Dim, volume: number): number {
  return dim === 'ENERGY' ? volume / 1000 : volume / 3600;
}

function priceOf(dim: Dim, entries: readonly Billed[]): Amount {
  return entries.reduce((sum, e) => (e.use ? add(sum, amountOf(e.use.component, unitsOf(dim, e.volume))) : sum), ZERO);
}

function segmentsOf(tariff: Tariff, facts: SessionFacts): Segment[] {
  const sessionStart = facts.start.getTime();
  const segments: Segment[] = [];
  let energyBeforeWh = 0;
  for (const interval of facts.intervals) {
    const from = interval.start.getTime();
    const to = interval.end.getTime();
    if (to < from) throw new RangeError(`interval ends before it starts (${interval.start.toISOString()})`);
    if (!(interval.energyWh >= 0)) throw new RangeError('interval energy must be a number ≥ 0');
    const durationH = (to - from) / 3_600_000;
    const powerKw = interval.powerKw ?? (durationH > 0 ? interval.energyWh / 1000 / durationH : undefined);
    const bounds = [from, ...cutPoints(tariff, sessionStart, interval, energyBeforeWh), to];
    for (let i = 0; i < bounds.length - 1 || (i === 0 && from === to); i++) {
      const start = bounds[i] as number;
      const end = bounds[i + 1] ?? to;
      const energyWh = to > from ? (interval.energyWh * (end - start)) / (to - from) : interval.energyWh;
      segments.push({ start, end, energyWh, charging: interval.charging, powerKw, currentA: interval.currentA, energyBeforeWh, elapsedS: (start - sessionStart) / 1000 });
      energyBeforeWh += energyWh;
    }
  }
  return segments;
}

/**
 * Computes what a session costs under `tariff`. Throws RangeError for intervals that end before they start or
 * carry negative energy; an unknown time zone throws RangeError from Intl.
 */
export function computeCost(tariff: Tariff, facts: SessionFacts): SessionCost {
  const billed: Record<Dim, Billed[]> = { ENERGY: [], TIME: [], PARKING_TIME: [] };
  const periods: CostPeriod[] = [];
  let flat: Use | undefined;
  let flatSeen = false;

  for (const s of segmentsOf(tariff, facts)) {
    let cached: LocalTime | undefined;
    const local = (): LocalTime => (cached ??= localTime(new Date(s.start), facts.timeZone));
    const energy = firstApplicable(tariff.elements, 'ENERGY', s, local);
    const timeDim: Dim = s.charging ? 'TIME' : 'PARKING_TIME';
    const time = firstApplicable(tariff.elements, timeDim, s, local);
    if (!flatSeen) {
      flat = firstApplicable(tariff.elements, 'FLAT', s, local);
      flatSeen = flat !== undefined;
    }
    const seconds = (s.end - s.start) / 1000;
    billed.ENERGY.push({ use: energy, volume: s.energyWh });
    billed[timeDim].push({ use: time, volume: seconds });

    // Extend the previous period when the same components apply; otherwise start a new one.
    const elements = { energy: energy?.element, [s.charging ? 'time' : 'parkingTime']: time?.element };
    const previous = periods.at(-1);
    const sameAsPrevious =
      previous !== undefined &&
      previous.end.getTime() === s.start &&
      previous.elements.energy === elements.energy &&
      previous.elements.time === elements.time &&
      previous.elements.parkingTime === elements.parkingTime &&
      previous.dimensions.some((d) => d.type === timeDim);
    if (sameAsPrevious) {
      previous.end = new Date(s.end);
      for (const d of previous.dimensions) d.volume += d.type === 'ENERGY' ? s.energyWh / 1000 : seconds / 3600;
    } else {
      periods.push({
        start: new Date(s.start),
        end: new Date(s.end),
        dimensions: [
          { type: 'ENERGY', volume: s.energyWh / 1000 },
          { type: timeDim, volume: seconds / 3600 },
        ],
        elements: Object.fromEntries(Object.entries(elements).filter(([, v]) => v !== undefined)),
      });
    }
  }

  const measured = (dim: Dim): number => clean(billed[dim].reduce((sum, e) => sum + e.volume, 0));
  const totalEnergyWh = measured('ENERGY');
  const chargingS = measured('TIME');
  const parkingS = measured('PARKING_TIME');

  applyStep(billed.ENERGY);
  if (billed.PARKING_TIME.some((e) => e.use !== undefined)) applyStep(billed.PARKING_TIME);
  else applyStep(billed.TIME);

  const energy = priceOf('ENERGY', billed.ENERGY);
  const time = priceOf('TIME', billed.TIME);
  const parkingTime = priceOf('PARKING_TIME', billed.PARKING_TIME);
  const flatAmount = flat ? amountOf(flat.component, 1) : ZERO;
  let total = add(add(energy, time), add(parkingTime, flatAmount));

  let minPriceApplied = false;
  let maxPriceApplied = false;
  if (tariff.minPrice && total.exclVat < tariff.minPrice.exclVat) {
    total = { exclVat: tariff.minPrice.exclVat, inclVat: tariff.minPrice.inclVat ?? tariff.minPrice.exclVat };
    minPriceApplied = true;
  } else if (tariff.maxPrice && total.exclVat > tariff.maxPrice.exclVat) {
    total = { exclVat: tariff.maxPrice.exclVat, inclVat: tariff.maxPrice.inclVat ?? tariff.maxPrice.exclVat };
    maxPriceApplied = true;
  }

  for (const p of periods) for (const d of p.dimensions) d.volume = round4(d.volume);
  const billedTotal = (dim: Dim): number => billed[dim].reduce((sum, e) => sum + e.volume, 0);
  return {
    currency: tariff.currency,
    energy: roundAmount(energy),
    time: roundAmount(time),
    parkingTime: roundAmount(parkingTime),
    flat: roundAmount(flatAmount),
    total: roundAmount(total),
    minPriceApplied,
    maxPriceApplied,
    totalEnergyKwh: round4(totalEnergyWh / 1000),
    chargingHours: round4(chargingS / 3600),
    parkingHours: round4(parkingS / 3600),
    billedEnergyKwh: round4(billedTotal('ENERGY') / 1000),
    billedChargingHours: round4(billedTotal('TIME') / 3600),
    billedParkingHours: round4(billedTotal('PARKING_TIME') / 3600),
    periods,
  };
}
