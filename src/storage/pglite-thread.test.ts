// PGlite in its worker thread: results, errors and the thread's life (see pglite-thread.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { messages, protocol } from '@electric-sql/pglite';
import { concat, PGliteThread } from './pglite-thread.ts';

let pg: PGliteThread;
before(async () => {
  pg = await PGliteThread.create('memory://', { parsers: { 20: Number } });
  await pg.exec('create table t (id text primary key, n int8, tags text[]); create table c (t text references t)');
});
after(() => pg.close());

/** One Parse/Bind/Execute exchange with parameters, as the dialect sends them. */
function run(text: string, values: (string | null)[]) {
  const { serialize } = protocol;
  return pg.execProtocol(concat([serialize.parse({ text }), serialize.bind({ values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]));
}

test('PGliteThread: query, exec and the protocol return parsed results with our parsers', async () => {
  await pg.query(`insert into t values ('a', 9007199254740991, '{x,y}')`);
  const { rows, command, rowCount } = await pg.query<{ id: string; n: number; tags: string[] }>('select * from t', { rowMode: 'object' });
  assert.deepEqual(rows, [{ id: 'a', n: 9007199254740991, tags: ['x', 'y'] }]);
  assert.equal(command, 'SELECT');
  assert.equal(rowCount, 1);
  assert.equal(pg.serializers[1009]?.(['p', 'q']), '{"p","q"}');
  const [first, second] = await pg.exec('select 1 as one; select 2 as two');
  assert.deepEqual([first?.rows, second?.rows], [[{ one: 1 }], [{ two: 2 }]]);
  assert.ok((await run('select $1::text as v', ['hello'])).some((m) => m.name === 'dataRow'));
});

test('PGliteThread: a PostgreSQL error arrives as the DatabaseError PGlite throws, with code and detail', async () => {
  await pg.query(`insert into t values ('dup')`);
  const unique = await pg.query(`insert into t values ('dup')`).catch((e: unknown) => e);
  assert.ok(unique instanceof messages.DatabaseError);
  assert.equal(unique.code, '23505');
  assert.equal(unique.detail, 'Key (id)=(dup) already exists.');
  assert.equal(unique.constraint, 't_pkey');
  const foreign = await run('insert into c values ($1)', ['missing']).catch((e: unknown) => e);
  assert.ok(foreign instanceof messages.DatabaseError);
  assert.equal(foreign.code, '23503');
  await assert.rejects(pg.exec('selec 1'), { code: '42601' });
  // The session goes on after errors.
  assert.deepEqual((await pg.query('select 1 as ok', { rowMode: 'object' })).rows, [{ ok: 1 }]);
});

test('PGliteThread: the event loop runs while the worker executes a statement', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  try {
    await pg.query('select count(*) from generate_series(1, 2000000)');
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 50 || ticks > 0, `no timer ran during a ${Math.round(elapsed)} ms statement`);
});

test('PGliteThread: a worker that dies fails the waiting call and every later one', async () => {
  const doomed = await PGliteThread.create('memory://');
  const pending = doomed.query('select count(*) from generate_series(1, 5000000)');
  await doomed.worker.terminate();
  await assert.rejects(pending, /PGlite worker exited/);
  await assert.rejects(doomed.query('select 1'), /PGlite worker exited/);
  assert.equal(doomed.closed, true);
  await doomed.close();
});

test('PGliteThread: close ends the worker; an open idle database does not keep the process alive', async () => {
  const closing = await PGliteThread.create('memory://');
  let exited = false;
  closing.worker.once('exit', () => (exited = true));
  await closing.close();
  assert.equal(exited, true);
  await assert.rejects(closing.query('select 1'), /closed/);
  await closing.close();

  const child = `
    import { PGliteThread } from ${JSON.stringify(new URL('./pglite-thread.ts', import.meta.url).href)};
    const pg = await PGliteThread.create('memory://');
    await pg.query('select 1');
    setTimeout(() => process.stdout.write('idle'), 10);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.stdout, 'idle', run.stderr);
  assert.equal(run.status, 0);
});
