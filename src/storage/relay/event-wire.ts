/**
 * Live events between nodes, as they travel in NOTIFY payloads on the schema's events channel: JSON, dates as ISO
 * strings, turned back into the same DomainEvent on the other side. A payload must stay under PostgreSQL's 8000
 * bytes, so a node's events of one turn go in as many notices as they need, each with the sender's node id (every
 * node also hears its own notices, and ignores them).
 */
import type { DomainEvent, DomainEventType } from '../../domain/events.ts';
import type { Transaction } from '../../domain/model.ts';
import { isJsonObject } from '../../shared/json.ts';
import { channelName } from './wire.ts';

/** Room for the envelope under the 8000-byte limit. */
export const MAX_NOTICE_BYTES = 7900;

/** One events channel per schema: NOTIFY reaches every session of the database, whatever its schema. */
export function eventsChannel(schema: string): string {
  return channelName('joule_events_', schema);
}

/** What a node says on the events channel: its events, or that it has live-stream clients (and wants the others'). */
export type EventNotice = { node: string; events: DomainEvent[] } | { node: string; interest: true };

export const interestText = (node: string): string => JSON.stringify({ node, interest: true });

/**
 * The node's encoded events (encodeEvent) in notices of at most `maxBytes` each, in order. An event too large for a
 * notice of its own is passed to `oversized`, which may return a smaller form of it; when it cannot, the event is
 * left out and counted in `dropped`.
 */
export function packEvents(
  node: string,
  encoded: readonly string[],
  oversized: (text: string) => string | undefined,
  maxBytes = MAX_NOTICE_BYTES,
): { notices: string[]; dropped: number } {
  let dropped = 0;
  const head = `{"node":${JSON.stringify(node)},"events":[`;
  const overhead = Buffer.byteLength(head) + 2;
  const notices: string[] = [];
  let parts: string[] = [];
  let bytes = overhead;
  const seal = (): void => {
    if (parts.length > 0) notices.push(`${head}${parts.join(',')}]}`);
    parts = [];
    bytes = overhead;
  };
  for (const original of encoded) {
    const text = Buffer.byteLength(original) + overhead > maxBytes ? oversized(original) : original;
    const length = text === undefined ? Infinity : Buffer.byteLength(text);
    if (text === undefined || length + overhead > maxBytes) {
      dropped++;
      continue;
    }
    if (parts.length > 0 && bytes + 1 + length > maxBytes) seal();
    bytes += (parts.length > 0 ? 1 : 0) + length;
    parts.push(text);
  }
  seal();
  return { notices, dropped };
}

export const encodeEvent = (event: DomainEvent): string => JSON.stringify(event);

/**
 * A command.completed event without its station's answer or error, for when those make it too large for a notice:
 * the job holds them (GET /jobs/{id}).
 */
export function withoutCommandPayloads(text: string): string | undefined {
  const event = JSON.parse(text) as { type?: unknown };
  if (event.type !== 'command.completed') return undefined;
  return JSON.stringify({ ...event, response: null, error: null });
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

const nullableDate = (value: unknown): Date | null => date(value) ?? null;

const TRANSACTION_DATES = ['startedAt', 'stoppedAt', 'meterStartAt', 'meterStopAt'] as const;

function transactionOf(value: unknown): Transaction | undefined {
  if (!isJsonObject(value) || typeof value.id !== 'number' || typeof value.stationId !== 'string') return undefined;
  const createdAt = date(value.createdAt);
  const updatedAt = date(value.updatedAt);
  if (!createdAt || !updatedAt) return undefined;
  const revived: Record<string, unknown> = { ...value, createdAt, updatedAt };
  for (const key of TRANSACTION_DATES) revived[key] = nullableDate(value[key]);
  return revived as unknown as Transaction;
}

const KNOWN_TYPES: Record<DomainEventType, true> = {
  'station.connected': true,
  'station.disconnected': true,
  'station.booted': true,
  'connector.status': true,
  'transaction.started': true,
  'transaction.updated': true,
  'transaction.ended': true,
  'command.completed': true,
};

/** The event as it was published on the sending node, or undefined for anything this version does not know. */
export function decodeEvent(value: unknown): DomainEvent | undefined {
  if (!isJsonObject(value) || typeof value.type !== 'string' || !Object.hasOwn(KNOWN_TYPES, value.type)) return undefined;
  const at = date(value.at);
  if (!at) return undefined;
  if (value.type === 'transaction.started' || value.type === 'transaction.updated' || value.type === 'transaction.ended') {
    const transaction = transactionOf(value.transaction);
    return transaction ? { type: value.type, transaction, at } : undefined;
  }
  // The other events carry plain JSON besides `at`; a node of the same version sent them.
  if (typeof value.stationId !== 'string') return undefined;
  return { ...value, at } as unknown as DomainEvent;
}

/** A notice from the channel, or undefined when it is not one of ours. */
export function parseEventNotice(text: string): EventNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(value) || typeof value.node !== 'string') return undefined;
  if (value.interest === true) return { node: value.node, interest: true };
  if (!Array.isArray(value.events)) return undefined;
  const events = value.events.map(decodeEvent).filter((event): event is DomainEvent => event !== undefined);
  return { node: value.node, events };
}
