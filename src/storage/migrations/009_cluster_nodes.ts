/**
 * The registry of running nodes (src/storage/relay/nodes.ts), PostgreSQL deployments with several nodes: a node
 * inserts its row at start, refreshes heartbeat_at every few seconds and deletes the row when it closes. A row whose
 * heartbeat is stale belongs to a node that died; any live node removes it and disconnects its stations.
 *
 * `instance` tells two processes with the same node id apart: a second one is refused while the first heartbeats.
 * Created on PGlite too (same migrations everywhere), where nothing uses it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table cluster_nodes (
      node_id text primary key,
      instance uuid not null,
      started_at timestamptz not null default now(),
      -- On the database clock, like every freshness check (nodes' clocks may differ).
      heartbeat_at timestamptz not null default now()
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists cluster_nodes`.execute(db);
}
