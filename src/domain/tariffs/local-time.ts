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

export function localTime(at: Date, timeZone: string): LocalTime {
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

/** "HH:MM" → minutes since midnight. */
export function parseTimeOfDay(value: string): number {
  const [h, m] = value.split(':');
  return Number(h) * 60 + Number(m);
}
