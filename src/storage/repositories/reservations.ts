/** Reservations; the table's identity column assigns the reservationId sent to the station. */
import { sql, type Selectable } from 'kysely';
import { NotFoundError } from '../../domain/errors.ts';
import type { Reservation, ReservationStatus } from '../../domain/model.ts';
import type { ReservationRepository } from '../../domain/ports.ts';
import type { ReservationsTable } from '../schema.ts';
import { isForeignKeyViolation, type Executor } from './convert.ts';

function toReservation(row: Selectable<ReservationsTable>): Reservation {
  return {
    id: row.id,
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorType: row.connector_type,
    idToken: row.id_token,
    idTokenType: row.id_token_type,
    groupId: row.group_id,
    expiry: row.expiry,
    status: row.status as ReservationStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const OPEN: ReservationStatus[] = ['Pending', 'Accepted'];

export function createReservationRepository(db: Executor): ReservationRepository {
  return {
    async create(r) {
      try {
        const row = await db
          .insertInto('reservations')
          .values({
            station_id: r.stationId,
            evse_id: r.evseId ?? null,
            connector_type: r.connectorType ?? null,
            id_token: r.idToken,
            id_token_type: r.idTokenType ?? null,
            group_id: r.groupId ?? null,
            expiry: r.expiry,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toReservation(row);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new NotFoundError('station', r.stationId);
        throw err;
      }
    },

    async get(id) {
      const row = await db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toReservation(row);
    },

    async setStatus(id, status) {
      const row = await db.updateTable('reservations').set({ status, updated_at: sql`now()` }).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toReservation(row);
    },

    async listActive(stationId) {
      const rows = await db.selectFrom('reservations').selectAll().where('station_id', '=', stationId).where('status', 'in', OPEN).orderBy('id').execute();
      return rows.map(toReservation);
    },

    async expire(now) {
      const rows = await db
        .updateTable('reservations')
        .set({ status: 'Expired', updated_at: sql`now()` })
        .where('status', 'in', OPEN)
        .where('expiry', '<', now)
        .returningAll()
        .execute();
      return rows.map(toReservation);
    },
  };
}
