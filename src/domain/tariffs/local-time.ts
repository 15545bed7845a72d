/** Wall-clock parts of an instant in an IANA time zone (tariff restrictions are local to the location). */
import type { DayOfWeek } from './model.ts';

export interface LocalTime {
  /** "YYYY-MM-DD". */
  date: string;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  dayOfWeek: DayOfWeek;
}

const WEEKDAYS: Record<string, DayOfWeek> = {
  Mon: 'MONDAY',
  Tue: 'TUESDAY',
  Wed: 'WEDNESDAY',
  Thu: 'THURSDAY',
  Fri: 'FRIDAY',
  Sat: 'SATURDAY',
  Sun: 'SUNDAY',
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the zone (Intl throws RangeError otherwise). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock parts straight from Intl (slow: tens of microseconds a call). */
export function localTimeIntl(at: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(at)) parts[part.type] = part.value;
  const day = WEEKDAYS[parts.weekday ?? ''];
  if (!day) throw new Error(`unexpected weekday ${String(parts.weekday)}`);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
    dayOfWeek: day,
  };
}

const BLOCK_MS = 15 * 60_000;
const DAYS_FROM_SUNDAY: DayOfWeek[] = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const offsets = new Map<string, number>();

/** UTC offset (ms) of the zone during the 15-minute UTC block holding `at`. */
function offsetAt(at: number, timeZone: string): number {
  const block = Math.floor(at / BLOCK_MS) * BLOCK_MS;
  const key = `${timeZone} ${block}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const t = localTimeIntl(new Date(block), timeZone);
    const [y, m, d] = t.date.split('-').map(Number) as [number, number, number];
    offset = Date.UTC(y, m - 1, d) + t.minuteOfDay * 60_000 - block;
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * Wall-clock parts of `at` in the zone. The offset is looked up once per 15-minute UTC block and cached: zone
 * transitions fall on whole quarter hours in UTC for every current zone (offsets are multiples of 15 minutes), so
 * the offset is constant within a block.
 */
export function localTime(at: Date, timeZone: string): LocalTime {
  const shifted = new Date(at.getTime() + offsetAt(at.getTime(), timeZone));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    date: `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`,
    minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    dayOfWeek: DAYS_FROM_SUNDAY[shifted.getUTCDay()] as DayOfWeek,
  };
}

/** "HH:MM" → minutes since midnight. */
export function parseTimeOfDay(value: string): number {
  const [h, m] = value.split(':');
  return Number(h) * 60 + Number(m);
}
