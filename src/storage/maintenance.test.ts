import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDatabase, type TestDatabaseEnv } from '../../test/support/db.ts';
import type { NewMessageLogEntry } from '../domain/model.ts';
import { silentLogger } from '../shared/logger.ts';
import { createRepositories } from './index.ts';
import { PRUNE_LOCK, startMaintenance } from './maintenance.ts';

const NOW = new Date('2026-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

/** A Heartbeat exchange, as the OCPP layer logs it: the station's CALL with our answer 5 ms later. */
function entry(n: number, createdAt: Date, stationId = 'CS-M'): NewMessageLogEntry {
  const answeredAt = new Date(createdAt.getTime() + 5);
  return { stationId, direction: 'in', messageType: 2, messageId: `m-${n}`, action: 'Heartbeat', payload: {}, createdAt, response: { messageType: 3, payload: { currentTime: answeredAt.toISOString() }, createdAt: answeredAt } };
}

/** The test's storage with `entries` in the message log, and maintenance at `retentionDays` (stopped after the test). */
async function setup(env: TestDatabaseEnv, t: { after(fn: () => Promise<void>): void }, retentionDays: number, entries: NewMessageLogEntry[], chunk?: number) {
  const database = await env.open();
  const { messageLog } = createRepositories(database);
  await messageLog.append(entries);
  const maintenance = startMaintenance({ database, retentionDays, chunk, logger: silentLogger(), now: () => NOW });
  t.after(() => maintenance.close());
  return { database, messageLog, maintenance };
}

forEachDatabase('storage maintenance', async (env, t) => {
  await t.test('deletes message log entries past the retention, in chunks, and keeps the rest', async () => {
    const old = Array.from({ length: 25 }, (_, n) => entry(n, daysAgo(40 - n / 10)));
    const recent = Array.from({ length: 5 }, (_, n) => entry(100 + n, daysAgo(29 - n)));
    const { database, messageLog, maintenance } = await setup(env, t, 30, [...old, ...recent], 10);
    const report = await maintenance.run();
    assert.equal(report.pruned, 25, 'three chunks of at most 10');
    assert.equal(report.vacuumed, database.kind === 'pglite');
    const left = await messageLog.list({ stationId: 'CS-M', limit: 100 });
    assert.deepEqual(left.map((e) => e.messageId).sort(), recent.map((e) => e.messageId).sort());
    assert.ok(left.every((e) => e.response?.createdAt.getTime() === e.createdAt.getTime() + 5), 'the exchanges kept keep their answers');
    assert.equal((await maintenance.run()).pruned, 0, 'nothing left to prune');
  });

  await t.test('retention 0 keeps everything', async () => {
    const { messageLog, maintenance } = await setup(env, t, 0, [entry(1, daysAgo(3650), 'CS-KEEP')]);
    assert.equal((await maintenance.run()).pruned, 0);
    assert.equal((await messageLog.list({ stationId: 'CS-KEEP' })).length, 1);
  });

  // Several nodes share one database only on PostgreSQL.
  if (env.backend !== 'postgres') return;
  await t.test('another node holding the prune lock: this one leaves the pruning to it', async () => {
    const { database, messageLog, maintenance } = await setup(env, t, 30, [entry(1, daysAgo(90), 'CS-LOCK')]);
    await database.db.connection().execute(async (other) => {
      await sql`select pg_advisory_lock(${PRUNE_LOCK})`.execute(other);
      assert.equal((await maintenance.run()).pruned, 0);
      await sql`select pg_advisory_unlock(${PRUNE_LOCK})`.execute(other);
    });
    assert.ok((await maintenance.run()).pruned >= 1, 'pruned once the lock is free');
    assert.deepEqual(await messageLog.list({ stationId: 'CS-LOCK' }), []);
  });
});
