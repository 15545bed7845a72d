/**
 * The message log: every OCPP frame in and out, a station's CALL and our answer to it as one entry (an exchange,
 * paired by the OCPP layer before it enqueues). Writes are write-behind — enqueue() buffers and a flush writes
 * up to `maxBatch` entries per statement, when the buffer fills, after `flushIntervalMs`, or on close — because
 * one insert per frame would cost more than handling the frame. On PostgreSQL a flush writes with COPY, which costs
 * the server less per row than the insert (~12.5 against ~18 µs, measured in isolation); PGlite has no COPY stream
 * and inserts. Losing the last few log lines in a crash is acceptable; transaction data never goes through here.
 */
import { sql, type Selectable } from 'kysely';
import type { Logger } from '../../shared/logger.ts';
import type { Direction, JsonValue, MessageLogEntry, MessageLogResponse, NewMessageLogEntry } from '../../domain/model.ts';
import type { MessageLogFilter, MessageLogRepository } from '../../domain/ports.ts';
import type { CopyFrom } from '../pg-copy.ts';
import type { MessageLogTable } from '../schema.ts';
import { pageOf, type Executor } from './convert.ts';

export interface MessageLogOptions {
  /** Most entries per insert statement (default 500). */
  maxBatch?: number;
  /** Longest an entry waits in the buffer (default 200 ms). */
  flushIntervalMs?: number;
  /** Entries buffered beyond this are dropped (and counted) while the database is unreachable (default 50,000). */
  maxPending?: number;
  logger?: Logger;
  /** Writes the buffered batches with COPY through this (PostgreSQL); without it, with the insert statement. */
  copyFrom?: CopyFrom;
}

export interface BufferedMessageLog extends MessageLogRepository {
  /** Entries dropped because the buffer was full or a batch failed to write. */
  readonly dropped: number;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

function toEntry(row: Selectable<MessageLogTable>): MessageLogEntry {
  return {
    id: row.id,
    stationId: row.station_id,
    direction: row.direction as Direction,
    messageType: row.message_type,
    messageId: row.message_id,
    action: row.action,
    payload: row.payload as JsonValue,
    createdAt: row.created_at,
    response: toResponse(row),
  };
}

function toResponse(row: Selectable<MessageLogTable>): MessageLogResponse | null {
  if (row.response_type === null || row.responded_at === null) return null;
  return { messageType: row.response_type, payload: row.response_payload as JsonValue, createdAt: row.responded_at };
}

/** The payload's JSON text: as it crossed the wire when the caller has it, so it is not serialized a second time. */
const payloadText = (json: string | undefined, payload: JsonValue): string => json ?? JSON.stringify(payload);

/**
 * A payload's key in the insert's JSON row. json_to_recordset de-escapes every string of its input and fails on
 * `\u0000` (which the json type itself accepts), so such a payload goes as a JSON string of its text instead, read
 * back with a cast; a rare case, and the check is cheaper than always encoding twice.
 */
function payloadField(key: string, text: string): string {
  return text.includes('\\u0000') ? `,"${key}_text":${JSON.stringify(text)}` : `,"${key}":${text}`;
}

/**
 * A station's message id or action as a text column can hold it. JSON lets a frame carry `\u0000` or a lone
 * surrogate, which PostgreSQL's text cannot store: one such frame failed its whole batch (up to 500 entries of
 * every station). Those characters become U+FFFD; everything else is stored as it came.
 */
function storable(text: string): string {
  return text.isWellFormed() && !text.includes('\u0000') ? text : text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/**
 * One entry as a row of the insert's JSON input. Entries are serialized when enqueued, so the buffer holds one
 * flat string per entry instead of keeping every parsed payload alive until the flush (which made the garbage
 * collector copy and promote them). Built by concatenation: the payload's text goes in as it is. A key left out
 * reads as null.
 */
function rowJson(e: NewMessageLogEntry): string {
  let row = `{"station_id":${JSON.stringify(storable(e.stationId))},"direction":${JSON.stringify(e.direction)},"message_type":${e.messageType},"message_id":${JSON.stringify(storable(e.messageId))}`;
  if (e.action != null) row += `,"action":${JSON.stringify(storable(e.action))}`;
  row += payloadField('payload', payloadText(e.payloadJson, e.payload));
  row += `,"created_at":"${(e.createdAt ?? new Date()).toISOString()}"`;
  const response = e.response;
  if (response != null) {
    row += `,"response_type":${response.messageType}`;
    row += payloadField('response_payload', payloadText(response.payloadJson, response.payload));
    row += `,"responded_at":"${(response.createdAt ?? new Date()).toISOString()}"`;
  }
  return `${row}}`;
}

/** The columns both writes fill, in the order of a COPY line (copyRow) and of the insert's select list. */
const COLUMNS = 'station_id, direction, message_type, message_id, action, payload, created_at, response_type, response_payload, responded_at';

async function insertRows(db: Executor, rows: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  // One parameter whatever the batch size: one statement text, planned once. json_to_recordset reads a JSON null
  // as SQL null: the coalesces store it as JSON null, as COPY does (a null payload used to fail the whole batch).
  await sql`
    insert into message_log (${sql.raw(COLUMNS)})
    select m.station_id, m.direction, m.message_type, m.message_id, m.action, coalesce(m.payload, m.payload_text::json, 'null'), m.created_at,
           m.response_type, case when m.response_type is not null then coalesce(m.response_payload, m.response_payload_text::json, 'null') end, m.responded_at
    from json_to_recordset(${`[${rows.join(',')}]`}::json) as m(station_id text, direction text, message_type smallint, message_id text, action text,
         payload json, payload_text text, created_at timestamptz, response_type smallint, response_payload json, response_payload_text text, responded_at timestamptz)
  `.execute(db);
}

const COPY_STATEMENT = `copy message_log (${COLUMNS}) from stdin`;

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: the backslash and the row and column separators are the characters it escapes. */
const copyText = (value: string): string => (COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]!) : value);

/** One entry as a line of COPY's text format (tab-separated, `\N` for null): what the buffer holds on PostgreSQL. */
function copyRow(e: NewMessageLogEntry): string {
  const response = e.response;
  const answer =
    response == null
      ? '\\N\t\\N\t\\N'
      : `${response.messageType}\t${copyText(payloadText(response.payloadJson, response.payload))}\t${(response.createdAt ?? new Date()).toISOString()}`;
  const action = e.action == null ? '\\N' : copyText(storable(e.action));
  return `${copyText(storable(e.stationId))}\t${copyText(e.direction)}\t${e.messageType}\t${copyText(storable(e.messageId))}\t${action}\t${copyText(payloadText(e.payloadJson, e.payload))}\t${(e.createdAt ?? new Date()).toISOString()}\t${answer}\n`;
}

/** A batch as COPY's input, each row encoded straight into one buffer (no string of the whole batch first). */
function copyData(rows: readonly string[]): Buffer {
  let size = 0;
  for (const row of rows) size += Buffer.byteLength(row);
  const data = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const row of rows) offset += data.write(row, offset);
  return data;
}

export function createMessageLogRepository(db: Executor, options: MessageLogOptions = {}): BufferedMessageLog {
  const maxBatch = options.maxBatch ?? 500;
  const interval = options.flushIntervalMs ?? 200;
  const maxPending = options.maxPending ?? 50_000;
  const { copyFrom } = options;
  // The buffer holds rows in the format of the statement that will write them. append() always inserts: it may
  // run inside the caller's transaction, which a COPY on a connection of its own would not be part of.
  const toRow = copyFrom ? copyRow : rowJson;
  const write = copyFrom ? (rows: readonly string[]) => copyFrom(COPY_STATEMENT, copyData(rows)) : (rows: readonly string[]) => insertRows(db, rows);
  let buffer: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let dropped = 0;
  let closed = false;

  /**
   * Writes what is buffered when it starts, and no more: entries that arrive during its inserts wait for the next
   * size or interval flush (which enqueue arranges), instead of each insert being followed at once by another of
   * whatever arrived meanwhile, a stream of small statements under load.
   */
  async function writeBuffered(): Promise<void> {
    let remaining = buffer.length;
    while (remaining > 0) {
      const batch = buffer.slice(0, Math.min(maxBatch, remaining));
      buffer = buffer.slice(batch.length);
      remaining -= batch.length;
      try {
        await write(batch);
      } catch (err) {
        dropped += batch.length;
        options.logger?.error({ err, entries: batch.length }, 'message log batch lost');
      }
    }
  }

  /**
   * Flushes run one after another, so batches land in the order they were enqueued. At most one waits behind the
   * running one and writes everything buffered by the time it starts, so entries that fill the buffer meanwhile
   * join it instead of each queueing a flush of its own.
   */
  let waiting: Promise<void> | undefined;
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (waiting) return waiting;
    const next = chain.then(() => {
      waiting = undefined;
      return writeBuffered();
    });
    waiting = next;
    chain = next;
    return next;
  }

  return {
    get dropped() {
      return dropped;
    },

    append: (entries) => insertRows(db, entries.map(rowJson)),

    enqueue(entry) {
      if (closed) throw new Error('message log is closed');
      if (buffer.length >= maxPending) {
        dropped++;
        return;
      }
      buffer.push(toRow(entry));
      if (buffer.length >= maxBatch) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), interval);
        timer.unref();
      }
    },

    flush,

    async close() {
      closed = true;
      await flush();
    },

    async list(filter: MessageLogFilter = {}) {
      const { limit, offset } = pageOf(filter);
      // Newest first by id: the order entries were enqueued in (flushes run in enqueue order), and the order the
      // API's id cursor pages through. created_at follows it closely: an exchange is enqueued when answered, with
      // the time its CALL arrived.
      let query = db.selectFrom('message_log').selectAll().orderBy('id', 'desc').limit(limit).offset(offset);
      if (filter.stationId !== undefined) query = query.where('station_id', '=', filter.stationId);
      if (filter.action !== undefined) query = query.where('action', '=', filter.action);
      if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toEntry);
    },

    prune: (olderThan, limit) => pruneMessageLog(db, olderThan, limit),
  };
}

/** Entries one prune statement deletes at most. */
export const PRUNE_CHUNK = 10_000;

/**
 * Deletes the oldest entries created before `olderThan`, at most `limit`, by id (ids follow time, see list()): a
 * long backlog goes in many short statements instead of one transaction that holds its locks and writes all its WAL
 * at once.
 */
export async function pruneMessageLog(db: Executor, olderThan: Date, limit = PRUNE_CHUNK): Promise<number> {
  const oldest = db.selectFrom('message_log').select('id').where('created_at', '<', olderThan).orderBy('id').limit(limit);
  const result = await db.deleteFrom('message_log').where('id', 'in', oldest).executeTakeFirst();
  return Number(result.numDeletedRows);
}
