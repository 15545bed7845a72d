/**
 * The mailbox of commands between nodes on one PostgreSQL database (src/storage/relay/). A node that gets a
 * command for a station connected to another node writes it here and NOTIFYs that node with the row id only
 * (NOTIFY payloads are limited to 8000 bytes and lost while nobody listens; the row is not): the target claims
 * the row (pending → running), runs the command on its own connection, stores the outcome (done) and NOTIFYs the
 * caller, which reads and deletes the row. Rows live seconds; a caller that gives up deletes its row, so a late
 * target finds nothing to run.
 *
 * Not command_jobs: synchronous commands are no jobs (GET /jobs would list them), and a relayed job is still run,
 * stored and webhooked by the node that accepted it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table command_relay (
      id uuid primary key,
      target_node text not null,
      reply_node text not null,
      station_id text not null,
      command json not null,
      status text not null default 'pending',
      outcome json,
      -- The caller's timeout, on the database clock (nodes' clocks may differ): nothing runs after it.
      deadline timestamptz not null,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  // What a (re)connecting node looks for: rows addressed to it that nobody has claimed.
  await sql`create index command_relay_pending_idx on command_relay (target_node) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists command_relay`.execute(db);
}
