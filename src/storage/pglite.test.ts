// Embedded-database specifics: in-memory mode, and durability of a commit when the process dies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { withTestDatabase } from '../../test/support/db.ts';
import { createRepositories, openDatabase } from './index.ts';

test('PGlite in memory: works and forgets on close', async () => {
  const database = await openDatabase({ dataDir: 'memory://', schema: 'mem' });
  try {
    assert.equal(database.kind, 'pglite');
    assert.equal(database.schema, 'mem');
    const repos = createRepositories(database);
    await repos.stations.create({ id: 'M-1' });
    assert.equal((await repos.stations.list()).length, 1);
  } finally {
    await database.close();
  }
});

test('PGlite: a committed event survives the process being killed', async () => {
  await withTestDatabase('pglite', async (env) => {
    // The child stores an event, reports it, and is killed before it could close anything.
    const child = `
      import { openDatabase, createRepositories } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
      const repos = createRepositories(await openDatabase(${JSON.stringify(env.options)}));
      await repos.stations.create({ id: 'CRASH' });
      await repos.transactions.applyEvent({ stationId: 'CRASH', transactionId: 't1', seqNo: 0, eventType: 'Started',
        timestamp: new Date(), payload: {}, energy: [{ timestamp: new Date(), wh: 42.5 }] });
      process.stdout.write('stored');
      process.kill(process.pid, 'SIGKILL');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8' });
    assert.equal(run.stdout, 'stored', run.stderr);
    assert.equal(run.signal, 'SIGKILL');
    const tx = await createRepositories(await env.open()).transactions.get('CRASH', 't1');
    assert.equal(tx?.meterStartWh, 42.5);
  });
});
