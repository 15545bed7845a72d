/**
 * Pagination of every list endpoint (transport_and_format.asciidoc "Pagination"): `offset` (default 0), `limit`
 * (capped at the server's page limit), `date_from` (inclusive) and `date_to` (exclusive) on last_updated.
 * Responses carry X-Total-Count (matches ignoring offset/limit), X-Limit (the cap) and, except on the last page,
 * `Link: <next>; rel="next"` repeating every filter of the request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidField, ok, type OcpiEnvelope } from './status.ts';

export interface PageRequest {
  offset: number;
  limit: number;
  /** Inclusive. */
  dateFrom?: Date;
  /** Exclusive. */
  dateTo?: Date;
}

/** RFC 3339; a missing zone means UTC (the spec allows omitting Z). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

export function parseOcpiDateTime(value: string, field: string): Date {
  if (!DATE_TIME.test(value)) throw invalidField(field, 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z');
  const date = new Date(/(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw invalidField(field, 'is not a valid date-time');
  return date;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidField(name, 'must be given once');
  return value;
}

function integer(query: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = single(query, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) throw invalidField(name, `must be an integer >= ${min}`);
  return Number(value);
}

/** Reads the page parameters (2001 naming the bad one); the limit is capped at `cap` and defaults to it. */
export function readPage(request: FastifyRequest, cap: number): PageRequest {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const offset = integer(query, 'offset', 0) ?? 0;
  const limit = Math.min(integer(query, 'limit', 1) ?? cap, cap);
  const from = single(query, 'date_from');
  const to = single(query, 'date_to');
  const page: PageRequest = { offset, limit };
  if (from) page.dateFrom = parseOcpiDateTime(from, 'date_from');
  if (to) page.dateTo = parseOcpiDateTime(to, 'date_to');
  return page;
}

/** Sets the pagination headers and returns the success envelope with `items`. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, env: { pageLimit: number; baseUrl(): string }, page: PageRequest, items: T[], total: number): OcpiEnvelope<T[]> {
  void reply.header('x-total-count', String(total)).header('x-limit', String(env.pageLimit));
  const nextOffset = page.offset + items.length;
  if (items.length > 0 && nextOffset < total) {
    const next = new URL(`${env.baseUrl()}${request.url.replace(/^\/ocpi/, '')}`);
    next.searchParams.set('offset', String(nextOffset));
    next.searchParams.set('limit', String(page.limit));
    void reply.header('link', `<${next.toString()}>; rel="next"`);
  }
  return ok(items);
}

/** Pages an in-memory list already in stable oldest-first order: date window on `lastUpdated`, then offset/limit. */
export function pageOf<T>(all: readonly T[], page: PageRequest, lastUpdated: (item: T) => Date): { items: T[]; total: number } {
  const matching = all.filter((item) => {
    const at = lastUpdated(item).getTime();
    return (!page.dateFrom || at >= page.dateFrom.getTime()) && (!page.dateTo || at < page.dateTo.getTime());
  });
  return { items: matching.slice(page.offset, page.offset + page.limit), total: matching.length };
}
