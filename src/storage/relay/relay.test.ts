/**
 * The command relay between two nodes on one PostgreSQL schema, with fake local gateways: outcomes and failures
 * arrive as the target produced them, a target without a fresh heartbeat is offline at once, a caller never waits
 * past its timeout, a withdrawn request is never run,
 * and notifications lost while a listener was down (its connection killed with pg_terminate_backend) are made up
 * for when it listens again. PostgreSQL only: PGlite is one node and has no relay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTestDatabase } from '../../../test/support/db.ts';
import { CommandError, type CommandOutcome, type OperatorCommand, type StationCommandGateway } from '../../domain/commands/types.ts';
import { silentLogger } from '../../shared/logger.ts';
import type { Database } from '../db.ts';
import { createNodeRegistry, type NodeRegistry } from './nodes.ts';
import { createCommandRelay, type NodeCommandRelay } from './relay.ts';
import { nodeChannel } from './wire.ts';

const url = process.env.TEST_DATABASE_URL;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A local gateway that records what it runs and answers with `run`. */
function fakeLocal(run: (stationId: string, command: OperatorCommand) => Promise<CommandOutcome>): StationCommandGateway & { received: { stationId: string; command: OperatorCommand; timeoutMs: number }[] } {
  const received: { stationId: string; command: OperatorCommand; timeoutMs: number }[] = [];
  return {
    received,
    execute(stationId, command, options) {
      received.push({ stationId, command, timeoutMs: options.timeoutMs });
      return run(stationId, command);
    },
  };
}

const accepted: CommandOutcome = {
  calls: [{ action: 'GetVariables', request: { getVariableData: [] }, response: { getVariableResult: [] } }],
  status: undefined,
  result: { variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', status: 'Accepted', value: '300' }] },
};

if (url) {
  describe('command relay between nodes [postgres]', () => {
    let database: Database;
    let cleanup: (() => Promise<void>) | undefined;
    const relays: NodeCommandRelay[] = [];
    const registries: NodeRegistry[] = [];

    before(async () => {
      await withTestDatabase('postgres', async (env) => void (database = await env.open()), (remove) => (cleanup = remove));
    });
    after(async () => {
      for (const relay of relays) await relay.close();
      for (const registry of registries) await registry.close();
      await cleanup?.();
    });

    /** A node that heartbeats in the registry (a target without a fresh heartbeat is dead to the relay). */
    async function alive(nodeId: string): Promise<void> {
      const registry = createNodeRegistry({ db: database.db, nodeId, logger: silentLogger() });
      registries.push(registry);
      await registry.start();
    }

    async function node(nodeId: string, local: StationCommandGateway, reconnectDelayMs = 250): Promise<NodeCommandRelay> {
      await alive(nodeId);
      const relay = createCommandRelay({ db: database.db, url: url as string, schema: database.schema, nodeId, local, logger: silentLogger(), listener: { reconnectDelayMs } });
      relays.push(relay);
      await relay.start();
      return relay;
    }

    const rows = async (): Promise<number> => (await sql<{ n: number }>`select count(*)::int as n from command_relay`.execute(database.db)).rows[0]?.n ?? -1;

    /** Kills the listener connection of `nodeId` and waits until the server has let it go. */
    async function killListener(nodeId: string): Promise<void> {
      const channel = nodeChannel(database.schema, nodeId);
      // In the select list, so that only the rows the filter kept are terminated.
      const killed = await sql<{ killed: boolean }>`select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = ${channel}`.execute(database.db);
      assert.deepEqual(killed.rows, [{ killed: true }], `one listener of ${nodeId}`);
      for (let i = 0; i < 200; i++) {
        const left = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${channel}`.execute(database.db);
        if (left.rows[0]?.n === 0) return;
        await sleep(10);
      }
      assert.fail(`the listener of ${nodeId} did not go away`);
    }

    test('the outcome comes back as the target returned it; the target gets what is left of the timeout', async () => {
      const target = fakeLocal(async () => accepted);
      await node('out-a', target);
      const caller = await node('out-b', fakeLocal(async () => assert.fail('the caller runs nothing')));
      const command: OperatorCommand = { name: 'getVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }] };
      assert.deepEqual(await caller.forward('out-a', 'CS-1', command, { timeoutMs: 5000 }), accepted);
      assert.equal(target.received.length, 1);
      assert.deepEqual([target.received[0]?.stationId, target.received[0]?.command], ['CS-1', command]);
      const budget = target.received[0]?.timeoutMs ?? 0;
      assert.ok(budget > 4000 && budget <= 5000, `budget ${budget} ms`);
      assert.equal(await rows(), 0, 'the caller removed the row');
    });

    test('failures keep their kind, message and CALLERROR; anything else is an internal error', async () => {
      const rpc = { code: 'InternalError', description: 'relay stuck', details: { where: 'contactor' } };
      const failures: Record<string, unknown> = {
        'CS-REJ': new CommandError('rejected', 'station CS-REJ answered Reset with CALLERROR InternalError: relay stuck', rpc),
        'CS-OFF': new CommandError('offline', 'station CS-OFF is not connected'),
        'CS-BUG': new TypeError('a bug'),
      };
      await node('fail-a', fakeLocal(async (stationId) => Promise.reject(failures[stationId])));
      const caller = await node('fail-b', fakeLocal(async () => accepted));
      const reset: OperatorCommand = { name: 'reset', type: 'Immediate' };
      await assert.rejects(caller.forward('fail-a', 'CS-REJ', reset, { timeoutMs: 5000 }), (error: unknown) => {
        assert.ok(error instanceof CommandError);
        assert.deepEqual([error.kind, error.message, error.rpc], ['rejected', 'station CS-REJ answered Reset with CALLERROR InternalError: relay stuck', rpc]);
        return true;
      });
      await assert.rejects(caller.forward('fail-a', 'CS-OFF', reset, { timeoutMs: 5000 }), { name: 'CommandError', kind: 'offline', message: 'station CS-OFF is not connected' });
      await assert.rejects(caller.forward('fail-a', 'CS-BUG', reset, { timeoutMs: 5000 }), (error: unknown) => {
        assert.ok(!(error instanceof CommandError) && error instanceof Error, 'a 500, not a command failure');
        assert.match(error.message, /fail-a/);
        return true;
      });
    });

    test('a target without a fresh heartbeat: offline at once, nothing posted', async () => {
      const caller = await node('dead-b', fakeLocal(async () => accepted));
      // Registered, then its heartbeat went stale (the process died without a word); and one never registered.
      await alive('dead-a');
      await sql`update cluster_nodes set heartbeat_at = now() - interval '1 hour' where node_id = 'dead-a'`.execute(database.db);
      for (const target of ['dead-a', 'never-a']) {
        const started = Date.now();
        await assert.rejects(caller.forward(target, 'CS-1', { name: 'clearCache' }, { timeoutMs: 5000 }), {
          name: 'CommandError',
          kind: 'offline',
          message: `station CS-1 is not connected: node ${target}, which its record names, is not running`,
        });
        assert.ok(Date.now() - started < 1000, 'not at the timeout');
      }
      assert.equal(await rows(), 0, 'nothing posted');
    });

    test('nobody listening for the target: timeout at the caller timeout, row removed; a late target does not run it', async () => {
      // Alive (heartbeating) but not listening yet.
      await alive('late-a');
      const caller = await node('late-b', fakeLocal(async () => accepted));
      const started = Date.now();
      await assert.rejects(caller.forward('late-a', 'CS-1', { name: 'clearCache' }, { timeoutMs: 300 }), { name: 'CommandError', kind: 'timeout' });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 290 && elapsed < 1500, `answered after ${elapsed} ms`);
      assert.equal(await rows(), 0);

      // A row whose caller died long ago is removed by the next node that starts listening.
      await sql`insert into command_relay (id, target_node, reply_node, station_id, command, deadline)
                values (gen_random_uuid(), 'late-a', 'dead-node', 'CS-1', '{"name":"clearCache"}', now() - interval '2 minutes')`.execute(database.db);
      const late = fakeLocal(async () => accepted);
      const relay = createCommandRelay({ db: database.db, url: url as string, schema: database.schema, nodeId: 'late-a', local: late, logger: silentLogger() });
      relays.push(relay);
      await relay.start();
      await sleep(300);
      assert.deepEqual(late.received, [], 'neither the withdrawn nor the expired request ran');
      assert.equal(await rows(), 0, 'the abandoned row was purged');
    });

    test('a request notified while the target was not listening runs when it listens again', async () => {
      const target = fakeLocal(async () => accepted);
      await node('gap-a', target, 800);
      const caller = await node('gap-b', fakeLocal(async () => accepted));
      await killListener('gap-a');
      const started = Date.now();
      assert.deepEqual(await caller.forward('gap-a', 'CS-1', { name: 'clearCache' }, { timeoutMs: 8000 }), accepted);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 5000, `answered after ${elapsed} ms, once the target listened again (not at the timeout)`);
      assert.equal(target.received.length, 1, 'run once');
    });

    test('a reply notified while the caller was not listening is collected when it listens again', async () => {
      await node('reply-a', fakeLocal(async () => (await sleep(500), accepted)));
      const caller = await node('reply-b', fakeLocal(async () => accepted), 1500);
      const started = Date.now();
      const forwarded = caller.forward('reply-a', 'CS-1', { name: 'clearCache' }, { timeoutMs: 8000 });
      await killListener('reply-b');
      assert.deepEqual(await forwarded, accepted);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1000 && elapsed < 5000, `answered after ${elapsed} ms: after the reconnect, long before the timeout`);
    });
  });
}
