/** Charging profiles installed (or being installed) on stations, keyed by (station, chargingProfileId). */
import { sql, type ExpressionBuilder, type ExpressionWrapper, type Selectable, type SqlBool } from 'kysely';
import { NotFoundError } from '../../domain/errors.ts';
import type { ChargingProfileRecord, ChargingProfileStatus, JsonObject } from '../../domain/model.ts';
import type { ChargingProfileCriteria, ChargingProfileInput, ChargingProfileRepository } from '../../domain/ports.ts';
import type { ChargingProfilesTable, DB } from '../schema.ts';
import { isForeignKeyViolation, toJson, type Executor } from './convert.ts';

function toProfile(row: Selectable<ChargingProfilesTable>): ChargingProfileRecord {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    profileId: row.profile_id,
    stackLevel: row.stack_level,
    purpose: row.purpose,
    kind: row.kind,
    transactionId: row.transaction_id,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    profile: row.profile as JsonObject,
    status: row.status as ChargingProfileStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function matches(stationId: string, c: ChargingProfileCriteria = {}) {
  return (eb: ExpressionBuilder<DB, 'charging_profiles'>): ExpressionWrapper<DB, 'charging_profiles', SqlBool> => {
    const conditions = [eb('station_id', '=', stationId)];
    if (c.profileId !== undefined) conditions.push(eb('profile_id', '=', c.profileId));
    if (c.evseId !== undefined) conditions.push(eb('evse_id', '=', c.evseId));
    if (c.purpose !== undefined) conditions.push(eb('purpose', '=', c.purpose));
    if (c.stackLevel !== undefined) conditions.push(eb('stack_level', '=', c.stackLevel));
    return eb.and(conditions) as ExpressionWrapper<DB, 'charging_profiles', SqlBool>;
  };
}

export function createChargingProfileRepository(db: Executor): ChargingProfileRepository {
  return {
    async upsert(p: ChargingProfileInput) {
      const values = {
        evse_id: p.evseId,
        stack_level: p.stackLevel,
        purpose: p.purpose,
        kind: p.kind,
        transaction_id: p.transactionId ?? null,
        valid_from: p.validFrom ?? null,
        valid_to: p.validTo ?? null,
        profile: toJson(p.profile),
        status: p.status ?? 'Pending',
      };
      try {
        const row = await db
          .insertInto('charging_profiles')
          .values({ station_id: p.stationId, profile_id: p.profileId, ...values })
          .onConflict((oc) => oc.columns(['station_id', 'profile_id']).doUpdateSet({ ...values, updated_at: sql`now()` }))
          .returningAll()
          .executeTakeFirstOrThrow();
        return toProfile(row);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new NotFoundError('station', p.stationId);
        throw err;
      }
    },

    async setStatus(stationId, profileId, status) {
      await db.updateTable('charging_profiles').set({ status, updated_at: sql`now()` }).where('station_id', '=', stationId).where('profile_id', '=', profileId).execute();
    },

    async list(stationId, criteria) {
      const rows = await db.selectFrom('charging_profiles').selectAll().where(matches(stationId, criteria)).orderBy('evse_id').orderBy('stack_level').orderBy('profile_id').execute();
      return rows.map(toProfile);
    },

    async delete(stationId, criteria) {
      const result = await db.deleteFrom('charging_profiles').where(matches(stationId, criteria)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
