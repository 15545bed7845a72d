/**
 * The node registry on PostgreSQL: a node registers, heartbeats and leaves; a second process with a live node's id
 * is refused while a crashed node's id can be taken over; the sweep removes dead nodes with their connected
 * stations and expired relay rows, leaves live nodes alone and is safe to run from several nodes at once; a node
 * swept while alive registers again. Staleness is made by moving heartbeat_at back, so nothing waits for timers.
 * PostgreSQL only: PGlite is one node and has no registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTestDatabase } from '../../../test/support/db.ts';
import { silentLogger } from '../../shared/logger.ts';
import type { Database } from '../db.ts';
import { createRepositories } from '../index.ts';
import { createNodeRegistry, DuplicateNodeError, type NodeRegistry } from './nodes.ts';

const url = process.env.TEST_DATABASE_URL;
/** Older than any registry's staleAfterMs in these tests. */
const DEAD_S = 1200;

if (url) {
  describe('node registry [postgres]', () => {
    let database: Database;
    let cleanup: (() => Promise<void>) | undefined;
    const registries: NodeRegistry[] = [];

    before(async () => {
      await withTestDatabase('postgres', async (env) => void (database = await env.open()), (remove) => (cleanup = remove));
    });
    after(async () => {
      for (const registry of registries) await registry.close();
      await cleanup?.();
    });

    /** A registry whose timer never fires during a test (heartbeats and sweeps are called by the test); stale after 10 minutes. */
    function registry(nodeId: string, onRejoined?: () => void): NodeRegistry {
      const created = createNodeRegistry({ db: database.db, nodeId, logger: silentLogger(), heartbeatMs: 600_000, staleAfterMs: 600_001 });
      if (onRejoined) created.listen({ rejoined: onRejoined });
      registries.push(created);
      return created;
    }
    const row = async (nodeId: string) =>
      (await sql<{ instance: string; heartbeat_at: Date }>`select instance, heartbeat_at from cluster_nodes where node_id = ${nodeId}`.execute(database.db)).rows[0];
    const age = (nodeId: string, seconds: number) => sql`update cluster_nodes set heartbeat_at = now() - ${seconds}::int * interval '1 second' where node_id = ${nodeId}`.execute(database.db);

    test('registers at start, heartbeats, and removes its row on close', async () => {
      const node = registry('life-a');
      await node.start();
      const first = await row('life-a');
      assert.ok(first, 'registered');
      await age('life-a', 5);
      await node.heartbeat();
      const second = await row('life-a');
      assert.ok(second && second.heartbeat_at > first.heartbeat_at, 'the heartbeat moved forward');
      assert.equal(second.instance, first.instance);
      await node.close();
      assert.equal(await row('life-a'), undefined, 'gone after close');
    });

    /** A registry with a running heartbeat timer (every 100 ms; stale after 1 s); close it before the test ends. */
    function beating(nodeId: string): NodeRegistry {
      const created = createNodeRegistry({ db: database.db, nodeId, logger: silentLogger(), heartbeatMs: 100, staleAfterMs: 1000 });
      registries.push(created);
      return created;
    }

    test('a second process with a live node id is refused once it sees the heartbeat move, naming the id', async () => {
      const live = beating('dup-a');
      await live.start();
      const started = Date.now();
      await assert.rejects(beating('dup-a').start(), (error: unknown) => {
        assert.ok(error instanceof DuplicateNodeError);
        assert.equal(error.nodeId, 'dup-a');
        assert.match(error.message, /node id "dup-a" is in use by another running Joule process/);
        return true;
      });
      assert.ok(Date.now() - started < 1000, 'refused within a few heartbeats, before the row could go stale');
      const after = await row('dup-a');
      await live.close();
      assert.ok(after, 'the live row stayed');
    });

    test('a process that crashed a moment ago (fresh heartbeat that no longer moves): the new start waits and takes over', async () => {
      const crashedInstance = '7d1c5c57-2f4e-4b8e-9a57-0c1c7d1c5c57';
      await sql`insert into cluster_nodes (node_id, instance) values ('crash-now', ${crashedInstance})`.execute(database.db);
      const started = Date.now();
      const node = beating('crash-now');
      await node.start();
      const waited = Date.now() - started;
      const now = await row('crash-now');
      // Its timer would sweep the other tests' aged rows in the background.
      await node.close();
      assert.ok(now && now.instance !== crashedInstance, 'taken over by the new instance');
      assert.ok(waited >= 800, `waited for the old heartbeat to go stale (${waited} ms)`);
    });

    test('a crashed node (stale heartbeat) starts again under its id; the old instance cannot heartbeat over it', async () => {
      const crashed = registry('crash-a');
      await crashed.start();
      const old = await row('crash-a');
      await age('crash-a', DEAD_S);
      const restarted = registry('crash-a');
      await restarted.start();
      const now = await row('crash-a');
      assert.ok(old && now && now.instance !== old.instance, 'taken over by the new instance');
      await crashed.heartbeat();
      assert.equal((await row('crash-a'))?.instance, now.instance, 'the old instance did not take it back');
    });

    test('the sweep: dead nodes go with their connected stations and expired relay rows; live nodes stay; twice at once is safe', async () => {
      const { stations } = createRepositories(database);
      const me = registry('sweep-me');
      const other = registry('sweep-other');
      await me.start();
      await other.start();
      await registry('sweep-dead').start();
      for (const [id, node] of [['SW-DEAD-1', 'sweep-dead'], ['SW-DEAD-2', 'sweep-dead'], ['SW-LIVE', 'sweep-other'], ['SW-ME', 'sweep-me']] as const) {
        await stations.create({ id });
        await stations.markConnected(id, node, 'ocpp2.0.1', new Date());
      }
      await stations.create({ id: 'SW-GONE' });
      await age('sweep-dead', DEAD_S);
      await sql`insert into command_relay (id, target_node, reply_node, station_id, command, deadline)
                values (gen_random_uuid(), 'sweep-dead', 'sweep-other', 'SW-DEAD-1', '{"name":"clearCache"}', now() - interval '2 minutes'),
                       (gen_random_uuid(), 'sweep-other', 'sweep-me', 'SW-LIVE', '{"name":"clearCache"}', now() + interval '1 minute')`.execute(database.db);

      const reports = await Promise.all([me.sweep(), other.sweep()]);
      assert.deepEqual(reports.flatMap((r) => r.deadNodes), ['sweep-dead'], 'one sweeper removed it');
      assert.deepEqual(reports.flatMap((r) => r.disconnectedStations).sort(), ['SW-DEAD-1', 'SW-DEAD-2']);
      assert.equal(reports.reduce((n, r) => n + r.purgedRequests, 0), 1);
      assert.equal(await row('sweep-dead'), undefined);
      const connected = async (id: string) => (await stations.get(id))?.connected;
      assert.deepEqual(
        [await connected('SW-DEAD-1'), await connected('SW-DEAD-2'), await connected('SW-LIVE'), await connected('SW-ME')],
        [false, false, true, true],
      );
      const left = await sql<{ target_node: string }>`select target_node from command_relay`.execute(database.db);
      assert.deepEqual(left.rows, [{ target_node: 'sweep-other' }], 'the request still within its deadline stays');
      assert.deepEqual(await other.sweep(), { deadNodes: [], disconnectedStations: [], purgedRequests: 0 }, 'nothing left to do');

      // A node whose own heartbeat is late never sweeps itself (its next heartbeat refreshes it); others do.
      await age('sweep-me', DEAD_S);
      assert.deepEqual((await me.sweep()).deadNodes, []);
      assert.equal(await connected('SW-ME'), true);
      assert.deepEqual((await other.sweep()).deadNodes, ['sweep-me']);
      assert.equal(await connected('SW-ME'), false);
      await sql`delete from command_relay`.execute(database.db);
    });

    test('a node swept while alive registers again at its next heartbeat and says so', async () => {
      let rejoined = 0;
      const node = registry('rejoin-a', () => rejoined++);
      await node.start();
      const instance = (await row('rejoin-a'))?.instance;
      await node.heartbeat();
      assert.equal(rejoined, 0);
      await sql`delete from cluster_nodes where node_id = 'rejoin-a'`.execute(database.db);
      await node.heartbeat();
      assert.equal(rejoined, 1);
      assert.equal((await row('rejoin-a'))?.instance, instance);
    });

    test('the timer heartbeats on its own', async () => {
      const node = createNodeRegistry({ db: database.db, nodeId: 'timer-a', logger: silentLogger(), heartbeatMs: 100, staleAfterMs: 1000 });
      registries.push(node);
      await node.start();
      const first = await row('timer-a');
      await new Promise((resolve) => setTimeout(resolve, 400));
      const later = await row('timer-a');
      assert.ok(first && later && later.heartbeat_at > first.heartbeat_at);
    });

    test('staleAfterMs must exceed heartbeatMs', () => {
      assert.throws(() => createNodeRegistry({ db: database.db, nodeId: 'bad', logger: silentLogger(), heartbeatMs: 1000, staleAfterMs: 1000 }), /staleAfterMs/);
    });
  });
}
