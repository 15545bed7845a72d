/** Small conversions shared by the repositories (database values ⇄ domain values). */
import type { Kysely, Transaction } from 'kysely';
import type { JsonValue, NewMeterSample } from '../../domain/model.ts';
import type { Page } from '../../domain/ports.ts';
import type { DB } from '../schema.ts';

/** A Kysely handle or an open transaction: repositories' internals run on either. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** Runs `fn` in a database transaction, or in the caller's when `db` already is one. */
export function transaction<T>(db: Executor, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<DB>) : db.transaction().execute(fn);
}

/**
 * NUMERIC arrives as exact decimal text; the domain works in JS numbers, which hold every decimal of up to 15
 * significant digits exactly (Wh readings have at most 12 before the point and 3 after in practice).
 */
export function toNumber(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNumberOrNull(value: string | number | null): number | null {
  return value === null ? null : toNumber(value);
}

/** JSONB parameters always go as JSON text (pg would turn a JS array into a PostgreSQL array literal). */
export function toJson(value: JsonValue): string {
  return JSON.stringify(value);
}

export function toJsonOrNull(value: JsonValue | null | undefined): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** '' / 0 stand for "none" in key columns, which cannot be NULL. */
export const orNullText = (value: string): string | null => (value === '' ? null : value);
export const orNullId = (value: number): number | null => (value === 0 ? null : value);

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function pageOf(page: Page | undefined): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(page?.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const offset = Math.max(Math.trunc(page?.offset ?? 0), 0);
  return { limit, offset };
}

/** Meter samples as the JSON rows that `json_to_recordset` turns into a bulk insert (one parameter, any count). */
export function meterSamplesJson(samples: readonly NewMeterSample[]): string {
  return JSON.stringify(
    samples.map((s) => ({
      station_id: s.stationId,
      evse_id: s.evseId ?? null,
      ts: s.timestamp.toISOString(),
      measurand: s.measurand ?? null,
      phase: s.phase ?? null,
      unit: s.unit ?? null,
      context: s.context ?? null,
      location: s.location ?? null,
      value: s.value,
      signed: s.signed ?? null,
    })),
  );
}

/** Unique-violation check that works for pg and PGlite errors alike (both carry the SQLSTATE in `code`). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

export function isForeignKeyViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';
}
