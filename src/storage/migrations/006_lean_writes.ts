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
 * - meter_values has no primary key: nothing looks a sample up by id (it only breaks ties in time order), and its
 *   index was 6 % of the WAL of a transaction event. (A table to publish by logical replication then needs
 *   `replica identity full` for deletes.)
 * - message_log is read newest first by id (the API's cursor is an id, so pages are exact) and indexed by
 *   (station_id, id); the `action` index goes: it was another 5 % of the WAL, for a filter that is used with a
 *   station or a time range, or scans the newest entries backwards by id.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table message_log alter column payload type json using payload::json`.execute(db);
  await sql`alter table transaction_events alter column payload type json using payload::json`.execute(db);
  await sql`drop index meter_values_station_idx`.execute(db);
  await sql`create index meter_values_station_idx on meter_values (station_id, timestamp) where transaction_pk is null`.execute(db);
  await sql`alter table transactions set (fillfactor = 70)`.execute(db);
  await sql`alter table meter_values drop constraint meter_values_pkey`.execute(db);
  await sql`drop index message_log_action_idx`.execute(db);
  await sql`drop index message_log_station_idx`.execute(db);
  await sql`create index message_log_station_idx on message_log (station_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index message_log_station_idx`.execute(db);
  await sql`create index message_log_station_idx on message_log (station_id, created_at)`.execute(db);
  await sql`create index message_log_action_idx on message_log (action)`.execute(db);
  await sql`alter table meter_values add primary key (id)`.execute(db);
  await sql`alter table transactions reset (fillfactor)`.execute(db);
  await sql`drop index meter_values_station_idx`.execute(db);
  await sql`create index meter_values_station_idx on meter_values (station_id, timestamp)`.execute(db);
  await sql`alter table transaction_events alter column payload type jsonb using payload::jsonb`.execute(db);
  await sql`alter table message_log alter column payload type jsonb using payload::jsonb`.execute(db);
}
