/** What every inbound handler factory gets: the domain services, the connection sessions and a few settings. */
import type { DomainServices } from '../../domain/services/index.ts';
import type { JsonValue } from '../../domain/model.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Sessions } from '../session.ts';

export interface InboundContext {
  services: DomainServices;
  sessions: Sessions;
  logger: Logger;
  /** BootNotification interval when Accepted: the heartbeat interval (B01.FR.04). */
  heartbeatIntervalS: number;
  /** BootNotification interval when Pending or Rejected: the wait before the next attempt (B02.FR.04, B03). */
  bootRetryIntervalS: number;
  now(): Date;
}

/** The CSMS's current time for currentTime fields: always UTC with "Z" (Part 2 §3.1). */
export function currentTime(context: InboundContext): string {
  return context.now().toISOString();
}

/**
 * A station timestamp as a Date; an unreadable one (a lenient station's) falls back to the time of receipt,
 * because sanity checks must never stop the CSMS from answering a transaction message (1.6 §4.8/§4.10, E13).
 */
export function stationTime(context: InboundContext, text: string | undefined, stationId: string): Date {
  if (text !== undefined) {
    const parsed = new Date(text);
    if (!Number.isNaN(parsed.getTime())) return parsed;
    context.logger.warn({ station: stationId, timestamp: text }, 'unreadable timestamp: time of receipt used');
  }
  return context.now();
}

/**
 * A received payload (or part of one) as stored JSON. Everything a handler receives was parsed from JSON text, so
 * it is JSON; the generated types only lose that (customData is typed `unknown`).
 */
export function asJson(value: unknown): JsonValue {
  return value as JsonValue;
}

/**
 * A transaction message as stored with its event: the payload without its list of meter values, which are stored
 * once, as samples (every sampled value, signed ones verbatim). The message log keeps the frame as it came.
 */
export function eventPayload<T extends object>(request: T, meterValuesKey: keyof T & string): JsonValue {
  const stored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) if (key !== meterValuesKey) stored[key] = value;
  return asJson(stored);
}
