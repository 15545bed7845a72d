import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { forEachDatabase } from '../../test/support/db.ts';
import { openDatabase } from './db.ts';

forEachDatabase('introspection sees our schema only', async (env) => {
  const database = await env.open();
  const tables = await database.db.introspection.getTables();
  const names = tables.map((t) => t.name);
  assert.ok(names.includes('stations') && names.includes('kysely_migration'), names.join(','));
  assert.ok(tables.every((t) => t.schema === database.schema));
  assert.deepEqual(await database.db.introspection.getSchemas(), [{ name: database.schema }]);
});

// The failure this prevents: Kysely's own introspector reads every schema on the server and aborted a migration
// with `schema "…" does not exist` whenever another schema was dropped meanwhile (seen in parallel test runs).
const url = process.env.TEST_DATABASE_URL;
test('PostgreSQL: databases open while other schemas are dropped', { skip: url ? false : 'TEST_DATABASE_URL not set' }, async () => {
  if (!url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const victims = Array.from({ length: 12 }, () => `joule_victim_${randomBytes(5).toString('hex')}`);
  const opened = Array.from({ length: 6 }, () => `joule_test_${randomBytes(6).toString('hex')}`);
  try {
    for (const schema of victims) await admin.query(`create schema ${schema}; create table ${schema}.t (id serial primary key, v text)`);
    const drops = (async () => {
      for (const schema of victims) await admin.query(`drop schema ${schema} cascade`);
    })();
    const opens = opened.map(async (schema) => {
      const database = await openDatabase({ url, schema, poolSize: 2 });
      await database.close();
    });
    const results = await Promise.allSettled([drops, ...opens]);
    assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
  } finally {
    for (const schema of [...victims, ...opened]) await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
});
