/** Small value conversions shared by the translators: ids, times, EVSE addressing, status extraction. */
import { randomInt } from 'node:crypto';
import { CommandError } from '../../domain/commands/types.ts';
import type { JsonObject, JsonValue } from '../../domain/model.ts';

/** The command cannot be sent as asked (API: 400). */
export function invalid(message: string): CommandError {
  return new CommandError('invalid', message);
}

/**
 * A fresh positive int32 for remoteStartId / requestId (F02.FR.01: unique per station; FR.05: correlation by
 * requestId). Random rather than a counter, so restarts and cluster nodes never hand out the same series.
 */
export function newRequestId(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/** An RFC 3339 time as the CSMS always emits it: UTC with "Z", at most 3 fractional digits (Part 2 §3.1). */
export function utc(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw invalid(`${field} is not a valid date-time: ${value}`);
  return time.toISOString();
}

/**
 * The 1.6 connectorId for an EVSE: Joule models a 1.6 connector N as EVSE N with connector 1, so a neutral
 * connectorId other than 1 has no 1.6 equivalent. No EVSE (or 0) is connector 0, the whole charge point.
 */
export function legacyConnectorId(evseId: number | undefined, connectorId: number | undefined): number {
  if (connectorId !== undefined) {
    if (evseId === undefined || evseId === 0) throw invalid('connectorId needs an evseId > 0');
    if (connectorId !== 1) throw invalid(`ocpp1.6 has one connector per EVSE: connectorId must be 1 or absent, got ${connectorId}`);
  }
  return evseId ?? 0;
}

/** The 2.x EVSEType for an EVSE (and connector); undefined for the whole station (no EVSE, or EVSE 0: G04). */
export function evseOf(evseId: number | undefined, connectorId: number | undefined): { id: number; connectorId?: number } | undefined {
  if (evseId === undefined || evseId === 0) {
    if (connectorId !== undefined) throw invalid('connectorId needs an evseId > 0');
    return undefined;
  }
  return connectorId === undefined ? { id: evseId } : { id: evseId, connectorId };
}

/** The `status` field of an answer, when it has one. */
export function statusOf(response: object): string | undefined {
  const status = (response as { status?: unknown }).status;
  return typeof status === 'string' ? status : undefined;
}

/** The one status every item shares (per-item answers such as SetVariables), or undefined when they differ. */
export function commonStatus(statuses: readonly string[]): string | undefined {
  const first = statuses[0];
  return first !== undefined && statuses.every((s) => s === first) ? first : undefined;
}

/** Drops undefined fields, so optional values never reach the wire as explicit nulls or get counted as present. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A JSON object from fields of which some may be undefined (dropped). */
export function jsonObject(fields: Record<string, JsonValue | undefined>): JsonObject {
  return compact(fields) as JsonObject;
}

/** Reads a field of a JSON object when it has the expected type. */
export function field(object: JsonObject, key: string, type: 'number'): number | undefined;
export function field(object: JsonObject, key: string, type: 'string'): string | undefined;
export function field(object: JsonObject, key: string, type: 'number' | 'string'): number | string | undefined {
  const value: JsonValue | undefined = object[key];
  return typeof value === type ? (value as number | string) : undefined;
}

/** Splits `items` into batches of at most `size` (no limit when size is undefined). */
export function batches<T>(items: readonly T[], size: number | undefined): T[][] {
  if (size === undefined || items.length <= size) return [items.slice()];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
