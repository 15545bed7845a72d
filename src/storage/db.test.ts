import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { forEachDatabase } from '../../test/support/db.ts';
import { migrations, staticMigrationProvider } from './migrations/index.ts';
import { createRepositories, openDatabase } from './index.ts';

forEachDatabase('migrations run once and are idempotent on restart', async (env) => {
  const first = await env.open();
  const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(first.db);
  assert.deepEqual(
    applied.rows.map((r) => r.name),
    Object.keys(migrations),
  );
  await createRepositories(first).stations.create({ id: 'CS-1' });
  await first.close();

  const second = await env.open();
  const again = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(second.db);
  assert.equal(again.rows[0]?.n, Object.keys(migrations).length);
  assert.equal((await createRepositories(second).stations.get('CS-1'))?.id, 'CS-1', 'data survives the restart');
});

forEachDatabase('migration 007 adds the exchange columns to message_log without rewriting it', async (env) => {
  const database = await env.open();
  const { messageLog } = createRepositories(database);
  await messageLog.append([{ stationId: 'CS-7', direction: 'in', messageType: 2, messageId: 'm-1', action: 'Heartbeat', payload: {} }]);
  const fileOf = async () => (await sql<{ file: number }>`select pg_relation_filenode('message_log')::int as file`.execute(database.db)).rows[0]?.file;
  const migrator = new Migrator({ db: database.db, provider: staticMigrationProvider, migrationTableSchema: database.schema });
  assert.deepEqual((await migrator.migrateTo('006_lean_writes')).results?.map((r) => r.migrationName), ['009_cluster_nodes', '008_command_relay', '007_message_exchanges']);
  const before = await fileOf();
  assert.deepEqual((await migrator.migrateToLatest()).results?.map((r) => [r.migrationName, r.status]), [
    ['007_message_exchanges', 'Success'],
    ['008_command_relay', 'Success'],
    ['009_cluster_nodes', 'Success'],
  ]);
  assert.equal(await fileOf(), before, 'same storage file: the table was not rewritten');
  const [entry] = await messageLog.list({ stationId: 'CS-7' });
  assert.deepEqual([entry?.messageId, entry?.response], ['m-1', null], 'rows kept, without an answer');
});

forEachDatabase('int8, numeric, jsonb, arrays and timestamps come back as the same JS types', async (env) => {
  const database = await env.open();
  const row = await sql<{ i: unknown; n: unknown; j: unknown; a: unknown; t: unknown }>`
    select 9007199254740991::int8 as i, 1234.567::numeric as n, '{"a":[1,2]}'::jsonb as j, array['x','y'] as a,
           '2025-01-02T03:04:05.678Z'::timestamptz as t`.execute(database.db);
  assert.deepEqual(row.rows[0], { i: 9007199254740991, n: '1234.567', j: { a: [1, 2] }, a: ['x', 'y'], t: new Date('2025-01-02T03:04:05.678Z') });
});

forEachDatabase('tables live in the configured schema only', async (env) => {
  const database = await env.open();
  const where = await sql<{ schema: string }>`select table_schema as schema from information_schema.tables where table_name = 'transactions'
    and table_schema = current_schema()`.execute(database.db);
  assert.equal(where.rows[0]?.schema, database.schema);
});

test('rejects schema names that are not plain identifiers', async () => {
  await assert.rejects(openDatabase({ dataDir: 'memory://', schema: 'x; drop table y' }), /invalid schema name/);
});

forEachDatabase('a connection the server drops while it is checked out fails its work, not the process', async (env) => {
  const database = await env.open();
  if (database.kind !== 'postgres') return; // PGlite has no server to drop us
  const pid = async (db: typeof database.db) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
  const killer = await env.open();
  const failed = await database.db
    .transaction()
    .execute(async (trx) => {
      const own = await pid(trx);
      // Terminated between two statements: the server's FATAL arrives while no query is active on the client,
      // which pg reports as an 'error' event on the checked-out client (unhandled, it would end the process).
      await sql`select pg_terminate_backend(${own})`.execute(killer.db);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sql`select 1`.execute(trx);
    })
    .then(
      () => false,
      () => true,
    );
  assert.equal(failed, true, 'the transaction fails');
  assert.equal((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows[0]?.one, 1, 'later work gets a new connection');
});
