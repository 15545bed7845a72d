/** Stations, their EVSEs and connectors. */
import { sql, type Selectable, type Updateable } from 'kysely';
import { AlreadyExistsError, NotFoundError } from '../../domain/errors.ts';
import type { Availability, Connector, ConnectorStatus, Evse, OcppVersion, RegistrationStatus, Station, Strictness } from '../../domain/model.ts';
import type { ConnectorStatusUpdate, NewStation, Page, StationPatch, StationRepository } from '../../domain/ports.ts';
import type { ConnectorsTable, EvsesTable, StationsTable } from '../schema.ts';
import { isForeignKeyViolation, isUniqueViolation, pageOf, transaction, type Executor } from './convert.ts';

function toStation(row: Selectable<StationsTable>): Station {
  return {
    id: row.id,
    vendor: row.vendor,
    model: row.model,
    serialNumber: row.serial_number,
    firmwareVersion: row.firmware_version,
    ocppVersion: row.ocpp_version as OcppVersion | null,
    securityProfile: row.security_profile,
    passwordHash: row.password_hash,
    registrationStatus: row.registration_status as RegistrationStatus,
    allowedVersions: row.allowed_versions as OcppVersion[],
    fallbackVersion: row.fallback_version as OcppVersion | null,
    strictness: row.strictness as Strictness | null,
    signedMessages: row.signed_messages,
    signingCertificate: row.signing_certificate,
    lastSeenAt: row.last_seen_at,
    connected: row.connected,
    nodeId: row.node_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toConnector(row: Selectable<ConnectorsTable>): Connector {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    status: row.status as ConnectorStatus,
    ocppStatus: row.ocpp_status,
    errorCode: row.error_code,
    updatedAt: row.updated_at,
  };
}

function toEvse(row: Selectable<EvsesTable>): Evse {
  return { stationId: row.station_id, evseId: row.evse_id, availability: row.availability as Availability, updatedAt: row.updated_at };
}

/** Patch fields → columns; Kysely skips undefined values, so an absent field leaves its column alone. */
function columnsOf(patch: StationPatch): Updateable<StationsTable> {
  return {
    vendor: patch.vendor,
    model: patch.model,
    serial_number: patch.serialNumber,
    firmware_version: patch.firmwareVersion,
    ocpp_version: patch.ocppVersion,
    security_profile: patch.securityProfile,
    password_hash: patch.passwordHash,
    registration_status: patch.registrationStatus,
    allowed_versions: patch.allowedVersions,
    fallback_version: patch.fallbackVersion,
    strictness: patch.strictness,
    signed_messages: patch.signedMessages,
    signing_certificate: patch.signingCertificate,
    last_seen_at: patch.lastSeenAt,
  };
}

export function createStationRepository(db: Executor): StationRepository {
  return {
    async get(id) {
      const row = await db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toStation(row);
    },

    async list(filter?: Page & { connected?: boolean }) {
      const { limit, offset } = pageOf(filter);
      let query = db.selectFrom('stations').selectAll().orderBy('id').limit(limit).offset(offset);
      if (filter?.connected !== undefined) query = query.where('connected', '=', filter.connected);
      return (await query.execute()).map(toStation);
    },

    async create(station: NewStation) {
      try {
        const row = await db
          .insertInto('stations')
          .values({ ...columnsOf(station), id: station.id })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toStation(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AlreadyExistsError('station', station.id);
        throw err;
      }
    },

    async update(id, patch) {
      const row = await db
        .updateTable('stations')
        .set({ ...columnsOf(patch), updated_at: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toStation(row);
    },

    async delete(id) {
      // Events and meter values have no foreign keys (see the migration): remove them first, in the same transaction.
      return transaction(db, async (trx) => {
        const ofStation = trx.selectFrom('transactions').select('id').where('station_id', '=', id);
        // The two ways meter_values is indexed (see migration 006): through the transaction, or by station without one.
        await trx.deleteFrom('meter_values').where('transaction_pk', 'in', ofStation).execute();
        await trx.deleteFrom('meter_values').where('transaction_pk', 'is', null).where('station_id', '=', id).execute();
        await trx.deleteFrom('transaction_events').where('transaction_pk', 'in', ofStation).execute();
        const result = await trx.deleteFrom('stations').where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },

    async markConnected(id, nodeId, ocppVersion: OcppVersion, at) {
      await db
        .updateTable('stations')
        .set({ connected: true, node_id: nodeId, ocpp_version: ocppVersion, last_seen_at: at, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    },

    async markDisconnected(id, nodeId, at) {
      await db
        .updateTable('stations')
        .set({ connected: false, last_seen_at: at, updated_at: sql`now()` })
        .where('id', '=', id)
        .where('node_id', '=', nodeId)
        .execute();
    },

    async disconnectAll(nodeId) {
      const result = await db
        .updateTable('stations')
        .set({ connected: false, updated_at: sql`now()` })
        .where('connected', '=', true)
        .where('node_id', '=', nodeId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async touch(ids, at) {
      if (ids.length === 0) return;
      // Never moves last_seen backwards (batches may be flushed out of order).
      await db
        .updateTable('stations')
        .set({ last_seen_at: sql`greatest(last_seen_at, ${at}::timestamptz)` })
        .where('id', '=', sql<string>`any(${[...ids]}::text[])`)
        .execute();
    },

    async updateConnectorStatus(stationId, update: ConnectorStatusUpdate) {
      try {
        // One statement: make sure the EVSE exists, then upsert the connector unless a newer report is stored.
        const result = await sql<{ applied: boolean }>`
          with evse as (
            insert into evses (station_id, evse_id) values (${stationId}, ${update.evseId})
            on conflict do nothing
          ), upsert as (
            insert into connectors (station_id, evse_id, connector_id, status, ocpp_status, error_code, updated_at)
            values (${stationId}, ${update.evseId}, ${update.connectorId}, ${update.status}, ${update.ocppStatus ?? null},
                    ${update.errorCode ?? null}, ${update.at}::timestamptz)
            on conflict (station_id, evse_id, connector_id) do update
              set status = excluded.status, ocpp_status = excluded.ocpp_status, error_code = excluded.error_code,
                  updated_at = excluded.updated_at
              where connectors.updated_at <= excluded.updated_at
            returning 1
          )
          select exists (select 1 from upsert) as applied`.execute(db);
        return result.rows[0]?.applied ?? false;
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new NotFoundError('station', stationId);
        throw err;
      }
    },

    async listConnectors(stationId) {
      const rows = await db.selectFrom('connectors').selectAll().where('station_id', '=', stationId).orderBy('evse_id').orderBy('connector_id').execute();
      return rows.map(toConnector);
    },

    async setEvseAvailability(stationId, evseId, availability: Availability) {
      try {
        await db
          .insertInto('evses')
          .values({ station_id: stationId, evse_id: evseId, availability })
          .onConflict((oc) => oc.columns(['station_id', 'evse_id']).doUpdateSet({ availability, updated_at: sql`now()` }))
          .execute();
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new NotFoundError('station', stationId);
        throw err;
      }
    },

    async listEvses(stationId) {
      const rows = await db.selectFrom('evses').selectAll().where('station_id', '=', stationId).orderBy('evse_id').execute();
      return rows.map(toEvse);
    },
  };
}
