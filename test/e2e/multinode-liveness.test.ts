/**
 * Node liveness with real processes on one PostgreSQL schema: node B runs in this process, node A in a child process
 * (test/support/joule-node.ts) that holds a station. A second process started with A's node id while A runs is
 * refused and touches nothing; A taken for dead while alive registers again and records its station again. A killed with SIGKILL: once its heartbeat is stale B's sweep marks the station
 * disconnected, and a command for a station whose record still names A is 409 at once, not 504 at the timeout.
 * A restarted under its id starts again, and its clean stop removes its registry row; a start that fails later
 * (port in use) removes it too. PostgreSQL only: with the
 * embedded database there is one node.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTestDatabase } from '../support/db.ts';
import { eventually, RawStation, SseReader, startApi, type TestApi } from './api-support.ts';

const url = process.env.TEST_DATABASE_URL;
const PASSWORD = 'station-password-0001';
const NODE_SCRIPT = join(import.meta.dirname, '../support/joule-node.ts');
/**
 * Fast liveness, so the test waits seconds for a node to count as dead; not faster: a node starting up blocks its
 * event loop for a while (schema compilation), and on a busy machine a shorter staleness takes it for dead meanwhile.
 */
const CLUSTER = { 'cluster.heartbeatMs': 200, 'cluster.staleAfterMs': 2500 };
const TIMEOUT_MS = 5000;

/** A Joule node in a process of its own. */
class NodeProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;

  constructor(nodeId: string, schema: string, overrides: Record<string, unknown> = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        JOULE_NODE_ID: nodeId,
        JOULE_TEST_SCHEMA: schema,
        JOULE_TEST_OVERRIDES: JSON.stringify({ ...CLUSTER, 'ocpp.callTimeoutMs': TIMEOUT_MS, 'ocpp.pingIntervalMs': 0, ...overrides }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The port once it listens; throws when it exits first. */
  async ready(): Promise<number> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    const match = await eventually(() => /ready (\d+)/.exec(this.stdout) ?? (exited ? null : undefined), 60_000, 'the node to start');
    if (match === null) throw new Error(`the node exited: ${this.stderr}`);
    return Number(match[1]);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

if (url) {
  describe('node liveness across processes [postgres]', () => {
    let b: TestApi;
    let a: NodeProcess;
    let station: RawStation | undefined;
    let schema: string;
    const processes: NodeProcess[] = [];
    let removeSchema: (() => Promise<void>) | undefined;

    const startNode = (nodeId: string, overrides?: Record<string, unknown>): NodeProcess => {
      const node = new NodeProcess(nodeId, schema, overrides);
      processes.push(node);
      return node;
    };
    const registered = async (nodeId: string): Promise<string | undefined> =>
      (await sql<{ instance: string }>`select instance from cluster_nodes where node_id = ${nodeId}`.execute(b.joule.database.db)).rows[0]?.instance;
    const stationState = async (id: string): Promise<string> => {
      const { body } = await b.call('GET', `/stations/${id}`);
      return `${String(body.connected)}@${String(body.nodeId)}`;
    };

    before(async () => {
      schema = await withTestDatabase('postgres', async (env) => env.options.schema as string, (remove) => (removeSchema = remove));
      b = await startApi({ 'storage.databaseUrl': url, 'ocpp.callTimeoutMs': TIMEOUT_MS, ...CLUSTER }, { databaseSchema: schema, nodeId: 'node-b' });
      for (const id of ['LV-1', 'LV-2']) {
        const created = await b.call('POST', '/stations', { body: { id, securityProfile: 1, password: PASSWORD, registrationStatus: 'Accepted' } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      a = startNode('node-a');
      station = await RawStation.connect(await a.ready(), 'LV-1', { password: PASSWORD, answer: () => ({ result: { status: 'Accepted' } }) });
      await eventually(async () => ((await stationState('LV-1')) === 'true@node-a' ? true : undefined), 5000, 'LV-1 recorded on node A');
    });
    after(async () => {
      await station?.close();
      for (const node of processes) await node.stop('SIGKILL');
      await b?.close();
      await removeSchema?.();
    });

    test('while A runs, a command through B reaches the station through A', async () => {
      const response = await b.call('POST', '/stations/LV-1/commands/reset', { body: { type: 'Immediate' } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.status, 'Accepted');
    });

    test("a second process with A's node id is refused, naming the id, and leaves A's stations alone", async () => {
      const before = await registered('node-a');
      const second = startNode('node-a');
      assert.equal(await second.exited, 1);
      assert.match(second.stderr, /node id "node-a" is in use by another running Joule process/);
      assert.doesNotMatch(second.stdout, /ready/);
      assert.equal(await registered('node-a'), before, "A's registration unchanged");
      assert.equal(await stationState('LV-1'), 'true@node-a', 'still recorded as connected to A');
      const response = await b.call('POST', '/stations/LV-1/commands/reset', { body: { type: 'Immediate' } });
      assert.equal(response.status, 200, 'A still gets the commands');
    });

    test('A taken for dead while alive (swept as a late heartbeat would be): it registers again and records its station again', async () => {
      const before = await registered('node-a');
      // What B's sweep does to a node whose heartbeat is late.
      const swept = await sql<{ id: string }>`with dead as (delete from cluster_nodes where node_id = 'node-a' returning node_id)
                update stations set connected = false where connected and node_id in (select node_id from dead) returning id`.execute(b.joule.database.db);
      assert.deepEqual(swept.rows, [{ id: 'LV-1' }]);
      await eventually(async () => ((await stationState('LV-1')) === 'true@node-a' ? true : undefined), 5000, 'LV-1 recorded on node A again');
      assert.equal(await registered('node-a'), before, 'the same instance');
      const response = await b.call('POST', '/stations/LV-1/commands/reset', { body: { type: 'Immediate' } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    });

    test('a start that fails after registering (port in use) lets go of its node id at once', async () => {
      const failed = startNode('node-c', { port: b.joule.port });
      assert.equal(await failed.exited, 1);
      assert.match(failed.stderr, /EADDRINUSE/);
      assert.equal(await registered('node-c'), undefined);
    });

    test('A killed: a command waiting on A is 409 once A counts as dead; the sweep marks its station disconnected and announces it; a command for a station on A is 409 at once', async () => {
      const stream = await SseReader.open(`${b.base}/api/v1/events?types=station.disconnected&station=LV-1`, b.key);
      // A command through B that A has taken and sent to the station, which stays silent; its deadline is far off.
      station?.setAnswer(() => 'silence');
      const waitingSince = Date.now();
      const waitingCommand = b.call('POST', '/stations/LV-1/commands/reset?timeoutMs=60000', { body: { type: 'Immediate' } });
      const running = async () => (await sql<{ n: number }>`select count(*)::int as n from command_relay where status = 'running'`.execute(b.joule.database.db)).rows[0]?.n;
      await eventually(async () => ((await running()) === 1 ? true : undefined), 5000, 'the command running on A');
      try {
        assert.equal(await a.stop('SIGKILL'), null);
        const killedAt = Date.now();
        const waited = await waitingCommand;
        assert.equal(waited.status, 409, JSON.stringify(waited.body));
        assert.equal(waited.body.error, 'station_offline');
        assert.ok(Date.now() - killedAt < 10_000, `answered ${Date.now() - killedAt} ms after A died (${Date.now() - waitingSince} ms after it was asked), not at its 60 s deadline`);
        await eventually(async () => ((await stationState('LV-1')) === 'false@node-a' ? true : undefined), 10_000, 'LV-1 marked disconnected by the sweep');
        assert.ok(Date.now() - killedAt < 6000, `swept after ${Date.now() - killedAt} ms`);
        assert.equal(await registered('node-a'), undefined, "A's registration removed");
        // B's sweep announces it as A would have: the live stream (and OCPI's EVSE statuses) learn it.
        const announced = await stream.waitFor((e) => e.event === 'station.disconnected', 5000);
        assert.equal((announced.data as { code?: number }).code, 1006);
      } finally {
        stream.close();
      }

      // A record that still names A (written after the sweep): no heartbeat of A, so 409 without waiting.
      await b.joule.repos.stations.markConnected('LV-2', 'node-a', 'ocpp2.0.1', new Date());
      for (const id of ['LV-1', 'LV-2']) {
        const started = Date.now();
        const response = await b.call('POST', `/stations/${id}/commands/reset`, { body: { type: 'Immediate' } });
        const elapsed = Date.now() - started;
        assert.equal(response.status, 409, JSON.stringify(response.body));
        assert.equal(response.body.error, 'station_offline');
        assert.ok(elapsed < 1000, `answered after ${elapsed} ms, not at the ${TIMEOUT_MS} ms timeout`);
      }
      const left = await sql<{ n: number }>`select count(*)::int as n from command_relay`.execute(b.joule.database.db);
      assert.equal(left.rows[0]?.n, 0, 'nothing posted to the mailbox');
    });

    test('A restarted under its id starts; its clean stop removes its registration', async () => {
      const restarted = startNode('node-a');
      const port = await restarted.ready();
      assert.notEqual(await registered('node-a'), undefined);
      await eventually(async () => ((await stationState('LV-2')) === 'false@node-a' ? true : undefined), 5000, 'the stations of its previous run marked disconnected');
      const again = await RawStation.connect(port, 'LV-2', { password: PASSWORD, answer: () => ({ result: { status: 'Accepted' } }) });
      try {
        await eventually(async () => ((await stationState('LV-2')) === 'true@node-a' ? true : undefined), 5000, 'LV-2 recorded on node A');
        const response = await b.call('POST', '/stations/LV-2/commands/reset', { body: { type: 'Immediate' } });
        assert.equal(response.status, 200, JSON.stringify(response.body));
      } finally {
        await again.close();
      }
      assert.equal(await restarted.stop('SIGTERM'), 0);
      assert.equal(await registered('node-a'), undefined);
    });
  });
}
