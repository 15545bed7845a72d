/**
 * Cheaper writes on the hot path (every TransactionEvent and every logged frame), measured with bench:csms:
 * - Payloads are stored as `json` (the text, checked to be JSON) instead of `jsonb`. Nothing queries inside them,
 *   and jsonb costs PostgreSQL a parse into a tree, a key sort and, from the batch's JSON input, a round trip
 *   through text for every payload. `json` also keeps the station's key order.
 * - The station index of meter_values covers only samples outside transactions. A transaction's samples are found
 *   through the transaction (meter_values_transaction_idx); indexing them by station too cost an insert at a
 *   random place of a second index for every sample.
 * - transactions keeps room in each page (fillfactor 70): a transaction's row is updated by each of its events, and
 *   with full pages most of those updates went to another page and had to insert into all three indexes; with room
 *   on the page they are HOT updates, which touch no index (78 % of them instead of 14 %, measured).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table message_log alter column payload type json using payload::json`.execute(db);
  await sql`alter table transaction_events alter column payload type json using payload::json`.execute(db);
  await sql`drop index meter_values_station_idx`.execute(db);
  await sql`create index meter_values_station_idx on meter_values (station_id, timestamp) where transaction_pk is null`.execute(db);
  await sql`alter table transactions set (fillfactor = 70)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table transactions reset (fillfactor)`.execute(db);
  await sql`drop index meter_values_station_idx`.execute(db);
  await sql`create index meter_values_station_idx on meter_values (station_id, timestamp)`.execute(db);
  await sql`alter table transaction_events alter column payload type jsonb using payload::jsonb`.execute(db);
  await sql`alter table message_log alter column payload type jsonb using payload::jsonb`.execute(db);
}
