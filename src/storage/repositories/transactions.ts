/**
 * Transactions and their events. applyEvent is atomic and idempotent: in one SQL statement it creates the
 * transaction if this is its first event, inserts the event unless (transaction, seqNo) is already stored, inserts
 * its meter values and merges its fields into the transaction — all or nothing. Concurrent calls are grouped
 * (batcher.ts) into one such statement for up to `maxBatch` events of distinct transactions; every call resolves
 * only after the statement holding its event has committed.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { JsonValue, Transaction, TransactionEventRecord, TransactionState } from '../../domain/model.ts';
import type { ApplyEventResult, EnergyReading, LegacyStartInput, TransactionEventInput, TransactionFilter, TransactionRepository } from '../../domain/ports.ts';
import type { DB, TransactionsTable } from '../schema.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { KeyedBatcher } from './batcher.ts';
import { isForeignKeyViolation, pageOf, toNumberOrNull, type Executor } from './convert.ts';

type TransactionRow = Selectable<TransactionsTable>;

function toTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    stationId: row.station_id,
    transactionId: row.transaction_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    idToken: row.id_token,
    idTokenType: row.id_token_type,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    meterStartWh: toNumberOrNull(row.meter_start_wh),
    meterStartAt: row.meter_start_at,
    meterStopWh: toNumberOrNull(row.meter_stop_wh),
    meterStopAt: row.meter_stop_at,
    energyWh: toNumberOrNull(row.energy_wh),
    stopReason: row.stop_reason,
    state: row.state as TransactionState,
    chargingState: row.charging_state,
    remoteStartId: row.remote_start_id,
    lastSeqNo: row.last_seq_no,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The earliest and latest reading by time (the earlier one in the list wins a tie for first, the later for last). */
function bounds(readings: readonly EnergyReading[] | undefined): { first?: EnergyReading; last?: EnergyReading } {
  let first: EnergyReading | undefined;
  let last: EnergyReading | undefined;
  for (const r of readings ?? []) {
    if (!first || r.timestamp < first.timestamp) first = r;
    if (!last || r.timestamp >= last.timestamp) last = r;
  }
  return { first, last };
}

/** One event as a row of the batch's JSON input; absent values are left out (a missing key reads as null). */
function toInputRow(e: TransactionEventInput, idx: number) {
  const { first, last } = bounds(e.energy);
  return {
    idx,
    station_id: e.stationId,
    transaction_id: e.transactionId,
    seq_no: e.seqNo,
    event_type: e.eventType,
    trigger_reason: e.triggerReason ?? undefined,
    ts: e.timestamp.toISOString(),
    offline: e.offline ?? false,
    payload: e.payload,
    evse_id: e.evseId ?? undefined,
    connector_id: e.connectorId ?? undefined,
    id_token: e.idToken ?? undefined,
    id_token_type: e.idTokenType ?? undefined,
    started_at: e.startedAt?.toISOString(),
    stopped_at: e.stoppedAt?.toISOString(),
    first_wh: first?.wh,
    first_at: first?.timestamp.toISOString(),
    last_wh: last?.wh,
    last_at: last?.timestamp.toISOString(),
    stop_reason: e.stopReason ?? undefined,
    charging_state: e.chargingState ?? undefined,
    remote_start_id: e.remoteStartId ?? undefined,
    state: e.state ?? (e.eventType === 'Ended' ? 'completed' : 'active'),
    samples: (e.meterValues ?? []).map((s) => ({
      evse_id: s.evseId ?? undefined,
      ts: s.timestamp.toISOString(),
      measurand: s.measurand ?? undefined,
      phase: s.phase ?? undefined,
      unit: s.unit ?? undefined,
      context: s.context ?? undefined,
      location: s.location ?? undefined,
      value: s.value,
      signed: s.signed ?? undefined,
    })),
  };
}

/*
 * Merge rules, evaluated against the row as locked by the UPDATE (t), never against the statement's snapshot:
 * when another writer updated the row first, PostgreSQL re-evaluates these on its newest version.
 */
const NEWER = '(t.last_seq_no is null or i.seq_no >= t.last_seq_no)';
const STARTS_EARLIER = '(i.first_at is not null and (t.meter_start_at is null or i.first_at < t.meter_start_at))';
const ENDS_LATER = `(i.last_at is not null and (t.meter_stop_at is null or i.last_at > t.meter_stop_at or (i.last_at = t.meter_stop_at and ${NEWER})))`;
/** Fields of the event with the highest seqNo win; an older event only fills gaps. */
const latest = (column: string) => sql.raw(`case when ${NEWER} then coalesce(i.${column}, t.${column}) else coalesce(t.${column}, i.${column}) end`);
const when = (condition: string, value: string, otherwise: string) => sql.raw(`case when ${condition} then ${value} else ${otherwise} end`);

type OutcomeRow = TransactionRow & { outcome: 'created' | 'updated' | 'duplicate'; idx: number };

/**
 * Applies events of distinct transactions in one statement: atomic as a whole, one round trip, one commit.
 * Returns a result per event, or undefined for an event whose transaction another writer created after this
 * statement's snapshot was taken (to run again: it will then see the row).
 */
async function applyBatch(db: Executor, events: readonly TransactionEventInput[]): Promise<Array<ApplyEventResult | undefined>> {
  const input = JSON.stringify(events.map(toInputRow));
  const { rows } = await sql<OutcomeRow>`
    with i as (
      select * from json_to_recordset(${input}::json) as x(idx integer, station_id text, transaction_id text, seq_no bigint,
        event_type text, trigger_reason text, ts timestamptz, offline boolean, payload json, evse_id integer,
        connector_id integer, id_token text, id_token_type text, started_at timestamptz, stopped_at timestamptz,
        first_wh numeric, first_at timestamptz, last_wh numeric, last_at timestamptz, stop_reason text,
        charging_state text, remote_start_id integer, state text, samples json)
    ), existing as (
      -- One index probe per event. As a plain join the planner, which guesses 100 input rows and knows little of
      -- a young table, hashed the input and read all of transactions for every batch (2,000+ rows each, growing);
      -- LIMIT keeps the lateral subquery from being flattened into such a join.
      select i.idx, t.* from i cross join lateral (
        select * from transactions t where t.station_id = i.station_id and t.transaction_id = i.transaction_id limit 1
      ) t
    ), created as (
      -- Only when missing, so the id sequence is not consumed by every event; ON CONFLICT covers a concurrent insert.
      insert into transactions (station_id, transaction_id, evse_id, connector_id, id_token, id_token_type, started_at,
                                stopped_at, meter_start_wh, meter_start_at, meter_stop_wh, meter_stop_at, stop_reason,
                                state, charging_state, remote_start_id, last_seq_no)
      select station_id, transaction_id, evse_id, connector_id, id_token, id_token_type, started_at, stopped_at,
             first_wh, first_at, last_wh, last_at, stop_reason, state, charging_state, remote_start_id, seq_no
      from i
      where not exists (select 1 from existing e where e.idx = i.idx)
      on conflict (station_id, transaction_id) do nothing
      returning *
    ), target as (
      select i.idx, c.id from created c join i on i.station_id = c.station_id and i.transaction_id = c.transaction_id
      union all
      select idx, id from existing
    ), event as (
      insert into transaction_events (transaction_pk, seq_no, event_type, trigger_reason, timestamp, offline, payload)
      select target.id, i.seq_no, i.event_type, i.trigger_reason, i.ts, i.offline, i.payload
      from target join i on i.idx = target.idx
      on conflict do nothing
      returning transaction_pk
    ), samples as (
      insert into meter_values (transaction_pk, station_id, evse_id, timestamp, measurand, phase, unit, context, location, value, signed)
      select event.transaction_pk, i.station_id, coalesce(s.evse_id, i.evse_id), s.ts,
             coalesce(s.measurand, 'Energy.Active.Import.Register'), s.phase, s.unit, s.context, s.location, s.value, s.signed
      from event
      join target on target.id = event.transaction_pk
      join i on i.idx = target.idx
      cross join json_to_recordset(i.samples) as s(evse_id integer, ts timestamptz, measurand text, phase text, unit text,
           context text, location text, value numeric, signed jsonb)
    ), updated as (
      update transactions t set
        evse_id = ${latest('evse_id')},
        connector_id = ${latest('connector_id')},
        id_token = ${latest('id_token')},
        id_token_type = ${latest('id_token_type')},
        stopped_at = ${latest('stopped_at')},
        stop_reason = ${latest('stop_reason')},
        charging_state = ${latest('charging_state')},
        remote_start_id = ${latest('remote_start_id')},
        started_at = least(t.started_at, i.started_at),
        meter_start_wh = ${when(STARTS_EARLIER, 'i.first_wh', 't.meter_start_wh')},
        meter_start_at = ${when(STARTS_EARLIER, 'i.first_at', 't.meter_start_at')},
        meter_stop_wh = ${when(ENDS_LATER, 'i.last_wh', 't.meter_stop_wh')},
        meter_stop_at = ${when(ENDS_LATER, 'i.last_at', 't.meter_stop_at')},
        state = case when t.state = 'completed' or i.state = 'completed' then 'completed' else 'active' end,
        last_seq_no = greatest(t.last_seq_no, i.seq_no),
        updated_at = now()
      from existing e
      join i on i.idx = e.idx
      -- Only transactions whose event was inserted (not a duplicate). As an array, not a join with the event CTE:
      -- the planner guesses a few rows for every CTE here and nested-loops such a join, which made a 200-event
      -- batch cost 40 % more per event than a 100-event one (batch sizes grow with load).
      where t.id = e.id and e.id = any(array(select transaction_pk from event))
      returning i.idx, t.*
    )
    select 'updated' as outcome, * from updated
    union all
    select 'created' as outcome, target.idx, created.* from created join target on target.id = created.id
    union all
    select 'duplicate' as outcome, * from existing e where not exists (select 1 from event where event.transaction_pk = e.id)
  `.execute(db);
  const results: Array<ApplyEventResult | undefined> = events.map(() => undefined);
  for (const { outcome, idx, ...row } of rows) results[idx] = { duplicate: outcome === 'duplicate', transaction: toTransaction(row) };
  return results;
}

/** For calls outside the batcher (inside a database transaction): retries the rare concurrent-creation case. */
async function applyOne(db: Executor, event: TransactionEventInput): Promise<ApplyEventResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [result] = await applyBatch(db, [event]);
    if (result) return result;
  }
  throw new Error(`transaction ${event.stationId}/${event.transactionId}: event ${event.seqNo} could not be applied`);
}

export interface TransactionRepositoryOptions {
  /** Batches written at once (default 2; PGlite uses 1). */
  concurrency?: number;
  /** Events that must be waiting before a second batch starts beside a running one (default 100). */
  minConcurrentBatch?: number;
  /** Most events per statement (default 200). */
  maxBatch?: number;
}

export function createTransactionRepository(db: Kysely<DB>, options: TransactionRepositoryOptions = {}): TransactionRepository {
  const batcher = new KeyedBatcher<TransactionEventInput, ApplyEventResult>(
    async (events) => {
      try {
        return await applyBatch(db, events);
      } catch (err) {
        // Alone in its batch (the batcher retries failed batches item by item), so the station is this event's.
        if (events.length === 1 && isForeignKeyViolation(err)) throw new NotFoundError('station', events[0]!.stationId);
        throw err;
      }
    },
    (e) => `${e.stationId}\u0000${e.transactionId}`,
    // A statement costs PostgreSQL ~0.9 ms of CPU besides its events, so a second one beside the running one must
    // be worth it. With 40 (against 1), bench:csms went from 5,130-5,988/s to 5,826-6,446/s at full speed; with 100
    // (against 40), PostgreSQL's CPU at 5,000/s paced fell from ~127 to ~99 µs per message, full speed and p99 the
    // same within the noise (six alternating pairs each).
    { concurrency: options.concurrency ?? 2, maxBatch: options.maxBatch ?? 200, minConcurrentBatch: options.minConcurrentBatch ?? 100 },
  );
  return {
    applyEvent: (event) => batcher.submit(event),

    async startLegacy(start: LegacyStartInput) {
      return db.transaction().execute(async (trx) => {
        // A station that did not get our answer resends the same StartTransaction: give it the same id.
        const existing = await trx
          .selectFrom('transactions')
          .selectAll()
          .where('station_id', '=', start.stationId)
          .where('state', '=', 'active')
          .where('connector_id', '=', start.connectorId)
          .where('id_token', '=', start.idToken)
          .where('started_at', '=', start.timestamp)
          .executeTakeFirst();
        if (existing) return { duplicate: true, transaction: toTransaction(existing) };
        const { id } = (await sql<{ id: number }>`select nextval('legacy_transaction_id_seq')::integer as id`.execute(trx)).rows[0]!;
        const { meterStartWh, ...rest } = start;
        return applyOne(trx, {
          ...rest,
          transactionId: String(id),
          seqNo: 0,
          eventType: 'Started',
          startedAt: start.timestamp,
          energy: [{ timestamp: start.timestamp, wh: meterStartWh }, ...(start.energy ?? [])],
        });
      });
    },

    async get(stationId, transactionId) {
      const row = await db.selectFrom('transactions').selectAll().where('station_id', '=', stationId).where('transaction_id', '=', transactionId).executeTakeFirst();
      return row && toTransaction(row);
    },

    async getById(id) {
      const row = await db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTransaction(row);
    },

    async list(filter: TransactionFilter = {}) {
      const { limit, offset } = pageOf(filter);
      let query = db.selectFrom('transactions').selectAll().orderBy('id', 'desc').limit(limit).offset(offset);
      if (filter.stationId !== undefined) query = query.where('station_id', '=', filter.stationId);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      if (filter.idToken !== undefined) query = query.where('id_token', '=', filter.idToken);
      if (filter.from !== undefined) query = query.where('started_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('started_at', '<', filter.to);
      return (await query.execute()).map(toTransaction);
    },

    async listActive(stationId, evseId) {
      let query = db.selectFrom('transactions').selectAll().where('station_id', '=', stationId).where('state', '=', 'active').orderBy('id');
      if (evseId !== undefined) query = query.where('evse_id', '=', evseId);
      return (await query.execute()).map(toTransaction);
    },

    async listEvents(transactionPk) {
      const rows = await db.selectFrom('transaction_events').selectAll().where('transaction_pk', '=', transactionPk).orderBy('seq_no').execute();
      return rows.map(
        (row): TransactionEventRecord => ({
          transactionPk: row.transaction_pk,
          seqNo: row.seq_no,
          eventType: row.event_type as TransactionEventRecord['eventType'],
          triggerReason: row.trigger_reason,
          timestamp: row.timestamp,
          offline: row.offline,
          payload: row.payload as JsonValue,
          receivedAt: row.received_at,
        }),
      );
    },
  };
}
