/** Meter value samples: bulk insert of samples outside transaction events, and reads. */
import { sql, type Selectable } from 'kysely';
import type { JsonValue, MeterSample } from '../../domain/model.ts';
import type { MeterValueRepository } from '../../domain/ports.ts';
import type { MeterValuesTable } from '../schema.ts';
import { meterSamplesJson, pageOf, toNumber, type Executor } from './convert.ts';

export function toMeterSample(row: Selectable<MeterValuesTable>): MeterSample {
  return {
    id: row.id,
    transactionPk: row.transaction_pk,
    stationId: row.station_id,
    evseId: row.evse_id,
    timestamp: row.timestamp,
    measurand: row.measurand,
    phase: row.phase,
    unit: row.unit,
    context: row.context,
    location: row.location,
    value: toNumber(row.value),
    signed: row.signed as JsonValue | null,
  };
}

export function createMeterValueRepository(db: Executor): MeterValueRepository {
  return {
    async insert(samples) {
      if (samples.length === 0) return;
      // One parameter whatever the count: a single statement text the server plans once.
      await sql`
        insert into meter_values (station_id, evse_id, timestamp, measurand, phase, unit, context, location, value, signed)
        select s.station_id, s.evse_id, s.ts, coalesce(s.measurand, 'Energy.Active.Import.Register'), s.phase, s.unit,
               s.context, s.location, s.value, s.signed
        from json_to_recordset(${meterSamplesJson(samples)}::json) as s(station_id text, evse_id integer, ts timestamptz,
             measurand text, phase text, unit text, context text, location text, value numeric, signed jsonb)
      `.execute(db);
    },

    async listForTransaction(transactionPk) {
      const rows = await db.selectFrom('meter_values').selectAll().where('transaction_pk', '=', transactionPk).orderBy('timestamp').orderBy('id').execute();
      return rows.map(toMeterSample);
    },

    async list(filter) {
      const { limit, offset } = pageOf(filter);
      // Samples outside transactions are indexed by station, a transaction's samples through the transaction
      // (migration 006): the station's history is the union of the two. PostgreSQL pushes the filters below into
      // both branches.
      const outside = db.selectFrom('meter_values').selectAll().where('transaction_pk', 'is', null).where('station_id', '=', filter.stationId);
      const ofTransactions = db.selectFrom('transactions').select('id').where('station_id', '=', filter.stationId);
      const inside = db.selectFrom('meter_values').selectAll().where('transaction_pk', 'in', ofTransactions);
      let query = db.selectFrom(outside.unionAll(inside).as('mv')).selectAll().orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(limit).offset(offset);
      if (filter.evseId !== undefined) query = query.where('evse_id', '=', filter.evseId);
      if (filter.measurand !== undefined) query = query.where('measurand', '=', filter.measurand);
      if (filter.from !== undefined) query = query.where('timestamp', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('timestamp', '<', filter.to);
      const rows = await query.execute();
      return rows.map(toMeterSample);
    },
  };
}
