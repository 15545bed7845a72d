/** The OCPI push outbox (ports: src/domain/ocpi/ports.ts). Delivery order per partner is id order. */
import { sql, type Selectable } from 'kysely';
import type { JsonValue } from '../../domain/model.ts';
import type { OutboxEntry, OutboxMethod, OutboxStatus } from '../../domain/ocpi/model.ts';
import type { OcpiOutboxRepository } from '../../domain/ocpi/ports.ts';
import { DEFAULT_LIMIT, toJsonOrNull, type Executor } from './convert.ts';
import { ocpiDb, type OcpiOutboxTable } from './ocpi-schema.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toEntry(row: Selectable<OcpiOutboxTable>): OutboxEntry {
  return {
    id: Number(row.id),
    partnerId: row.partner_id,
    module: row.module,
    method: row.method as OutboxMethod,
    path: row.path,
    body: row.body as JsonValue | null,
    fromParty: row.from_country_code && row.from_party_id ? { countryCode: row.from_country_code, partyId: row.from_party_id } : null,
    status: row.status as OutboxStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    responseLocation: row.response_location,
  };
}

export function createOcpiOutboxRepository(executor: Executor): OcpiOutboxRepository {
  const db = ocpiDb(executor);
  return {
    async enqueue(entries) {
      if (entries.length === 0) return [];
      const rows = await db
        .insertInto('ocpi_outbox')
        .values(
          entries.map((e) => ({
            partner_id: e.partnerId,
            module: e.module,
            method: e.method,
            path: e.path,
            body: toJsonOrNull(e.body),
            from_country_code: e.fromParty?.countryCode ?? null,
            from_party_id: e.fromParty?.partyId ?? null,
          })),
        )
        .returningAll()
        .execute();
      return rows.map(toEntry).sort((a, b) => a.id - b.id);
    },

    async dueHeads(now) {
      const heads = await db
        .selectFrom('ocpi_outbox')
        .selectAll()
        .distinctOn('partner_id')
        .where('status', '=', 'pending')
        .orderBy('partner_id')
        .orderBy('id')
        .execute();
      return heads.filter((row) => row.next_attempt_at.getTime() <= now.getTime()).map(toEntry);
    },

    async nextAttemptAt() {
      const row = await db
        .selectFrom('ocpi_outbox')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return row?.at ? new Date(row.at as Date | string) : undefined;
    },

    async claim(id, now, until) {
      const row = await db
        .updateTable('ocpi_outbox')
        .set({ next_attempt_at: until })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    async markDelivered(id, at, responseLocation = null) {
      await db
        .updateTable('ocpi_outbox')
        .set({ status: 'delivered', delivered_at: at, attempts: sql<number>`attempts + 1`, last_error: null, response_location: responseLocation })
        .where('id', '=', id)
        .execute();
    },

    async markRetry(id, nextAttemptAt, error) {
      await db.updateTable('ocpi_outbox').set({ next_attempt_at: nextAttemptAt, attempts: sql<number>`attempts + 1`, last_error: error }).where('id', '=', id).execute();
    },

    async markFailed(id, error) {
      await db.updateTable('ocpi_outbox').set({ status: 'failed', attempts: sql<number>`attempts + 1`, last_error: error }).where('id', '=', id).execute();
    },

    async list(filter = {}) {
      let query = db.selectFrom('ocpi_outbox').selectAll();
      if (filter.partnerId !== undefined) {
        if (!UUID.test(filter.partnerId)) return [];
        query = query.where('partner_id', '=', filter.partnerId);
      }
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(Math.min(filter.limit ?? DEFAULT_LIMIT, 1000))
        .offset(filter.offset ?? 0)
        .execute();
      return rows.map(toEntry);
    },
  };
}
