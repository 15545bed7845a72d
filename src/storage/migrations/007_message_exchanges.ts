/**
 * One message log row per exchange: a CALL the station sent and the answer we gave to it (CALLRESULT or CALLERROR)
 * share a row, instead of the answer being a row of its own. Most traffic is such an exchange, and the answer's
 * own row cost ~9 % of the whole system's CPU per message (measured). Every other frame keeps a row of its own
 * with these columns null.
 *
 * Nullable columns without a default: PostgreSQL only records them in the catalogue, the table is not rewritten.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table message_log
      add column response_type smallint,
      add column response_payload json,
      add column responded_at timestamptz
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table message_log drop column responded_at, drop column response_payload, drop column response_type`.execute(db);
}
